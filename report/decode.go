package report

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/suitkit/suitkit/internal/cbor"
	"github.com/suitkit/suitkit/suit"
)

// Limits bounds what Decode and Verify accept. The zero value (or nil)
// selects the defaults given with each field; larger values are capped at
// the hard maxima.
type Limits struct {
	// MaxSize caps the encoded report (and the COSE container around it)
	// in bytes (default 256 KiB, at most 16 MiB).
	MaxSize int
	// MaxRecords caps the records list (default 4096, at most 65536).
	MaxRecords int
	// MaxElements caps any other array or map: properties, manifest-id,
	// component identifiers (default 256, at most 4096).
	MaxElements int
	// MaxDepth caps the nesting of CBOR items (default 16, at most 64).
	MaxDepth int
}

type limits struct{ size, records, elements, depth int }

func capped(v, def, max int) int {
	switch {
	case v <= 0:
		return def
	case v > max:
		return max
	}
	return v
}

func (l *Limits) resolve() limits {
	var z Limits
	if l != nil {
		z = *l
	}
	return limits{
		size:     capped(z.MaxSize, 256<<10, 16<<20),
		records:  capped(z.MaxRecords, 4096, 1<<16),
		elements: capped(z.MaxElements, 256, 4096),
		depth:    capped(z.MaxDepth, 16, 64),
	}
}

// dec is a strict reader of deterministic CBOR (RFC 8949 section 4.2.1):
// definite lengths, shortest heads, sorted unique map keys, valid UTF-8,
// no floats or undefined. Counts are checked against the remaining bytes
// before anything is allocated.
type dec struct {
	b    []byte
	off  int
	lim  limits
	path string
}

func (d *dec) fail(kind error, at int, format string, a ...any) error {
	return &DecodeError{Offset: at, Path: d.path, Err: kind, Detail: fmt.Sprintf(format, a...)}
}

// head reads one item head, checking the deterministic-encoding rules.
func (d *dec) head() (byte, uint64, error) {
	start := d.off
	maj, ai, arg, n, err := cbor.ReadHead(d.b[d.off:])
	if err != nil {
		return 0, 0, d.fail(ErrMalformed, start, "%v", err)
	}
	if maj == cbor.Simple {
		switch {
		case ai == 20 || ai == 21 || ai == 22: // false, true, null
		default:
			return 0, 0, d.fail(ErrMalformed, start, "only false, true and null are allowed among simple values and floats")
		}
	} else if !cbor.Shortest(ai, arg) {
		return 0, 0, d.fail(ErrMalformed, start, "integer or length not in the shortest form")
	}
	d.off += n
	return maj, arg, nil
}

func (d *dec) peek() byte {
	if d.off < len(d.b) {
		return d.b[d.off] >> 5
	}
	return 0xff
}

func (d *dec) expect(want byte, what string) (uint64, error) {
	start := d.off
	maj, arg, err := d.head()
	if err != nil {
		return 0, err
	}
	if maj != want {
		d.off = start
		return 0, d.fail(ErrMalformed, start, "expected %s", what)
	}
	return arg, nil
}

func (d *dec) uint() (uint64, error) { return d.expect(cbor.Uint, "an unsigned integer") }

func (d *dec) int() (int64, error) {
	start := d.off
	maj, arg, err := d.head()
	if err != nil {
		return 0, err
	}
	if (maj != cbor.Uint && maj != cbor.Nint) || arg > math.MaxInt64 {
		d.off = start
		return 0, d.fail(ErrMalformed, start, "expected an integer within 64 bits")
	}
	if maj == cbor.Nint {
		return -1 - int64(arg), nil
	}
	return int64(arg), nil
}

// count checks a declared count of items (each at least min bytes) against
// the remaining input and a cap.
func (d *dec) count(n uint64, start, min, capN int, what string) (int, error) {
	if n > uint64(capN) {
		return 0, d.fail(ErrLimit, start, "%s of %d elements exceeds the limit of %d", what, n, capN)
	}
	if n*uint64(min) > uint64(len(d.b)-d.off) {
		return 0, d.fail(ErrMalformed, start, "%s of %d elements does not fit in the input", what, n)
	}
	return int(n), nil
}

