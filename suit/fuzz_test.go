package suit

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
)

// addFuzzSeeds adds the IETF examples (when the shared directory exists),
// the project's own testdata/*.suit envelopes and crafted envelopes that
// reach every command kind.
func addFuzzSeeds(f *testing.F) {
	for _, p := range testshared.FindConformanceFiles() {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	if files, _ := filepath.Glob(filepath.Join("..", "testdata", "*.suit")); len(files) > 0 {
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	if mb, err := fullManifest(f).Encode(); err == nil {
		f.Add(envelopeFor(f, mb))
	}
	f.Add(minimalEnvelope(f))
	f.Add(cat(hx("d9 04 2e"), manifestWith(commonWith(minimalShared), 0)))
}

// FuzzDecodeEnvelope checks, for any input: no panic; an error comes with a
// nil envelope and matches a sentinel through a *DecodeError; an accepted
// input re-encodes to exactly itself (strict decoding accepts only
// canonical input), its manifest re-encodes to the received manifest bytes,
// and decoding the re-encoding gives the same result again. Decoding with
// tight limits must obey the same rules.
func FuzzDecodeEnvelope(f *testing.F) {
	addFuzzSeeds(f)
	tight := &Limits{MaxDepth: 12, MaxSequenceDepth: 3, MaxElements: 16, MaxComponents: 2,
		MaxCommands: 4, MaxAuthBlocks: 1, MaxIntegrated: 1, MaxManifestSize: 512}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, lim := range []*Limits{nil, tight} {
			e, err := Decode(data, lim)
			if err != nil {
				if e != nil {
					t.Fatal("error with non-nil envelope")
				}
				var de *DecodeError
				if !errors.As(err, &de) {
					t.Fatalf("error %T is not a *DecodeError: %v", err, err)
				}
				if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrNotDeterministic) && !errors.Is(err, ErrLimit) &&
					!errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrDigestMismatch) && !errors.Is(err, ErrMissing) {
					t.Fatalf("error matches no sentinel: %v", err)
				}
				if de.Offset < 0 || de.Offset > len(data) {
					t.Fatalf("offset %d outside the input of %d bytes", de.Offset, len(data))
				}
				if p, perr := Parse(data, lim); perr != nil && p != nil {
					t.Fatal("Parse error with non-nil envelope")
				}
				continue
			}
			out, err := e.Encode()
			if err != nil {
				t.Fatalf("accepted input does not re-encode: %v", err)
			}
			if !bytes.Equal(out, data) {
				t.Fatalf("re-encoding differs:\n in  %x\n out %x", data, out)
			}
			mb, err := e.Manifest.Encode()
			if err != nil || !bytes.Equal(mb, e.ManifestBytes) {
				t.Fatalf("manifest re-encoding differs (%v)", err)
			}
			e2, err := Decode(out, lim)
			if err != nil {
				t.Fatalf("re-decoding failed: %v", err)
			}
			out2, err := e2.Encode()
			if err != nil || !bytes.Equal(out2, out) {
				t.Fatalf("second round trip differs (%v)", err)
			}
		}
	})
}

// FuzzDecodeManifest fuzzes the manifest decoder directly (without the
// envelope shell, so mutations reach commands and parameters more often):
// no panic, error => nil manifest, and an accepted manifest re-encodes to
// exactly the input.
func FuzzDecodeManifest(f *testing.F) {
	for _, p := range testshared.FindConformanceFiles() {
		if b, err := os.ReadFile(p); err == nil {
			if e, err := Parse(b, nil); err == nil {
				f.Add(e.ManifestBytes)
			}
		}
	}
	if mb, err := fullManifest(f).Encode(); err == nil {
		f.Add(mb)
	}
	f.Add(manifestWith(commonWith(nestedRunSequence(3)), 0))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeManifestBytes(data, nil)
		if err != nil {
			if m != nil {
				t.Fatal("error with non-nil manifest")
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %T is not a *DecodeError", err)
			}
			return
		}
		out, err := m.Encode()
		if err != nil {
			t.Fatalf("accepted manifest does not re-encode: %v", err)
		}
		if !bytes.Equal(out, data) {
			t.Fatalf("re-encoding differs:\n in  %x\n out %x", data, out)
		}
	})
}

// FuzzSeverStripAttach: for any envelope that decodes, severing everything
// gives an envelope that decodes with matching digests, and stripping then
// re-attaching its elements restores it byte for byte.
func FuzzSeverStripAttach(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		env, err := Decode(bytes.Clone(data), nil)
		if err != nil {
			return
		}
		done, err := Sever(env, &SeverOptions{DropSignatures: true})
		if err != nil {
			if !errors.Is(err, ErrEnvelope) && !errors.Is(err, ErrElement) {
				t.Fatalf("untyped sever error: %v", err)
			}
			return
		}
		severed, err := env.Encode()
		if err != nil {
			t.Fatalf("severed envelope does not encode: %v", err)
		}
		full, err := Decode(bytes.Clone(severed), nil)
		if err != nil {
			t.Fatalf("severed envelope does not decode: %v", err)
		}
		if done == nil && !bytes.Equal(severed, data) {
			t.Fatal("a no-op sever changed the envelope")
		}
		if done != nil && !full.Authentication.Digest.Matches(BstrItem(full.ManifestBytes)) {
			t.Fatal("manifest digest not updated")
		}
		stripped, _ := Decode(bytes.Clone(severed), nil)
		Strip(stripped)
		if _, err := AttachFrom(stripped, full); err != nil {
			t.Fatalf("re-attach: %v", err)
		}
		again, err := stripped.Encode()
		if err != nil || !bytes.Equal(again, severed) {
			t.Fatalf("strip + attach does not restore the envelope: %v", err)
		}
	})
}
