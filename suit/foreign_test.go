package suit

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
)

// coseEncryptOutOfOrder is a COSE_Encrypt (tag 96) shaped like the
// firmware-encryption draft's ES-DH examples: the recipient's unprotected
// header is {-1: key, 4: 'kid-2'}, out of bytewise order (0x20 > 0x04).
var coseEncryptOutOfOrder = hx("d8 60 84 43 a1 01 01 a1 05 4c 000102030405060708090a0b f6 81" +
	" 83 44 a1 01 38 1c a2 20 a4 01 02 20 01 21 41 00 22 41 00 04 45 6b69642d32 58 18 000102030405060708090a0b0c0d0e0f1011121314151617")

// withEncryptionInfo returns an envelope whose shared sequence sets
// encryption-info (19) to info and checks the vendor.
func withEncryptionInfo(t *testing.T, info []byte) []byte {
	t.Helper()
	shared := seqOf(4, cat(hx("14 a1 13"), bs(info)), hx("01 0f"))
	return envelopeFor(t, manifestWith(commonWith(shared), 0))
}

// TestEmbeddedCOSEAnyKeyOrderKeptByteExact: a COSE_Encrypt in
// suit-parameter-encryption-info follows RFC 9052, not SUIT's encoding
// rules: its keys may come in any order and its heads need not be shortest.
// It is accepted and kept as received, so the envelope re-encodes byte for
// byte.
func TestEmbeddedCOSEAnyKeyOrderKeptByteExact(t *testing.T) {
	nonShortest := bytes.Replace(coseEncryptOutOfOrder, hx("a1 05 4c"), hx("a1 18 05 4c"), 1)
	for name, info := range map[string][]byte{
		"recipient header out of order": coseEncryptOutOfOrder,
		"label in a non-shortest head":  nonShortest,
		"float and simple value":        hx("d8 60 84 40 a2 18 64 fb 3ff0000000000000 18 65 f8 20 f6 80"),
	} {
		t.Run(name, func(t *testing.T) {
			in := withEncryptionInfo(t, info)
			e, err := Decode(in, nil)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			p, ok := e.Manifest.Common.SharedSequence.Commands[0].Params.Get(ParamEncryptionInfo)
			if !ok {
				t.Fatal("encryption-info not decoded")
			}
			got, err := p.Bytes()
			if err != nil || !bytes.Equal(got, info) {
				t.Fatalf("encryption-info %x (err %v), want %x", got, err, info)
			}
			out, err := e.Encode()
			if err != nil || !bytes.Equal(out, in) {
				t.Fatalf("re-encoding differs (err %v)", err)
			}
		})
	}
}

// TestEmbeddedCoswidAndCOSEBlockAnyKeyOrder: a CoSWID (manifest key 14) and
// a COSE authentication block's unprotected header out of order decode
// and re-encode byte for byte.
func TestEmbeddedCoswidAndCOSEBlockAnyKeyOrder(t *testing.T) {
	coswid := hx("a3 0f 63 6f6e65 00 61 78 0c 00") // {15: "one", 0: "x", 12: 0}
	m := manifestWith(commonWith(minimalShared), 1, hx("0e"), bs(coswid))
	in := envelopeFor(t, m)
	e, err := Decode(in, nil)
	if err != nil {
		t.Fatalf("coswid: %v", err)
	}
	if e.Manifest.Coswid == nil || !bytes.Equal(e.Manifest.Coswid.Raw, coswid) {
		t.Fatalf("coswid not kept: %+v", e.Manifest.Coswid)
	}
	if out, err := e.Encode(); err != nil || !bytes.Equal(out, in) {
		t.Fatalf("coswid re-encoding differs (err %v)", err)
	}

	// A COSE_Sign1 whose unprotected header is {100: 0, 4: 'k'}.
	man := manifestWith(commonWith(minimalShared), 0)
	d, _ := ComputeDigest(AlgSHA256, bs(man))
	db, _ := d.Encode()
	blk := hx("d2 84 43 a1 01 26 a2 18 64 00 04 41 6b f6 40")
	env := cat(hx("d8 6b a2 02"), bs(cat(hx("82"), bs(db), bs(blk))), hx("03"), bs(man))
	e, err = Decode(env, nil)
	if err != nil {
		t.Fatalf("COSE block: %v", err)
	}
	if !bytes.Equal(e.Authentication.Blocks[0], blk) {
		t.Fatal("COSE block not kept byte-exact")
	}
	if out, err := e.Encode(); err != nil || !bytes.Equal(out, env) {
		t.Fatalf("COSE block re-encoding differs (err %v)", err)
	}
}

