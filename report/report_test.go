package report

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/suit"
)

func hx(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

func sampleReport() *Report {
	dg := suit.Digest{Algorithm: suit.AlgSHA256, Value: bytes.Repeat([]byte{0xab}, 32)}
	pd, _ := suit.ParamDigest(suit.ParamImageDigest, dg)
	return &Report{
		Reference: Reference{URI: "https://u.example/m.suit", Digest: dg},
		Nonce:     []byte{9, 8, 7},
		Records: []Entry{
			{Record: &Record{ManifestID: []uint64{}, Section: 20, Offset: 7, Component: 0,
				Properties: suit.Parameters{suit.ParamUint(suit.ParamImageSize, 5), pd}}},
			{System: &SystemProperties{Component: suit.ComponentID{{0}},
				Properties: suit.Parameters{suit.ParamBytes(suit.ParamVendorIdentifier, make([]byte, 16))}}},
			{Record: &Record{ManifestID: []uint64{1, 0}, Section: -3, Offset: 1 << 20, Component: 3,
				Properties: suit.Parameters{}, Extensions: [][]byte{hx("63 616263")}}},
		},
		Result: Result{Code: CodeDeferred, Reason: ReasonConditionFailed,
			Record: Record{ManifestID: []uint64{}, Section: 20, Offset: 3, Properties: suit.Parameters{suit.ParamUint(suit.ParamMinimumBattery, 10)}}},
		Capability: hx("a1 02 82 01 02"),
		Extensions: []suit.RawEntry{{Key: hx("18 64"), Value: hx("f6")}},
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	r := sampleReport()
	b, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	b2, err := got.Encode()
	if err != nil || !bytes.Equal(b, b2) {
		t.Fatalf("re-encoding differs: %v\n%x\n%x", err, b, b2)
	}
	if got.Reference.URI != r.Reference.URI || !bytes.Equal(got.Nonce, r.Nonce) || got.Outcome() != Deferred ||
		len(got.Records) != 3 || got.Records[1].System == nil || got.Records[2].Record.ManifestID[0] != 1 {
		t.Fatalf("decoded %+v", got)
	}
	// Key order: 2 nonce, 3 records, 4 result, 8 capability, 99 reference, 100 extension.
	if b[0] != 0xa6 || b[1] != 0x02 {
		t.Fatalf("encoding starts %x", b[:4])
	}
	// A success result is the value true.
	r.Result = Result{Success: true}
	b, _ = r.Encode()
	if got, err := Decode(b, nil); err != nil || !got.Result.Success || got.Outcome() != Installed {
		t.Fatalf("success: %+v %v", got, err)
	}
}

// A minimal report written by hand from the CDDL: {3: [], 4: true, 99: ["", [-16, h'00..']]}.
func TestDecodeHandWrittenMinimal(t *testing.T) {
	b := hx("a3 03 80 04 f5 18 63 82 60 82 2f 5820" + strings.Repeat("11", 32))
	r, err := Decode(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Result.Success || r.Reference.Digest.Algorithm != -16 || r.Nonce != nil || len(r.Records) != 0 {
		t.Fatalf("%+v", r)
	}
}

func TestDecodeStrict(t *testing.T) {
	ref := "18 63 82 60 82 2f 41 00"
	cases := map[string]struct {
		hex  string
		want error
	}{
		"missing records":      {"a2 04 f5 " + ref, ErrMalformed},
		"missing result":       {"a2 03 80 " + ref, ErrMalformed},
		"missing reference":    {"a2 03 80 04 f5", ErrMalformed},
		"unsorted keys":        {"a3 04 f5 03 80 " + ref, ErrMalformed},
		"duplicate key":        {"a4 03 80 03 80 04 f5 " + ref, ErrMalformed},
		"indefinite records":   {"a3 03 9f ff 04 f5 " + ref, ErrMalformed},
		"non-shortest":         {"a3 18 03 80 04 f5 " + ref, ErrMalformed},
		"result false":         {"a3 03 80 04 f4 " + ref, ErrMalformed},
		"float":                {"a3 03 80 04 f9 3c00 " + ref, ErrMalformed},
		"record too short":     {"a3 03 81 84 80 00 00 00 04 f5 " + ref, ErrMalformed},
		"record bad entry":     {"a3 03 81 01 04 f5 " + ref, ErrMalformed},
		"system without id":    {"a3 03 81 a1 01 01 04 f5 " + ref, ErrMalformed},
		"system only id":       {"a3 03 81 a1 00 81 41 00 04 f5 " + ref, ErrMalformed},
		"result map keys":      {"a3 03 80 04 a3 05 01 07 01 06 85 80 00 00 00 a0 " + ref, ErrMalformed},
		"bad utf-8 uri":        {"a3 03 80 04 f5 18 63 82 61 ff 82 2f 41 00", ErrMalformed},
		"trailing bytes":       {"a3 03 80 04 f5 " + ref + " 00", ErrMalformed},
		"record count too big": {"a3 03 9a 00010000 04 f5 " + ref, ErrLimit},
		"truncated":            {"a3 03 80 04", ErrMalformed},
		"property key text":    {"a3 03 81 85 80 00 00 00 a1 61 61 01 04 f5 " + ref, ErrMalformed},
	}
	for name, c := range cases {
		_, err := Decode(hx(c.hex), nil)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	// Limits: records and nesting.
	b := hx("a3 03 83 85 80 00 00 00 a0 85 80 00 00 00 a0 85 80 00 00 00 a0 04 f5 " + ref)
	if _, err := Decode(b, &Limits{MaxRecords: 2}); !errors.Is(err, ErrLimit) {
		t.Errorf("record limit: %v", err)
	}
	if _, err := Decode(b, nil); err != nil {
		t.Errorf("three records: %v", err)
	}
	deep := "a3 03 81 85 80 00 00 00 a1 01 " + strings.Repeat("81 ", 40) + "00 04 f5 " + ref
	if _, err := Decode(hx(deep), nil); !errors.Is(err, ErrLimit) {
		t.Errorf("depth: %v", err)
	}
	if _, err := Decode(make([]byte, 300<<10), nil); !errors.Is(err, ErrLimit) {
		t.Errorf("size: %v", err)
	}
}

func TestSealVerifyAndParse(t *testing.T) {
	k, err := keys.GenerateKey(keys.ESP256)
	if err != nil {
		t.Fatal(err)
	}
	k.KeyID = []byte("dev-7")
	a, err := KeyAuthenticator(k, 0)
	if err != nil {
		t.Fatal(err)
	}
	if a.Algorithm() != keys.ESP256 {
		t.Fatalf("default algorithm %v", a.Algorithm())
	}
	sealed, err := Seal(sampleReport(), a)
	if err != nil {
		t.Fatal(err)
	}
	if sealed[0] != 0xd2 {
		t.Fatalf("not a tagged COSE_Sign1: %x", sealed[:2])
	}
	s, err := Parse(sealed, nil)
	if err != nil || s.MAC || string(s.KeyID) != "dev-7" || s.Algorithm != keys.ESP256 {
		t.Fatalf("Parse: %+v %v", s, err)
	}
	pub, _ := k.PublicOnly()
	r, err := Verify(sealed, pub, nil)
	if err != nil || r.Reference.URI != "https://u.example/m.suit" {
		t.Fatalf("Verify: %v", err)
	}
	// The untagged form verifies too.
	if _, err := Verify(sealed[1:], pub, nil); err != nil {
		t.Fatalf("untagged: %v", err)
	}
	// A key restricted to another algorithm refuses it.
	pub.Algorithm = keys.ES256
	if _, err := Verify(sealed, pub, nil); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("restricted key: %v", err)
	}
	// A MAC secret cannot check a signature and a public key cannot check a MAC.
	mk, _ := keys.GenerateKey(keys.HMAC256)
	if _, err := Verify(sealed, mk, nil); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("MAC key on a signature: %v", err)
	}
	ma, _ := KeyAuthenticator(mk, 0)
	msealed, err := Seal(sampleReport(), ma)
	if err != nil || msealed[0] != 0xd1 {
		t.Fatalf("Mac0: %x %v", msealed[:1], err)
	}
	pub.Algorithm = 0
	if _, err := Verify(msealed, pub, nil); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("public key on a MAC: %v", err)
	}
	if _, err := Verify(msealed, mk, nil); err != nil {
		t.Fatalf("Mac0 verify: %v", err)
	}
	// Public keys cannot seal.
	if _, err := KeyAuthenticator(pub, 0); !errors.Is(err, ErrKey) {
		t.Fatalf("public key as authenticator: %v", err)
	}
	// A detached payload (nil) is not a report.
	nilPayload := hx("d2 84 43 a1 01 26 a0 f6 40")
	if _, err := Parse(nilPayload, nil); !errors.Is(err, ErrMalformed) {
		t.Fatalf("detached payload: %v", err)
	}
}

func TestOutcomeFromForeignReasons(t *testing.T) {
	for reason, want := range map[Reason]Outcome{
		ReasonConditionFailed: ConditionFailed, ReasonUnauthorised: Rejected, ReasonCommandUnsupported: Unsupported,
		ReasonOperationFailed: Failed, ReasonInvokePending: Failed,
	} {
		r := &Report{Result: Result{Code: -77, Reason: reason}}
		if got := r.Outcome(); got != want {
			t.Errorf("reason %v: %v, want %v", reason, got, want)
		}
	}
}
