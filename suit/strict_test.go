package suit

import (
	"bytes"
	"errors"
	"testing"

	"github.com/suitkit/suitkit/internal/cbor"
	"github.com/suitkit/suitkit/internal/testshared"
)

// expectReject decodes data and checks the error matches want and is a
// *DecodeError, and that no envelope is returned.
func expectReject(t *testing.T, data []byte, lim *Limits, want error) *DecodeError {
	t.Helper()
	e, err := Decode(data, lim)
	if err == nil {
		t.Fatalf("accepted %x", data)
	}
	if e != nil {
		t.Fatalf("error %v but non-nil envelope", err)
	}
	if !errors.Is(err, want) {
		t.Fatalf("error %v does not match %v", err, want)
	}
	var de *DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("error %T is not a *DecodeError", err)
	}
	return de
}

func TestMinimalEnvelopeAccepted(t *testing.T) {
	in := minimalEnvelope(t)
	e, err := Decode(in, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Encode()
	if err != nil || !bytes.Equal(out, in) {
		t.Fatalf("round trip: %v\n%x\n%x", err, in, out)
	}
}

func TestRejectDuplicateMapKey(t *testing.T) {
	// Envelope level: key 3 twice.
	m := manifestWith(commonWith(minimalShared), 0)
	env := cat(hx("a3 03"), bs(m), hx("03"), bs(m))
	expectReject(t, env, nil, ErrMalformed)
	// Inside a parameter map in the shared sequence: {14: 1, 14: 2}.
	shared := seqOf(4, hx("14 a2 0e 01 0e 02"), hx("01 0f"))
	de := expectReject(t, envelopeFor(t, manifestWith(commonWith(shared), 0)), nil, ErrMalformed)
	if de.Path != "envelope/manifest/common/shared-sequence[0]/directive-override-parameters" {
		t.Errorf("path %q", de.Path)
	}
}

func TestRejectIndefiniteLength(t *testing.T) {
	for name, item := range map[string]string{
		"array": "9f 01 ff", "map": "bf 01 01 ff", "bstr": "5f 41 00 ff", "tstr": "7f 61 61 ff",
	} {
		t.Run(name, func(t *testing.T) {
			// As an unknown manifest member (key 99), which is validated generically.
			m := manifestWith(commonWith(minimalShared), 1, hx("18 63"), hx(item))
			expectReject(t, envelopeFor(t, m), nil, ErrNotDeterministic)
		})
	}
	// The envelope map itself.
	m := manifestWith(commonWith(minimalShared), 0)
	expectReject(t, cat(hx("bf 03"), bs(m), hx("ff")), nil, ErrNotDeterministic)
}

func TestRejectNonShortestInteger(t *testing.T) {
	// Sequence number 2 encoded as 0x18 0x02.
	m := cat(hx("a3 01 01 02 18 02 03"), bs(commonWith(minimalShared)))
	de := expectReject(t, envelopeFor(t, m), nil, ErrNotDeterministic)
	if de.Path != "envelope/manifest/manifest-sequence-number" {
		t.Errorf("path %q", de.Path)
	}
	// Reporting policy 15 encoded in two bytes.
	shared := hx("82 01 19 00 0f")
	expectReject(t, envelopeFor(t, manifestWith(commonWith(shared), 0)), nil, ErrNotDeterministic)
}

func TestRejectNonShortestLength(t *testing.T) {
	// The manifest bstr's length given in 2 bytes although it is < 256.
	m := manifestWith(commonWith(minimalShared), 0)
	env := cat(hx("a1 03 59"), []byte{0, byte(len(m))}, m)
	expectReject(t, env, nil, ErrNotDeterministic)
	// A component id bstr whose one-byte length is < 24.
	common := cat(hx("a2 02 81 81 58 01 00 04"), bs(minimalShared))
	expectReject(t, envelopeFor(t, manifestWith(common, 0)), nil, ErrNotDeterministic)
}

func TestRejectUnsortedKeys(t *testing.T) {
	// Manifest keys 2 before 1.
	m := cat(hx("a3 02 00 01 01 03"), bs(commonWith(minimalShared)))
	expectReject(t, envelopeFor(t, m), nil, ErrNotDeterministic)
	// Length-first ("canonical CBOR" of RFC 7049) order differs from the
	// bytewise order RFC 8949 requires: in an extension map, "b" (61 62)
	// must come after 256 (19 01 00).
	bytewise := manifestWith(commonWith(minimalShared), 1, hx("18 63"), hx("a2 19 0100 01 61 62 02"))
	if _, err := Decode(envelopeFor(t, bytewise), nil); err != nil {
		t.Fatalf("bytewise order rejected: %v", err)
	}
	lengthFirst := manifestWith(commonWith(minimalShared), 1, hx("18 63"), hx("a2 61 62 02 19 0100 01"))
	expectReject(t, envelopeFor(t, lengthFirst), nil, ErrNotDeterministic)
}

func TestRejectTrailingBytes(t *testing.T) {
	// After the envelope.
	expectReject(t, cat(minimalEnvelope(t), hx("00")), nil, ErrMalformed)
	// Inside the bstr-wrapped shared sequence.
	shared := cat(minimalShared, hx("00"))
	de := expectReject(t, envelopeFor(t, manifestWith(commonWith(shared), 0)), nil, ErrMalformed)
	if de.Path != "envelope/manifest/common/shared-sequence" {
		t.Errorf("path %q", de.Path)
	}
	// Inside the manifest bstr.
	m := cat(manifestWith(commonWith(minimalShared), 0), hx("f6"))
	expectReject(t, envelopeFor(t, m), nil, ErrMalformed)
}

// nestedRunSequence returns a sequence with n nested run-sequence layers
// around [vendor-identifier, 15].
func nestedRunSequence(n int) []byte {
	s := minimalShared
	for i := 0; i < n; i++ {
		s = cat(hx("82 18 20"), bs(s))
	}
	return s
}

func TestRejectDeepNestingAcrossBstrLayers(t *testing.T) {
	// Each bstr layer holds only a 2-element array, so no single CBOR item
	// is deep; the depth adds up across layers. Sequence nesting is allowed
	// up to 64 here so that MaxDepth is what stops it.
	lim := &Limits{MaxSequenceDepth: 64, MaxDepth: 20}
	ok := envelopeFor(t, manifestWith(commonWith(nestedRunSequence(3)), 0))
	if _, err := Decode(ok, lim); err != nil {
		t.Fatalf("3 layers rejected: %v", err)
	}
	deep := envelopeFor(t, manifestWith(commonWith(nestedRunSequence(12)), 0))
	de := expectReject(t, deep, lim, ErrLimit)
	if de.Offset <= 0 || de.Offset >= len(deep) {
		t.Errorf("offset %d outside the input", de.Offset)
	}
	// Defaults reject a very deep stack quickly, at the sequence depth.
	expectReject(t, envelopeFor(t, manifestWith(commonWith(nestedRunSequence(1000)), 0)), nil, ErrLimit)
}

func TestRejectTryEachNestingBeyondSequenceDepth(t *testing.T) {
	s := minimalShared
	for i := 0; i < DefaultMaxSequenceDepth; i++ {
		s = cat(hx("82 0f 82"), bs(s), bs(s))
	}
	expectReject(t, envelopeFor(t, manifestWith(commonWith(s), 0)), nil, ErrLimit)
}

func TestRejectOversizedDeclaredLength(t *testing.T) {
	for name, item := range map[string]string{
		"bstr 4 GiB":      "5b 00 00 00 01 00 00 00 00",
		"array 2^40":      "9b 00 00 01 00 00 00 00 00",
		"map 2^32":        "bb 00 00 00 01 00 00 00 00",
		"tstr beyond end": "78 ff 61",
		"array 1000":      "99 03 e8 01",
	} {
		t.Run(name, func(t *testing.T) {
			m := manifestWith(commonWith(minimalShared), 1, hx("18 63"), hx(item))
			env := envelopeFor(t, m)
			var err error
			allocs := testing.AllocsPerRun(10, func() { _, err = Decode(env, nil) })
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrLimit) {
				t.Fatalf("error %v", err)
			}
			if allocs > 60 {
				t.Errorf("%v allocations for a rejected declared length", allocs)
			}
		})
	}
	// An envelope whose top-level map declares 2^32 pairs.
	expectReject(t, hx("d8 6b ba 00 01 00 00"), nil, ErrLimit)
}

