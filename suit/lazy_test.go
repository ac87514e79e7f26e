package suit

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
)

// TestDecodeManifestForRun: on every conformance example and our own
// test envelopes, DecodeManifestForRun accepts and rejects exactly what
// DecodeManifest does, gives the same manifest except that severed text
// and coswid keep only their digests, and Envelope.Text then returns the
// same text DecodeManifest decoded.
func TestDecodeManifestForRun(t *testing.T) {
	files := testshared.ConformanceFiles(t)
	own, _ := filepath.Glob(filepath.Join("..", "testdata", "*.suit"))
	files = append(files, own...)
	lazyText := 0
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			full, err := Parse(data, nil)
			if err != nil {
				t.Skip("not an envelope:", err)
			}
			lazy, _ := Parse(data, nil)
			fm, ferr := full.DecodeManifest(nil)
			lm, lerr := lazy.DecodeManifestForRun(nil)
			if (ferr == nil) != (lerr == nil) {
				t.Fatalf("DecodeManifest: %v; DecodeManifestForRun: %v", ferr, lerr)
			}
			if ferr != nil {
				return
			}
			want := *fm
			if s := full.Severed[ManifestText]; s != nil {
				want.Text = &SeverableText{Digest: fm.Text.Digest}
				lazyText++
			}
			if s := full.Severed[ManifestCoswid]; s != nil {
				want.Coswid = &SeverableBytes{Digest: fm.Coswid.Digest}
			}
			if !reflect.DeepEqual(&want, lm) {
				t.Fatalf("manifests differ:\nfull %+v\nlazy %+v", want, *lm)
			}
			ft, err := full.Text(nil)
			if err != nil {
				t.Fatal(err)
			}
			lt, err := lazy.Text(nil)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ft, lt) {
				t.Fatalf("texts differ:\nfull %+v\nlazy %+v", ft, lt)
			}
			if lm.Text != nil && lm.Text.Text != nil && lt != lm.Text.Text {
				t.Fatal("Text did not return the decoded inline text")
			}
		})
	}
	if lazyText == 0 {
		t.Fatal("no envelope with severed text was tried")
	}
}

// TestLazyTextChecks: a severed text that does not match its digest is
// rejected by DecodeManifestForRun like by DecodeManifest; one that matches
// but is malformed, or names a component common does not list, is accepted
// by DecodeManifestForRun (it is not decoded) and rejected by Envelope.Text
// with the error DecodeManifest gives.
func TestLazyTextChecks(t *testing.T) {
	env, err := Decode(testshared.Conformance(t, "example-2.suit"), nil)
	if err != nil {
		t.Fatal(err)
	}
	text := env.Severed[ManifestText]
	badComponent := &Text{Languages: []TextLanguage{{Tag: "en", Components: []ComponentText{
		{Component: ComponentID{[]byte("nope")}, Entries: []TextEntry{{Key: 1, Value: "x"}}}}}}}
	badEnc, err := badComponent.Encode()
	if err != nil {
		t.Fatal(err)
	}
	withText := func(t *testing.T, content []byte, digestOf []byte) *Envelope {
		t.Helper()
		m := *env.Manifest
		d, err := ComputeDigest(AlgSHA256, BstrItem(digestOf))
		if err != nil {
			t.Fatal(err)
		}
		m.Text = &SeverableText{Digest: &d}
		m.Install = &SeverableSequence{Digest: env.Manifest.Install.Digest}
		mb, err := m.Encode()
		if err != nil {
			t.Fatal(err)
		}
		out := &Envelope{Tagged: true, Authentication: env.Authentication, ManifestBytes: mb,
			Severed: map[int64][]byte{ManifestText: content, ManifestInstall: env.Severed[ManifestInstall]}}
		data, err := out.Encode()
		if err != nil {
			t.Fatal(err)
		}
		p, err := Parse(data, nil)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name            string
		content, digest []byte
		runErr, textErr error
	}{
		{"valid", text, text, nil, nil},
		{"mismatch", text, append([]byte{0xa0}, text...), ErrDigestMismatch, nil},
		{"malformed", []byte{0xa1, 0x61}, []byte{0xa1, 0x61}, nil, ErrMalformed},
		{"unlisted component", badEnc, badEnc, nil, ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			full, lazy := withText(t, c.content, c.digest), withText(t, c.content, c.digest)
			_, ferr := full.DecodeManifest(nil)
			_, lerr := lazy.DecodeManifestForRun(nil)
			if !errors.Is(lerr, c.runErr) || (c.runErr == nil) != (lerr == nil) {
				t.Fatalf("DecodeManifestForRun: %v, want %v", lerr, c.runErr)
			}
			if lerr != nil {
				if !errors.Is(ferr, c.runErr) {
					t.Fatalf("DecodeManifest: %v, want %v", ferr, c.runErr)
				}
				return
			}
			if lazy.Manifest.Install.Sequence == nil {
				t.Fatal("severed install not decoded")
			}
			if lazy.Manifest.Text.Text != nil {
				t.Fatal("severed text decoded")
			}
			tx, terr := lazy.Text(nil)
			if c.textErr == nil {
				if terr != nil || tx == nil || ferr != nil {
					t.Fatalf("Text: %v %v; DecodeManifest: %v", tx, terr, ferr)
				}
				return
			}
			if !errors.Is(terr, c.textErr) || !errors.Is(ferr, c.textErr) {
				t.Fatalf("Text: %v; DecodeManifest: %v; want %v", terr, ferr, c.textErr)
			}
			if lazy.Manifest.Text.Text != nil {
				t.Fatal("Text modified the envelope")
			}
		})
	}
}

// FuzzDecodeManifestForRun: DecodeManifestForRun accepts everything
// DecodeManifest accepts, with the same text (decoded on demand by
// Envelope.Text) and the same command sequences; it rejects nothing
// DecodeManifest accepts; and what only it accepts has a malformed severed
// text (which Envelope.Text then rejects) or a severed coswid, the two
// elements it only hashes.
func FuzzDecodeManifestForRun(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		full, err := Parse(data, nil)
		if err != nil {
			return
		}
		lazy, _ := Parse(data, nil)
		fm, ferr := full.DecodeManifest(nil)
		lm, lerr := lazy.DecodeManifestForRun(nil)
		if lerr != nil {
			if ferr == nil {
				t.Fatalf("DecodeManifestForRun rejects what DecodeManifest accepts: %v", lerr)
			}
			return
		}
		lt, terr := lazy.Text(nil)
		if ferr != nil {
			_, coswid := lazy.Severed[ManifestCoswid]
			if terr == nil && !coswid {
				t.Fatalf("DecodeManifestForRun accepts what DecodeManifest rejects (%v), and the text decodes", ferr)
			}
			return
		}
		if terr != nil {
			t.Fatalf("Text: %v, but DecodeManifest decoded it", terr)
		}
		if !reflect.DeepEqual(lt, textOf(fm)) {
			t.Fatalf("texts differ:\n%+v\n%+v", lt, textOf(fm))
		}
		for _, k := range SeverableKeys() {
			fs, ok := fm.Severable(k).(*SeverableSequence)
			if !ok {
				continue
			}
			ls := lm.Severable(k).(*SeverableSequence)
			if !reflect.DeepEqual(fs.Sequence, ls.Sequence) || !reflect.DeepEqual(fs.Digest, ls.Digest) {
				t.Fatalf("sequence %d differs", k)
			}
		}
	})
}
