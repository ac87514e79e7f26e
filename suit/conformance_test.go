package suit

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
)

// manifestDigests are the SUIT_Digests of the IETF examples (from the
// conformance README).
var manifestDigests = map[string]string{
	"0": "6658ea560262696dd1f13b782239a064da7c6c5cbaf52fded428a6fc83c7e5af",
	"1": "1f2e7acca0dc2786f2fe4eb947f50873a6a3cfaa98866c5b02e621f42074daf2",
	"2": "6a5197ed8f9dccf733d1c89a359441708e070b4c6dcb9a1c2c82c6165f609b90",
	"3": "f6d44a62ec906b392500c242e78e908e9cc5057f3f04104a06a8566200da2ee0",
	"4": "5b5f6586b1e6cdf19ee479a5adabf206581000bd584b0832a9bdaf4f72cdbdd6",
	"5": "15ce60f77657e4531dc329155f8b0ed78f94bdc6d165b2665473693dcc34f470",
}

func TestIETFExamplesRoundTripByteExact(t *testing.T) {
	for _, name := range ietfFiles {
		t.Run(name, func(t *testing.T) {
			in := testshared.Conformance(t, name)
			e, err := Decode(in, nil)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			out, err := e.Encode()
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if !bytes.Equal(in, out) {
				t.Fatalf("re-encoding differs:\n in  %x\n out %x", in, out)
			}
			// Re-encoding the manifest from the model also reproduces it.
			mb, err := e.Manifest.Encode()
			if err != nil {
				t.Fatalf("Manifest.Encode: %v", err)
			}
			if !bytes.Equal(mb, e.ManifestBytes) {
				t.Fatalf("manifest re-encoding differs:\n in  %x\n out %x", e.ManifestBytes, mb)
			}
			// And the envelope rebuilt from the decoded manifest, not the
			// received bytes, is identical too.
			e2 := *e
			e2.ManifestBytes = nil
			out2, err := e2.Encode()
			if err != nil || !bytes.Equal(out2, in) {
				t.Fatalf("envelope from model differs (err %v)", err)
			}
		})
	}
}

func TestIETFManifestDigestMatchesAuthWrapper(t *testing.T) {
	for _, name := range ietfFiles {
		t.Run(name, func(t *testing.T) {
			e, err := Parse(testshared.Conformance(t, name), nil)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got, err := ComputeDigest(AlgSHA256, BstrItem(e.ManifestBytes))
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(e.Authentication.Digest) {
				t.Fatalf("recomputed %x, wrapper holds %x", got.Value, e.Authentication.Digest.Value)
			}
			if !e.Authentication.Digest.Matches(BstrItem(e.ManifestBytes)) {
				t.Fatal("Matches is false for the received manifest bstr")
			}
			// Hashing only the content must not match (threats.md fact 1).
			if e.Authentication.Digest.Matches(e.ManifestBytes) {
				t.Fatal("digest matched the bstr content without its head")
			}
			num := strings.TrimPrefix(name, "example-")[:1]
			if want := manifestDigests[num]; hex.EncodeToString(got.Value) != want {
				t.Fatalf("digest %x, README says %s", got.Value, want)
			}
			signed := !strings.Contains(name, "unsigned")
			if signed != (len(e.Authentication.Blocks) == 1) {
				t.Fatalf("%d auth blocks, signed=%v", len(e.Authentication.Blocks), signed)
			}
		})
	}
}