func (d *dec) array(capN int, what string) (int, error) {
	start := d.off
	n, err := d.expect(cbor.Array, "an array ("+what+")")
	if err != nil {
		return 0, err
	}
	return d.count(n, start, 1, capN, what)
}

func (d *dec) mapHead(capN int, what string) (int, error) {
	start := d.off
	n, err := d.expect(cbor.Map, "a map ("+what+")")
	if err != nil {
		return 0, err
	}
	return d.count(n, start, 2, capN, what)
}

func (d *dec) str(maj byte, what string) ([]byte, error) {
	start := d.off
	n, err := d.expect(maj, what)
	if err != nil {
		return nil, err
	}
	if n > uint64(len(d.b)-d.off) {
		return nil, d.fail(ErrMalformed, start, "%s of %d bytes runs past the input", what, n)
	}
	s := d.b[d.off : d.off+int(n)]
	if maj == cbor.Text && !utf8.Valid(s) {
		return nil, d.fail(ErrMalformed, start, "text is not valid UTF-8")
	}
	d.off += int(n)
	return s, nil
}

// key reads a map key and checks it sorts after prev.
func (d *dec) key(prev []byte, depth int) ([]byte, error) {
	start := d.off
	k, err := d.skip(depth)
	if err != nil {
		return nil, err
	}
	if prev != nil && bytes.Compare(prev, k) >= 0 {
		return nil, d.fail(ErrMalformed, start, "map keys are duplicated or not in deterministic order")
	}
	return k, nil
}

// skip validates one item of any type and returns its encoding.
func (d *dec) skip(depth int) ([]byte, error) {
	start := d.off
	if depth > d.lim.depth {
		return nil, d.fail(ErrLimit, start, "items nested deeper than %d", d.lim.depth)
	}
	maj, arg, err := d.head()
	if err != nil {
		return nil, err
	}
	switch maj {
	case cbor.Bytes, cbor.Text:
		d.off = start
		if _, err := d.str(maj, "a string"); err != nil {
			return nil, err
		}
	case cbor.Array, cbor.Map:
		min := 1
		if maj == cbor.Map {
			min = 2
		}
		n, err := d.count(arg, start, min, d.lim.elements, "nested item")
		if err != nil {
			return nil, err
		}
		var prev []byte
		for i := 0; i < n; i++ {
			if maj == cbor.Map {
				k, err := d.key(prev, depth+1)
				if err != nil {
					return nil, err
				}
				prev = k
			}
			if _, err := d.skip(depth + 1); err != nil {
				return nil, err
			}
		}
	case cbor.Tag:
		if _, err := d.skip(depth + 1); err != nil {
			return nil, err
		}
	}
	return d.b[start:d.off], nil
}

func (d *dec) at(path string) func() {
	saved := d.path
	if d.path == "" {
		d.path = path
	} else if path != "" && path[0] == '[' {
		d.path += path
	} else {
		d.path += "." + path
	}
	return func() { d.path = saved }
}

// Decode decodes an encoded SUIT_Report (the payload of its COSE
// container). It accepts only deterministic CBOR within lim (nil: the
// defaults); errors match ErrMalformed or ErrLimit.
func Decode(b []byte, lim *Limits) (*Report, error) {
	l := lim.resolve()
	if len(b) > l.size {
		return nil, &DecodeError{Err: ErrLimit, Detail: fmt.Sprintf("report of %d bytes exceeds the limit of %d", len(b), l.size)}
	}
	d := &dec{b: b, lim: l}
	r, err := d.report()
	if err != nil {
		return nil, err
	}
	if d.off != len(b) {
		return nil, d.fail(ErrMalformed, d.off, "%d trailing bytes after the report", len(b)-d.off)
	}
	return r, nil
}

