package keys

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/fxamacker/cbor/v2"
	icbor "github.com/suitkit/suitkit/internal/cbor"
)

// keySeeds returns valid keys of every type in both encodings.
func keySeeds(f *testing.F) (cose, pems [][]byte) {
	for _, alg := range Algorithms() {
		if alg.IsHSSLMS() {
			continue
		}
		k, err := GenerateKey(alg)
		if err != nil {
			f.Fatal(err)
		}
		k.KeyID = []byte{1, 2}
		c, _ := k.MarshalCOSEKey()
		cose = append(cose, c)
		if po, err := k.PublicOnly(); err == nil {
			c, _ := po.MarshalCOSEKey()
			cose = append(cose, c)
			p, _ := k.MarshalPEM()
			pp, _ := k.MarshalPublicPEM()
			pems = append(pems, p, pp)
			if s, err := k.MarshalSEC1PEM(); err == nil {
				pems = append(pems, s)
			}
		}
	}
	xk, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	c, err := (&Key{Agreement: xk, Public: xk.PublicKey(), KeyID: []byte{1, 2}}).MarshalCOSEKey()
	if err != nil {
		f.Fatal(err)
	}
	cose = append(cose, c)
	return cose, pems
}

// checkParsed is the property shared by the key fuzzers: an error is typed
// and comes with a nil key; a key re-encodes to a COSE_Key that parses to
// the same encoding (so nothing half-valid is ever returned), and a parsed
// private key fits the algorithm it would sign with.
func checkParsed(t *testing.T, k *Key, err error) {
	if err != nil {
		if k != nil {
			t.Fatalf("error %v with non-nil key", err)
		}
		if !errors.Is(err, ErrKey) && !errors.Is(err, ErrAlgorithm) {
			t.Fatalf("untyped error %v", err)
		}
		return
	}
	if k.Public == nil && len(k.Secret) == 0 {
		t.Fatal("key with neither public half nor secret")
	}
	enc, err := k.MarshalCOSEKey()
	if err != nil {
		t.Fatalf("parsed key does not re-encode: %v", err)
	}
	back, err := ParseCOSEKey(enc)
	if err != nil {
		t.Fatalf("re-encoded key does not parse: %v", err)
	}
	enc2, _ := back.MarshalCOSEKey()
	if !bytes.Equal(enc, enc2) {
		t.Fatalf("COSE_Key not stable:\n%x\n%x", enc, enc2)
	}
	if k.Agreement != nil {
		// An X25519 key-agreement key: it cannot sign, has no algorithm,
		// and its public half is the one d derives.
		if k.Signer != nil || k.Algorithm != 0 || !k.Agreement.PublicKey().Equal(k.Public) {
			t.Fatalf("X25519 key with signer %T, alg %v, or a public key d does not derive", k.Signer, k.Algorithm)
		}
	} else if k.Public != nil {
		alg := k.Algorithm
		if alg == 0 {
			if alg, err = DefaultAlgorithm(k.Public); err != nil {
				t.Fatalf("parsed public key has no default algorithm: %v", err)
			}
		}
		if err := alg.CheckKey(k.Public); err != nil {
			t.Fatalf("parsed key does not fit %v: %v", alg, err)
		}
	} else if k.Algorithm != 0 && !k.Algorithm.IsMAC() {
		t.Fatalf("symmetric key restricted to %v", k.Algorithm)
	}
}

func FuzzParseCOSEKey(f *testing.F) {
	cose, _ := keySeeds(f)
	for _, s := range cose {
		f.Add(s)
	}
	f.Add([]byte{0xa3, 0x01, 0x04, 0x20, 0x41, 0x00, 0x01, 0x04})
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParseCOSEKey(data)
		checkParsed(t, k, err)
	})
}

func FuzzParsePEM(f *testing.F) {
	_, pems := keySeeds(f)
	for _, s := range pems {
		f.Add(s)
	}
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParseKey(data)
		checkParsed(t, k, err)
	})
}