func TestIETFExample2SeveredDigests(t *testing.T) {
	e, err := Decode(testshared.Conformance(t, "example-2.suit"), nil)
	if err != nil {
		t.Fatal(err)
	}
	m := e.Manifest
	if !m.Install.Severed() || !m.Text.Severed() {
		t.Fatal("install and text should be severed in the manifest")
	}
	for key, want := range map[int64]string{
		EnvelopeInstall: "cfa90c5c58595e7f5119a72f803fd0370b3e6abbec6315cd38f63135281bc498",
		EnvelopeText:    "302196d452bce5e8bfeaf71e395645ede6d365e63507a081379721eeecf00007",
	} {
		d, _ := ComputeDigest(AlgSHA256, BstrItem(e.Severed[key]))
		if hex.EncodeToString(d.Value) != want {
			t.Errorf("key %d: digest %x, want %s", key, d.Value, want)
		}
	}
	if hex.EncodeToString(m.Install.Digest.Value) != "cfa90c5c58595e7f5119a72f803fd0370b3e6abbec6315cd38f63135281bc498" {
		t.Error("manifest install digest differs from README")
	}
	// The resolved install sequence: override uri, fetch, image-match.
	if m.Install.Sequence == nil || len(m.Install.Sequence.Commands) != 3 {
		t.Fatalf("install not resolved: %+v", m.Install.Sequence)
	}
	uri, _ := m.Install.Sequence.Commands[0].Params.Get(ParamURI)
	if s, _ := uri.Text(); s != "http://example.com/very/long/path/to/file/file.bin" {
		t.Errorf("install uri %q", s)
	}
	txt := m.Text.Text
	if txt == nil || len(txt.Languages) != 1 || txt.Languages[0].Tag != "en-US" {
		t.Fatalf("text not resolved: %+v", txt)
	}
	dom, ok := txt.Languages[0].ComponentLookup(ComponentID{{0x00}}, TextVendorDomain)
	if !ok || dom != "arm.com" {
		t.Errorf("vendor-domain %q", dom)
	}
}

func TestIETFSeveringExample2GivesSeveredFile(t *testing.T) {
	e, err := Parse(testshared.Conformance(t, "example-2.suit"), nil)
	if err != nil {
		t.Fatal(err)
	}
	delete(e.Severed, EnvelopeInstall)
	delete(e.Severed, EnvelopeText)
	out, err := e.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if want := testshared.Conformance(t, "example-2-severed.suit"); !bytes.Equal(out, want) {
		t.Fatalf("severed re-encoding differs:\n got  %x\n want %x", out, want)
	}
	// The severed envelope decodes with install absent but its digest kept.
	e2, err := Decode(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !e2.Manifest.Install.Severed() || e2.Manifest.Install.Sequence != nil {
		t.Fatal("severed install should carry only its digest")
	}
}

func TestIETFExampleContents(t *testing.T) {
	e, err := Decode(testshared.Conformance(t, "example-3.suit"), nil)
	if err != nil {
		t.Fatal(err)
	}
	m := e.Manifest
	if m.SequenceNumber != 3 || len(m.Common.Components) != 1 || !m.Common.Components[0].Equal(ComponentID{{0}}) {
		t.Fatalf("unexpected manifest %+v", m)
	}
	shared := m.Common.SharedSequence.Commands
	if len(shared) != 4 || shared[1].ID != DirectiveTryEach || len(shared[1].TryEach) != 2 {
		t.Fatalf("shared sequence %+v", shared)
	}
	alt := shared[1].TryEach[1].Commands
	p, _ := alt[2].Params.Get(ParamImageSize)
	if n, err := p.Uint(); err != nil || n != 76834 {
		t.Fatalf("image size %d %v", n, err)
	}
	p, _ = alt[2].Params.Get(ParamImageDigest)
	if d, err := p.Digest(); err != nil || d.Algorithm != AlgSHA256 || len(d.Value) != 32 {
		t.Fatalf("image digest %+v %v", d, err)
	}
	vid, ok := m.SharedParameter(0, ParamVendorIdentifier)
	if u, err := vid.UUID(); !ok || err != nil || hex.EncodeToString(u[:]) != "fa6b4a53d5ad5fdfbe9de663e4d41ffe" {
		t.Fatalf("vendor id %x %v %v", u, ok, err)
	}

	e4, err := Decode(testshared.Conformance(t, "example-4.suit"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(e4.Manifest.Common.Components); n != 3 {
		t.Fatalf("example 4 has %d components", n)
	}
	first := e4.Manifest.Common.SharedSequence.Commands[0]
	if first.ID != DirectiveSetComponentIndex {
		t.Fatalf("example 4 shared sequence starts with %d", first.ID)
	}
}