func (d *dec) report() (*Report, error) {
	n, err := d.mapHead(d.lim.elements, "SUIT_Report")
	if err != nil {
		return nil, err
	}
	r := &Report{}
	var prev []byte
	var seen uint8
	for i := 0; i < n; i++ {
		kAt := d.off
		k, err := d.key(prev, 1)
		if err != nil {
			return nil, err
		}
		prev = k
		key, isInt := intItem(k)
		switch {
		case isInt && key == KeyNonce:
			done := d.at("nonce")
			r.Nonce, err = d.str(cbor.Bytes, "a bstr")
			done()
		case isInt && key == KeyRecords:
			seen |= 1
			done := d.at("records")
			r.Records, err = d.records()
			done()
		case isInt && key == KeyResult:
			seen |= 2
			done := d.at("result")
			err = d.result(&r.Result)
			done()
		case isInt && key == KeyCapabilityReport:
			at := d.off
			done := d.at("capability-report")
			if d.peek() != cbor.Map {
				err = d.fail(ErrMalformed, at, "expected a map")
			} else {
				r.Capability, err = d.skip(1)
			}
			done()
		case isInt && key == KeyReference:
			seen |= 4
			done := d.at("reference")
			err = d.reference(&r.Reference)
			done()
		default:
			var v []byte
			if v, err = d.skip(1); err == nil {
				r.Extensions = append(r.Extensions, suit.RawEntry{Key: d.b[kAt : kAt+len(k)], Value: v})
			}
		}
		if err != nil {
			return nil, err
		}
	}
	for bit, name := range []string{"suit-report-records (3)", "suit-report-result (4)", "suit-reference (99)"} {
		if seen&(1<<bit) == 0 {
			return nil, d.fail(ErrMalformed, 0, "missing %s", name)
		}
	}
	return r, nil
}

func intItem(k []byte) (int64, bool) {
	maj, _, arg, n, err := cbor.ReadHead(k)
	if err != nil || n != len(k) || arg > math.MaxInt64 {
		return 0, false
	}
	switch maj {
	case cbor.Uint:
		return int64(arg), true
	case cbor.Nint:
		return -1 - int64(arg), true
	}
	return 0, false
}

func (d *dec) reference(ref *Reference) error {
	start := d.off
	n, err := d.array(2, "SUIT_Reference")
	if err != nil {
		return err
	}
	if n != 2 {
		return d.fail(ErrMalformed, start, "SUIT_Reference must have 2 elements")
	}
	uri, err := d.str(cbor.Text, "a tstr (manifest-uri)")
	if err != nil {
		return err
	}
	ref.URI = string(uri)
	// SUIT_Digest = [alg, bytes, *extensions]. Its length is not checked
	// against the algorithm: Check compares it with the digest the server
	// expects, which is stricter.
	dAt := d.off
	m, err := d.array(d.lim.elements, "manifest-digest")
	if err != nil {
		return err
	}
	if m < 2 {
		return d.fail(ErrMalformed, dAt, "manifest-digest needs 2 elements, has %d", m)
	}
	if ref.Digest.Algorithm, err = d.int(); err != nil {
		return err
	}
	if ref.Digest.Value, err = d.str(cbor.Bytes, "a bstr (digest bytes)"); err != nil {
		return err
	}
	for i := 2; i < m; i++ {
		x, err := d.skip(3)
		if err != nil {
			return err
		}
		ref.Digest.Extensions = append(ref.Digest.Extensions, x)
	}
	return nil
}