// FuzzParseMACKey: a MAC key is only ever a secret of acceptable length,
// never the bytes of an asymmetric key; everything else is a typed error.
func FuzzParseMACKey(f *testing.F) {
	cose, pems := keySeeds(f)
	for _, s := range append(cose, pems...) {
		f.Add(s)
	}
	f.Add(bytes.Repeat([]byte{0x5a}, MinMACKeySize))
	f.Add(bytes.Repeat([]byte{0x5a}, MinMACKeySize-1))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParseMACKey(data)
		if err != nil {
			if k != nil || !errors.Is(err, ErrKey) && !errors.Is(err, ErrAlgorithm) {
				t.Fatalf("untyped error or key with error: %v", err)
			}
			return
		}
		if !k.IsSymmetric() || k.Signer != nil {
			t.Fatal("MAC key with an asymmetric half")
		}
		if len(k.Secret) < MinMACKeySize || len(k.Secret) > MaxMACKeySize {
			t.Fatalf("accepted a %d-byte secret", len(k.Secret))
		}
		if pk, err := ParseKey(data); err == nil && !pk.IsSymmetric() {
			t.Fatal("accepted an asymmetric key file as a MAC key")
		}
		if err := CheckMACSecret(k.Secret); err != nil {
			t.Fatalf("returned a secret CheckMACSecret refuses: %v", err)
		}
	})
}

// refDecMode is the fxamacker/cbor configuration ParseCOSEKey used before
// it got its own reader: the reference for FuzzCOSEKeyReaderAgrees.
var refDecMode = func() cbor.DecMode {
	m, err := cbor.DecOptions{
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		IndefLength:      cbor.IndefLengthForbidden,
		TagsMd:           cbor.TagsForbidden,
		MaxNestedLevels:  4,
		MaxArrayElements: 16,
		MaxMapPairs:      16,
		IntDec:           cbor.IntDecConvertSignedOrFail,
		BignumTag:        cbor.BignumTagForbidden,
		UTF8:             cbor.UTF8RejectInvalid,
	}.DecMode()
	if err != nil {
		panic(err)
	}
	return m
}()

// FuzzCOSEKeyReaderAgrees: the package's COSE_Key map reader accepts what
// the fxamacker/cbor configuration it replaced accepted, with the same
// labels and value bytes, for maps whose labels are CBOR integers (the old
// decoder also converted simple values used as labels; no valid COSE_Key
// has one, and the new reader refuses them). The reverse does not hold
// exactly: the old decoder counted nesting a level differently.
func FuzzCOSEKeyReaderAgrees(f *testing.F) {
	cose, _ := keySeeds(f)
	for _, s := range cose {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var ref map[int64]cbor.RawMessage
		if refDecMode.Unmarshal(data, &ref) != nil || ref == nil {
			return
		}
		if !integerLabels(data) {
			return
		}
		got, err := decodeLabelMap(data, strictKey)
		if err != nil {
			t.Fatalf("reference accepts %x, ours: %v", data, err)
		}
		if len(got) != len(ref) {
			t.Fatalf("%d labels, reference %d", len(got), len(ref))
		}
		for l, v := range ref {
			if !bytes.Equal(got[l], v) {
				t.Fatalf("label %d: %x, reference %x", l, got[l], v)
			}
		}
	})
}

// integerLabels reports whether every label of the map in data is encoded
// as a CBOR integer (major type 0 or 1).
func integerLabels(data []byte) bool {
	_, _, n, off, err := icbor.ReadHead(data)
	if err != nil {
		return false
	}
	for range n {
		if off >= len(data) || data[off]>>5 > icbor.Nint {
			return false
		}
		if off, err = sniff.skipItem(data, off, 1); err != nil {
			return false
		}
		if off, err = sniff.skipItem(data, off, 1); err != nil {
			return false
		}
	}
	return true
}