func TestRejectEnvelopeOverSizeLimit(t *testing.T) {
	env := minimalEnvelope(t)
	expectReject(t, env, &Limits{MaxEnvelopeSize: len(env) - 1}, ErrLimit)
	if _, err := Decode(env, &Limits{MaxEnvelopeSize: len(env)}); err != nil {
		t.Fatal(err)
	}
}

func TestRejectManifestVersion2(t *testing.T) {
	m := cat(hx("a3 01 02 02 00 03"), bs(commonWith(minimalShared)))
	de := expectReject(t, envelopeFor(t, m), nil, ErrUnsupported)
	if de.Path != "envelope/manifest/manifest-version" {
		t.Errorf("path %q", de.Path)
	}
}

func TestRejectNegativeSequenceNumber(t *testing.T) {
	m := cat(hx("a3 01 01 02 20 03"), bs(commonWith(minimalShared)))
	expectReject(t, envelopeFor(t, m), nil, ErrMalformed)
}

func TestRejectMissingManifestMembers(t *testing.T) {
	expectReject(t, envelopeFor(t, hx("a2 01 01 02 00")), nil, ErrMalformed) // no common
	m := manifestWith(commonWith(minimalShared), 0)
	expectReject(t, cat(hx("a1 03"), bs(m)), nil, ErrMalformed) // no auth wrapper
	auth := cat(hx("81"), bs(hx("82 2f 58 20"+"00000000000000000000000000000000"+"00000000000000000000000000000000")))
	expectReject(t, cat(hx("a1 02"), bs(auth)), nil, ErrMalformed) // no manifest
}