func (d *dec) records() ([]Entry, error) {
	n, err := d.array(d.lim.records, "records")
	if err != nil {
		return nil, err
	}
	out := make([]Entry, n)
	for i := range out {
		done := d.at("[" + strconv.Itoa(i) + "]")
		switch d.peek() {
		case cbor.Array:
			var rec Record
			err = d.record(&rec)
			out[i].Record = &rec
		case cbor.Map:
			var sp SystemProperties
			err = d.system(&sp)
			out[i].System = &sp
		default:
			err = d.fail(ErrMalformed, d.off, "a record is a SUIT_Record (array) or system-property claims (map)")
		}
		done()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (d *dec) record(r *Record) error {
	start := d.off
	n, err := d.array(d.lim.elements, "SUIT_Record")
	if err != nil {
		return err
	}
	if n < 5 {
		return d.fail(ErrMalformed, start, "SUIT_Record needs 5 elements, has %d", n)
	}
	m, err := d.array(d.lim.elements, "manifest-id")
	if err != nil {
		return err
	}
	r.ManifestID = make([]uint64, m)
	for i := range r.ManifestID {
		if r.ManifestID[i], err = d.uint(); err != nil {
			return err
		}
	}
	if r.Section, err = d.int(); err != nil {
		return err
	}
	if r.Offset, err = d.uint(); err != nil {
		return err
	}
	if r.Component, err = d.uint(); err != nil {
		return err
	}
	done := d.at("properties")
	r.Properties, _, err = d.params(false)
	done()
	if err != nil {
		return err
	}
	for i := 5; i < n; i++ {
		x, err := d.skip(2)
		if err != nil {
			return err
		}
		r.Extensions = append(r.Extensions, x)
	}
	return nil
}

func (d *dec) system(s *SystemProperties) error {
	start := d.off
	ps, cid, err := d.params(true)
	if err != nil {
		return err
	}
	if cid == nil {
		return d.fail(ErrMalformed, start, "system-property claims without a component identifier (key 0)")
	}
	if len(ps) == 0 {
		return d.fail(ErrMalformed, start, "system-property claims without a property")
	}
	s.Component, s.Properties = cid, ps
	return nil
}

// params decodes {* int => any}; with system, key 0 is the component
// identifier.
func (d *dec) params(system bool) (suit.Parameters, suit.ComponentID, error) {
	n, err := d.mapHead(d.lim.elements, "properties")
	if err != nil {
		return nil, nil, err
	}
	var ps suit.Parameters
	var cid suit.ComponentID
	var prev []byte
	for i := 0; i < n; i++ {
		kAt := d.off
		k, err := d.key(prev, 2)
		if err != nil {
			return nil, nil, err
		}
		prev = k
		key, ok := intItem(k)
		if !ok {
			return nil, nil, d.fail(ErrMalformed, kAt, "property key is not an integer")
		}
		if system && key == KeySystemComponentID {
			if cid, err = d.componentID(); err != nil {
				return nil, nil, err
			}
			continue
		}
		v, err := d.skip(2)
		if err != nil {
			return nil, nil, err
		}
		ps = append(ps, suit.Parameter{Key: key, Value: v})
	}
	return ps, cid, nil
}

func (d *dec) componentID() (suit.ComponentID, error) {
	start := d.off
	n, err := d.array(d.lim.elements, "component identifier")
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, d.fail(ErrMalformed, start, "empty component identifier")
	}
	cid := make(suit.ComponentID, n)
	for i := range cid {
		if cid[i], err = d.str(cbor.Bytes, "a bstr"); err != nil {
			return nil, err
		}
	}
	return cid, nil
}

func (d *dec) result(res *Result) error {
	start := d.off
	if start < len(d.b) && d.b[start] == 0xf5 {
		d.off++
		res.Success = true
		return nil
	}
	n, err := d.mapHead(3, "result")
	if err != nil {
		return d.fail(ErrMalformed, start, "result must be true or a map of code, record and reason")
	}
	if n != 3 {
		return d.fail(ErrMalformed, start, "result map must have 3 members (code, record, reason), has %d", n)
	}
	for _, want := range []int64{KeyResultCode, KeyResultRecord, KeyResultReason} {
		kAt := d.off
		k, err := d.int()
		if err != nil || k != want {
			return d.fail(ErrMalformed, kAt, "result map: expected key %d", want)
		}
		switch want {
		case KeyResultCode:
			res.Code, err = d.int()
		case KeyResultRecord:
			done := d.at("record")
			err = d.record(&res.Record)
			done()
		case KeyResultReason:
			var r int64
			r, err = d.int()
			res.Reason = Reason(r)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