// TestEmbeddedForeignStillChecked: leniency covers key order and head
// length only; a foreign structure must still be well-formed CBOR within
// the limits.
func TestEmbeddedForeignStillChecked(t *testing.T) {
	deep := cat(hx("d8 60"), bytes.Repeat(hx("81"), 40), hx("00"))
	var big []byte
	big = append(big, 0xb8, 65)
	for i := 65; i > 0; i-- { // 65 keys in decreasing order
		big = append(big, 0x18, byte(i), 0x00)
	}
	cases := []struct {
		name string
		info []byte
		want error
	}{
		{"duplicate key", hx("d8 60 84 40 a2 04 41 01 04 41 02 f6 80"), ErrMalformed},
		{"duplicate key, out of order", hx("d8 60 84 40 a3 04 41 01 01 01 04 41 02 f6 80"), ErrMalformed},
		{"duplicate key, heads of different length", hx("d8 60 84 40 a2 04 41 01 18 04 41 02 f6 80"), ErrMalformed},
		{"duplicate text key, heads of different length", hx("d8 60 84 40 a2 61 61 00 78 01 61 00 f6 80"), ErrMalformed},
		{"indefinite-length map", hx("d8 60 84 40 bf 04 41 01 ff f6 80"), ErrUnsupported},
		{"indefinite-length bstr", hx("d8 60 84 40 a0 5f 41 00 ff 80"), ErrUnsupported},
		{"truncated", hx("d8 60 84 40 a1 04 45 01"), ErrMalformed},
		{"invalid UTF-8", hx("d8 60 84 40 a1 04 61 ff f6 80"), ErrMalformed},
		{"two-byte simple value below 32", hx("d8 60 84 40 a1 04 f8 10 f6 80"), ErrMalformed},
		{"nested beyond MaxDepth", deep, ErrLimit},
		{"large map out of order", cat(hx("d8 60 84 40"), big, hx("f6 80")), ErrLimit},
		{"count beyond the bytes", hx("d8 60 84 40 a1 04 98 20"), ErrMalformed},
		{"count beyond MaxElements", hx("d8 60 84 40 a1 04 9a 00010000"), ErrLimit},
		{"not a tag", hx("84 40 a0 f6 80"), ErrMalformed},
		{"trailing item", hx("d8 60 84 40 a0 f6 80 00"), ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectReject(t, withEncryptionInfo(t, c.info), nil, c.want)
		})
	}
}

// TestSUITStructuresStayStrictAroundEmbedded: next to an embedded COSE
// structure, SUIT's own maps (override-parameters, wait-info) still require
// deterministic encoding.
func TestSUITStructuresStayStrictAroundEmbedded(t *testing.T) {
	// override-parameters {19: info, 14: 1}: SUIT's own map out of order.
	shared := seqOf(4, cat(hx("14 a2 13"), bs(coseEncryptOutOfOrder), hx("0e 01")), hx("01 0f"))
	expectReject(t, envelopeFor(t, manifestWith(commonWith(shared), 0)), nil, ErrNotDeterministic)
	// The image size in a non-shortest head next to the COSE structure.
	shared = seqOf(4, cat(hx("14 a2 0e 18 01 13"), bs(coseEncryptOutOfOrder)), hx("01 0f"))
	expectReject(t, envelopeFor(t, manifestWith(commonWith(shared), 0)), nil, ErrNotDeterministic)
	// wait-info (29) is SUIT's own (update management): strict.
	shared = seqOf(4, cat(hx("14 a1 18 1d"), bs(hx("a2 02 01 01 01"))), hx("01 0f"))
	expectReject(t, envelopeFor(t, manifestWith(commonWith(shared), 0)), nil, ErrNotDeterministic)
}

// TestEncryptionExamplesDecode: every envelope of the firmware-encryption
// draft decodes and re-encodes byte for byte, including the two ES-DH ones
// whose recipient header is out of order.
func TestEncryptionExamplesDecode(t *testing.T) {
	dir := testshared.Dir(t, "conformance/encryption")
	files, _ := filepath.Glob(filepath.Join(dir, "*.suit"))
	if len(files) == 0 {
		t.Fatal("no envelopes")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			in, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			e, err := Decode(in, nil)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			out, err := e.Encode()
			if err != nil || !bytes.Equal(out, in) {
				t.Fatalf("re-encoding differs (err %v)", err)
			}
		})
	}
}