func TestRejectOddLengthCommandSequence(t *testing.T) {
	shared := hx("83 01 0f 02")
	expectReject(t, envelopeFor(t, manifestWith(commonWith(shared), 0)), nil, ErrMalformed)
	expectReject(t, envelopeFor(t, manifestWith(commonWith(hx("80")), 0)), nil, ErrMalformed)
}

func TestRejectTryEachWithOneAlternative(t *testing.T) {
	shared := cat(hx("82 0f 82"), bs(minimalShared), hx("f6"))
	expectReject(t, envelopeFor(t, manifestWith(commonWith(shared), 0)), nil, ErrMalformed)
	// nil anywhere but last.
	shared = cat(hx("82 0f 83 f6"), bs(minimalShared), bs(minimalShared))
	expectReject(t, envelopeFor(t, manifestWith(commonWith(shared), 0)), nil, ErrMalformed)
	// Two alternatives and a trailing nil are fine.
	shared = cat(hx("82 0f 83"), bs(minimalShared), bs(minimalShared), hx("f6"))
	e, err := Decode(envelopeFor(t, manifestWith(commonWith(shared), 0)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c := e.Manifest.Common.SharedSequence.Commands[0]; len(c.TryEach) != 2 || !c.TryEachNil {
		t.Fatalf("try-each %+v", c)
	}
}

func TestRejectFloatAndUndefined(t *testing.T) {
	for name, item := range map[string]string{
		"half": "f9 3c 00", "single": "fa 3f 80 00 00", "double": "fb 3f f0 00 00 00 00 00 00",
		"undefined": "f7", "simple": "f0", "simple8": "f8 20",
	} {
		t.Run(name, func(t *testing.T) {
			m := manifestWith(commonWith(minimalShared), 1, hx("18 63"), hx(item))
			expectReject(t, envelopeFor(t, m), nil, ErrMalformed)
		})
	}
}

func TestRejectInvalidUTF8(t *testing.T) {
	m := manifestWith(commonWith(minimalShared), 1, hx("04"), hx("62 c3 28"))
	expectReject(t, envelopeFor(t, m), nil, ErrMalformed)
}

func TestRejectBignumTag(t *testing.T) {
	m := manifestWith(commonWith(minimalShared), 1, hx("18 63"), hx("c2 41 01"))
	expectReject(t, envelopeFor(t, m), nil, ErrMalformed)
}

func TestRejectUnexpectedEnvelopeTag(t *testing.T) {
	env := minimalEnvelope(t)
	env[1] = 0x6c // tag 108
	expectReject(t, env, nil, ErrMalformed)
}

func TestRejectCustomCommandInSharedSequence(t *testing.T) {
	// -257 (apply-delta) and fetch are directives with side effects.
	for _, cmd := range []string{"39 0100 02", "15 02"} {
		shared := seqOf(4, hx("01 0f"), hx(cmd))
		expectReject(t, envelopeFor(t, manifestWith(commonWith(shared), 0)), nil, ErrMalformed)
	}
	// In install they are fine.
	install := seqOf(4, hx("39 0100 02"), hx("15 02"))
	m := manifestWith(commonWith(minimalShared), 1, hx("14"), bs(install))
	e, err := Decode(envelopeFor(t, m), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := e.Manifest.Install.Sequence.Commands[0]
	if c.ID != DirectiveApplyDelta || c.ReportingPolicy != 2 || CommandName(c.ID) != "suitkit-directive-apply-delta" {
		t.Fatalf("apply-delta %+v", c)
	}
}

func TestRejectWrongParameterType(t *testing.T) {
	for name, params := range map[string]string{
		"image-size as tstr":      "a1 0e 61 31",
		"uri as bstr":             "a1 15 41 00",
		"strict-order as int":     "a1 0c 01",
		"digest not bstr-wrapped": "a1 03 82 2f 41 00",
		"digest wrong length":     "a1 03 45 82 2f 42 00 00",
		"custom param as array":   "a1 20 80",
		"vendor-id wrong tag":     "a1 01 d8 71 41 00",
	} {
		t.Run(name, func(t *testing.T) {
			shared := seqOf(2, cat(hx("14"), hx(params)))
			expectReject(t, envelopeFor(t, manifestWith(commonWith(shared), 0)), nil, ErrMalformed)
		})
	}
}

func TestRejectTooManyComponents(t *testing.T) {
	var w writer
	w.head(cbor.Array, 3)
	for i := 0; i < 3; i++ {
		w.componentID(ComponentID{{byte(i)}})
	}
	common := cat(hx("a2 02"), w.b, hx("04"), bs(minimalShared))
	env := envelopeFor(t, manifestWith(common, 0))
	expectReject(t, env, &Limits{MaxComponents: 2}, ErrLimit)
	if _, err := Decode(env, &Limits{MaxComponents: 3}); err != nil {
		t.Fatal(err)
	}
}

func TestRejectTooManyCommands(t *testing.T) {
	shared := seqOf(6, hx("01 0f"), hx("02 0f"), hx("01 0f"))
	env := envelopeFor(t, manifestWith(commonWith(shared), 0))
	expectReject(t, env, &Limits{MaxCommands: 2}, ErrLimit)
}

func TestRejectUntaggedAuthenticationBlock(t *testing.T) {
	m := manifestWith(commonWith(minimalShared), 0)
	d, _ := ComputeDigest(AlgSHA256, bs(m))
	db, _ := d.Encode()
	for name, block := range map[string]string{
		"untagged":  "84 40 a0 f6 40",
		"tag 96":    "d8 60 84 40 a0 f6 40",
		"not array": "d2 a0",
	} {
		t.Run(name, func(t *testing.T) {
			auth := cat(hx("82"), bs(db), bs(hx(block)))
			env := cat(hx("a2 02"), bs(auth), hx("03"), bs(m))
			expectReject(t, env, nil, ErrMalformed)
		})
	}
}

func TestRejectTamperedSeveredElement(t *testing.T) {
	in := testshared.Conformance(t, "example-2.suit")
	e, err := Parse(in, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Flip one byte inside the severed text (envelope key 23).
	text := e.Severed[EnvelopeText]
	off := offsetIn(in, text)
	bad := append([]byte{}, in...)
	bad[off+len(text)-1] ^= 1
	de := expectReject(t, bad, nil, ErrDigestMismatch)
	if de.Path != "envelope/text" {
		t.Errorf("path %q", de.Path)
	}
	// Parse alone does not look at severed content, so it still accepts.
	if _, err := Parse(bad, nil); err != nil {
		t.Fatalf("Parse: %v", err)
	}
}

func TestRejectSeveredElementTheManifestKeepsInline(t *testing.T) {
	install := seqOf(2, hx("15 02"))
	m := manifestWith(commonWith(minimalShared), 1, hx("14"), bs(install))
	env := envelopeFor(t, m)
	// Add an envelope key 20 carrying the same sequence: ambiguous, refused.
	env = cat(hx("d8 6b a3"), env[3:], hx("14"), bs(install))
	expectReject(t, env, nil, ErrMalformed)
}

func TestDecodeErrorSaysWhere(t *testing.T) {
	// The fourth command of the shared sequence has a tstr reporting policy.
	shared := seqOf(8, hx("01 0f"), hx("02 0f"), hx("03 0f"), hx("05 61 78"))
	env := envelopeFor(t, manifestWith(commonWith(shared), 0))
	de := expectReject(t, env, nil, ErrMalformed)
	if de.Path != "envelope/manifest/common/shared-sequence[3]/condition-component-slot" {
		t.Errorf("path %q", de.Path)
	}
	if env[de.Offset] != 0x61 {
		t.Errorf("offset %d points at %02x, want the tstr head 61", de.Offset, env[de.Offset])
	}
}

func TestRejectTextForUnlistedComponent(t *testing.T) {
	// Inline text naming component [h'01'] while common lists only [h'00'].
	text := hx("a1 65 656e2d5553 a1 81 41 01 a1 03 61 78")
	m := manifestWith(commonWith(minimalShared), 1, hx("17"), bs(text))
	expectReject(t, envelopeFor(t, m), nil, ErrMalformed)
	ok := hx("a1 65 656e2d5553 a1 81 41 00 a1 03 61 78")
	if _, err := Decode(envelopeFor(t, manifestWith(commonWith(minimalShared), 1, hx("17"), bs(ok))), nil); err != nil {
		t.Fatal(err)
	}
}

func TestRejectSeveredDigestWithUnknownAlgorithm(t *testing.T) {
	content := seqOf(2, hx("15 02"))
	// install: [99, h'00..00'] in the manifest; the envelope carries key 20.
	dg := cat(hx("82 18 63 58 20"), make([]byte, 32))
	m := manifestWith(commonWith(minimalShared), 1, hx("14"), dg)
	env := envelopeFor(t, m)
	env = cat(hx("d8 6b a3"), env[3:], hx("14"), bs(content))
	expectReject(t, env, nil, ErrUnsupported)
	// Without the severed content it decodes (the digest is only kept).
	if _, err := Decode(envelopeFor(t, m), nil); err != nil {
		t.Fatal(err)
	}
}

func TestParseLeavesManifestForAfterVerification(t *testing.T) {
	// A manifest bstr holding non-deterministic CBOR: Parse (before the
	// signature check) does not interpret it; DecodeManifest rejects it.
	bad := cat(hx("a3 02 00 01 01 03"), bs(commonWith(minimalShared)))
	e, err := Parse(envelopeFor(t, bad), nil)
	if err != nil {
		t.Fatalf("Parse interpreted the manifest: %v", err)
	}
	m, err := e.DecodeManifest(nil)
	if !errors.Is(err, ErrNotDeterministic) || m != nil || e.Manifest != nil {
		t.Fatalf("DecodeManifest: %v", err)
	}
}
