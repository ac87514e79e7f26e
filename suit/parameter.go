package suit

import (
	"fmt"
)

// Parameter is one SUIT parameter: its key and its value as the exact
// encoded CBOR item. Decoding checks the value's type for every registered
// key (for bstr-wrapped values, the wrapped CBOR too); the typed accessors
// below read it.
type Parameter struct {
	Key   int64
	Value []byte // encoded CBOR item, e.g. 0x19 0x87 0xd0 for the uint 34768
}

// Parameters is the argument of override-parameters and set-parameters, in
// encoded-key order.
type Parameters []Parameter

// Get returns the parameter with the given key.
func (ps Parameters) Get(key int64) (Parameter, bool) {
	for _, p := range ps {
		if p.Key == key {
			return p, true
		}
	}
	return Parameter{}, false
}

func (p Parameter) typeErr(want string) error {
	return fmt.Errorf("%w: parameter %d is not %s", ErrMalformed, p.Key, want)
}

// Uint returns the value as an unsigned integer.
func (p Parameter) Uint() (uint64, error) {
	maj, arg, n, ok := itemHead(p.Value)
	if !ok || maj != 0 || n != len(p.Value) {
		return 0, p.typeErr("a uint")
	}
	return arg, nil
}

// Int returns the value as a signed integer (uint or nint within int64).
func (p Parameter) Int() (int64, error) {
	v, ok := itemInt(p.Value)
	if !ok {
		return 0, p.typeErr("an int")
	}
	return v, nil
}

// Bool returns the value as a boolean.
func (p Parameter) Bool() (bool, error) {
	if len(p.Value) == 1 {
		switch p.Value[0] {
		case 0xf4:
			return false, nil
		case 0xf5:
			return true, nil
		}
	}
	return false, p.typeErr("a bool")
}

// Bytes returns the content of a bstr value (for a bstr-wrapped value, the
// encoded CBOR inside). The slice aliases Value.
func (p Parameter) Bytes() ([]byte, error) {
	b, ok := itemString(p.Value, 2)
	if !ok {
		return nil, p.typeErr("a bstr")
	}
	return b, nil
}

// Text returns the value of a tstr value.
func (p Parameter) Text() (string, error) {
	b, ok := itemString(p.Value, 3)
	if !ok {
		return "", p.typeErr("a tstr")
	}
	return string(b), nil
}

// UUID returns a 16-byte bstr value (vendor, class or device identifier).
func (p Parameter) UUID() ([16]byte, error) {
	var u [16]byte
	b, ok := itemString(p.Value, 2)
	if !ok || len(b) != 16 {
		return u, p.typeErr("a 16-byte UUID")
	}
	copy(u[:], b)
	return u, nil
}

// Digest decodes a bstr-wrapped SUIT_Digest value (image-digest).
func (p Parameter) Digest() (Digest, error) {
	b, ok := itemString(p.Value, 2)
	if !ok {
		return Digest{}, p.typeErr("a bstr-wrapped digest")
	}
	return DecodeDigest(b, nil)
}

// VersionMatch is the update-management version parameter (28):
// [comparison-type, [+int]].
type VersionMatch struct {
	Comparison int64   // 1 >, 2 >=, 3 ==, 4 <=, 5 <
	Parts      []int64 // e.g. 1.2-rc.3 = [1, 2, -1, 3]
}

// Version decodes a bstr-wrapped version-match value (parameter 28).
func (p Parameter) Version() (VersionMatch, error) {
	b, ok := itemString(p.Value, 2)
	if !ok {
		return VersionMatch{}, p.typeErr("a bstr-wrapped version")
	}
	return decodeVersionMatch(b)
}

// IsInteger reports whether the value is a CBOR integer.
func (p Parameter) IsInteger() bool {
	_, _, n, ok := itemHead(p.Value)
	return ok && n == len(p.Value) && p.Value[0]>>5 <= 1
}

// ParamUint returns a parameter holding a uint.
func ParamUint(key int64, v uint64) Parameter {
	var w writer
	w.uint(v)
	return Parameter{Key: key, Value: w.b}
}

// ParamInt returns a parameter holding an int.
func ParamInt(key int64, v int64) Parameter {
	var w writer
	w.int(v)
	return Parameter{Key: key, Value: w.b}
}

// ParamBool returns a parameter holding a bool.
func ParamBool(key int64, v bool) Parameter {
	if v {
		return Parameter{Key: key, Value: []byte{0xf5}}
	}
	return Parameter{Key: key, Value: []byte{0xf4}}
}

// ParamBytes returns a parameter holding a bstr (UUIDs, content, args; or
// already-encoded CBOR for a bstr-wrapped parameter).
func ParamBytes(key int64, b []byte) Parameter {
	return Parameter{Key: key, Value: BstrItem(b)}
}

// ParamText returns a parameter holding a tstr (uri).
func ParamText(key int64, s string) Parameter {
	var w writer
	w.tstr(s)
	return Parameter{Key: key, Value: w.b}
}

// ParamDigest returns a parameter holding a bstr-wrapped SUIT_Digest
// (image-digest).
func ParamDigest(key int64, d Digest) (Parameter, error) {
	enc, err := d.Encode()
	if err != nil {
		return Parameter{}, err
	}
	return ParamBytes(key, enc), nil
}

// ParamVersionMatch returns a parameter holding a bstr-wrapped version match.
func ParamVersionMatch(key int64, v VersionMatch) (Parameter, error) {
	var w writer
	if err := w.versionMatch(v); err != nil {
		return Parameter{}, err
	}
	return ParamBytes(key, w.b), nil
}
