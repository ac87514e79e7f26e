package build

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/suit"
)

func testVendorClass() (suit.UUID, suit.UUID) {
	v := suit.NewUUID5(suit.NamespaceDNS, []byte("example.com"))
	return v, suit.NewUUID5(v, []byte("board-a"))
}

func TestBuilderMultiComponentSequencesStartWithSetComponentIndex(t *testing.T) {
	v, c := testVendorClass()
	b := New(3)
	for i, name := range []string{"boot", "app"} {
		err := b.AddImage(Image{Component: suit.ComponentID{[]byte(name)}, VendorID: v, ClassID: c,
			Data: bytes.Repeat([]byte{byte(i + 1)}, 100*(i+1)), URI: "https://example.com/" + name, Invoke: i == 0})
		if err != nil {
			t.Fatal(err)
		}
	}
	env, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	m := env.Manifest
	if len(m.Common.Components) != 2 {
		t.Fatalf("components = %v", m.Common.Components)
	}
	seqs := map[string]*suit.CommandSequence{"shared": m.Common.SharedSequence, "install": m.Install.Sequence,
		"validate": m.Validate, "invoke": m.Invoke}
	for name, s := range seqs {
		if s == nil || len(s.Commands) == 0 {
			t.Fatalf("%s sequence missing", name)
		}
		if s.Commands[0].ID != suit.DirectiveSetComponentIndex {
			t.Errorf("%s does not start with set-component-index: %d", name, s.Commands[0].ID)
		}
	}
	// The install sequence fetches each component after selecting it.
	var selected []uint64
	for _, cmd := range m.Install.Sequence.Commands {
		if cmd.ID == suit.DirectiveSetComponentIndex {
			selected = append(selected, cmd.Index.Index)
		}
	}
	if len(selected) != 2 || selected[0] != 0 || selected[1] != 1 {
		t.Errorf("install selects %v", selected)
	}
	// The vendor and class parameters are checked.
	if p, ok := m.SharedParameter(1, suit.ParamVendorIdentifier); !ok || !bytes.Equal(mustBytes(t, p), v[:]) {
		t.Errorf("vendor id of component 1 not set")
	}
	if p, ok := m.SharedParameter(1, suit.ParamImageSize); !ok || mustUint(t, p) != 200 {
		t.Errorf("image size of component 1 not 200")
	}
}

func mustBytes(t *testing.T, p suit.Parameter) []byte {
	t.Helper()
	b, err := p.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustUint(t *testing.T, p suit.Parameter) uint64 {
	t.Helper()
	v, err := p.Uint()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestBuilderSingleImageHasNoSetComponentIndex(t *testing.T) {
	v, c := testVendorClass()
	b := New(1)
	if err := b.AddImage(Image{VendorID: v, ClassID: c, Data: []byte("fw"), URI: "coap://x/fw"}); err != nil {
		t.Fatal(err)
	}
	env, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range env.Manifest.Common.SharedSequence.Commands {
		if cmd.ID == suit.DirectiveSetComponentIndex {
			t.Fatal("single-component manifest selects a component")
		}
	}
	if got := env.Manifest.Common.Components[0]; !got.Equal(suit.ComponentID{{0}}) {
		t.Errorf("default component id = %s", got)
	}
	if env.Authentication == nil || len(env.Authentication.Blocks) != 0 {
		t.Fatalf("want an unsigned wrapper with just the digest")
	}
	if !env.Authentication.Digest.Matches(suit.BstrItem(env.ManifestBytes)) {
		t.Fatal("authentication digest does not match the manifest bstr")
	}
}

func TestBuilderIntegratedPayloadAndSeveredElements(t *testing.T) {
	v, c := testVendorClass()
	fw := bytes.Repeat([]byte("X"), 1000)
	b := New(9)
	b.SeverInstall, b.SeverText = true, true
	b.Description = "integrated and severed"
	if err := b.AddImage(Image{VendorID: v, ClassID: c, Data: fw, Integrated: "#fw.bin",
		Text: map[int64]string{suit.TextVendorDomain: "example.com"}}); err != nil {
		t.Fatal(err)
	}
	env, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(env.Integrated["#fw.bin"], fw) {
		t.Fatal("integrated payload missing")
	}
	if !env.Manifest.Install.Severed() || !env.Manifest.Text.Severed() {
		t.Fatal("install and text are not severed")
	}
	if !env.Manifest.Install.Digest.Matches(suit.BstrItem(env.Severed[suit.EnvelopeInstall])) {
		t.Fatal("severed install digest mismatch")
	}
	if !env.Manifest.Text.Digest.Matches(suit.BstrItem(env.Severed[suit.EnvelopeText])) {
		t.Fatal("severed text digest mismatch")
	}
	// The image digest the manifest sets is the digest of the payload.
	p, ok := env.Manifest.SharedParameter(0, suit.ParamImageDigest)
	if !ok {
		t.Fatal("no image digest")
	}
	d, err := p.Digest()
	if err != nil || !d.Matches(fw) {
		t.Fatalf("image digest does not match the payload: %v", err)
	}
}

func TestBuilderIsDeterministic(t *testing.T) {
	build := func() []byte {
		v, c := testVendorClass()
		b := New(5)
		b.Description = "same"
		for i := 0; i < 3; i++ {
			if err := b.AddImage(Image{VendorID: v, ClassID: c, Data: []byte{byte(i)}, Integrated: "#p" + string(rune('a'+i)),
				Text: map[int64]string{suit.TextModelName: "m", suit.TextVendorName: "v"}}); err != nil {
				t.Fatal(err)
			}
		}
		out, err := b.BuildBytes()
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a := build()
	for i := 0; i < 5; i++ {
		if !bytes.Equal(build(), a) {
			t.Fatal("two builds differ")
		}
	}
	env, err := suit.Decode(a, nil)
	if err != nil {
		t.Fatal(err)
	}
	re, err := env.Encode()
	if err != nil || !bytes.Equal(re, a) {
		t.Fatal("decode/encode does not reproduce the build")
	}
}

func TestBuilderRejectsIncompleteImages(t *testing.T) {
	cases := map[string]Image{
		"no data or digest":       {URI: "x"},
		"integrated without data": {Digest: &suit.Digest{Algorithm: suit.AlgSHA256, Value: make([]byte, 32)}, Integrated: "#a"},
		"integrated without #":    {Data: []byte{1}, Integrated: "a"},
		"uri and integrated":      {Data: []byte{1}, Integrated: "#a", URI: "http://x"},
		"unknown digest alg":      {Data: []byte{1}, DigestAlgorithm: 99},
	}
	for name, img := range cases {
		b := New(0)
		if err := b.AddImage(img); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: AddImage err = %v", name, err)
		}
		if _, err := b.Build(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Build err = %v", name, err)
		}
	}
	b := New(0)
	_ = b.AddImage(Image{Data: []byte{1}})
	if err := b.AddImage(Image{Component: suit.ComponentID{{0}}, Data: []byte{2}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("duplicate component: %v", err)
	}
	if _, err := New(0).Build(); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty builder: %v", err)
	}
}

// The builder's command layout is the draft's: the unsigned examples 0
// (secure boot), 1 (download and install) and 5 (two images) come out byte
// for byte.
func TestBuilderReproducesDraftExamples(t *testing.T) {
	dir := testshared.ConformanceDir(t)
	vendor := suit.NewUUID5(suit.NamespaceDNS, []byte("arm.com"))
	class := suit.NewUUID5(vendor, []byte("suit"))
	digestA, _ := hex.DecodeString("00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210")
	digestB, _ := hex.DecodeString("0123456789abcdeffedcba987654321000112233445566778899aabbccddeeff")
	imgA := Image{VendorID: vendor, ClassID: class, Digest: &suit.Digest{Algorithm: suit.AlgSHA256, Value: digestA}, Size: 34768}
	imgB := Image{Digest: &suit.Digest{Algorithm: suit.AlgSHA256, Value: digestB}, Size: 76834}
	with := func(img Image, f func(*Image)) Image { f(&img); return img }
	cases := []struct {
		file   string
		seq    uint64
		images []Image
	}{
		{"example-0-unsigned.suit", 0, []Image{with(imgA, func(i *Image) { i.Invoke = true; i.ValidateOnly = true })}},
		{"example-1-unsigned.suit", 1, []Image{with(imgA, func(i *Image) { i.URI = "http://example.com/file.bin" })}},
		{"example-5-unsigned.suit", 5, []Image{
			with(imgA, func(i *Image) { i.URI = "http://example.com/file1.bin"; i.Invoke = true }),
			with(imgB, func(i *Image) { i.URI = "http://example.com/file2.bin" }),
		}},
	}
	for _, c := range cases {
		want, err := os.ReadFile(filepath.Join(dir, c.file))
		if err != nil {
			t.Fatal(err)
		}
		b := New(c.seq)
		for _, img := range c.images {
			if err := b.AddImage(img); err != nil {
				t.Fatal(err)
			}
		}
		got, err := b.BuildBytes()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: builder output differs\n got %x\nwant %x", c.file, got, want)
		}
	}
}

// Example 2 (severed install and text, reference URI) from the builder.
func TestBuilderReproducesDraftExample2Severed(t *testing.T) {
	dir := testshared.ConformanceDir(t)
	want, err := os.ReadFile(filepath.Join(dir, "example-2-unsigned.suit"))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := suit.Decode(want, nil)
	if err != nil {
		t.Fatal(err)
	}
	lang := ref.Manifest.Text.Text.Languages[0]
	desc, _ := lang.Lookup(suit.TextManifestDescription)
	vendor := suit.NewUUID5(suit.NamespaceDNS, []byte("arm.com"))
	digest, _ := hex.DecodeString("00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210")
	b := New(2)
	b.ReferenceURI = "https://git.io/JJYoj"
	b.Description = desc
	b.SeverInstall, b.SeverText = true, true
	err = b.AddImage(Image{VendorID: vendor, ClassID: suit.NewUUID5(vendor, []byte("suit")),
		Digest: &suit.Digest{Algorithm: suit.AlgSHA256, Value: digest}, Size: 34768,
		URI: "http://example.com/very/long/path/to/file/file.bin", Invoke: true,
		Text: map[int64]string{
			suit.TextVendorDomain:         "arm.com",
			suit.TextComponentDescription: "This component is a demonstration. The digest is a sample pattern, not a real one.",
		}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.BuildBytes()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("builder output differs from example-2-unsigned\n got %x\nwant %x", got, want)
	}
}

// Example 3 (A/B slots chosen with try-each) from the builder.
func TestBuilderReproducesDraftExample3Slots(t *testing.T) {
	want, err := os.ReadFile(filepath.Join(testshared.ConformanceDir(t), "example-3-unsigned.suit"))
	if err != nil {
		t.Fatal(err)
	}
	vendor := suit.NewUUID5(suit.NamespaceDNS, []byte("arm.com"))
	digestA, _ := hex.DecodeString("00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210")
	digestB, _ := hex.DecodeString("0123456789abcdeffedcba987654321000112233445566778899aabbccddeeff")
	b := New(3)
	err = b.AddImage(Image{VendorID: vendor, ClassID: suit.NewUUID5(vendor, []byte("suit")), Slots: []Slot{
		{Slot: 0, Digest: &suit.Digest{Algorithm: suit.AlgSHA256, Value: digestA}, Size: 34768, URI: "http://example.com/file1.bin"},
		{Slot: 1, Digest: &suit.Digest{Algorithm: suit.AlgSHA256, Value: digestB}, Size: 76834, URI: "http://example.com/file2.bin"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.BuildBytes()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("builder output differs from example-3-unsigned\n got %x\nwant %x", got, want)
	}
}

func TestBuilderRejectsBadSlots(t *testing.T) {
	d := &suit.Digest{Algorithm: suit.AlgSHA256, Value: make([]byte, 32)}
	for name, slots := range map[string][]Slot{
		"one slot":       {{Slot: 0, Digest: d}},
		"duplicate slot": {{Slot: 0, Digest: d}, {Slot: 0, Digest: d}},
		"some URIs":      {{Slot: 0, Digest: d, URI: "x"}, {Slot: 1, Digest: d}},
		"no digest":      {{Slot: 0, Digest: d}, {Slot: 1}},
	} {
		if err := New(0).AddImage(Image{Slots: slots}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

// TestBuilderRefusesImageNothingInstalls: an image with neither URI nor
// Integrated (most often a forgotten URI) is refused with ErrInvalid
// unless ValidateOnly says a validate-only manifest is meant.
func TestBuilderRefusesImageNothingInstalls(t *testing.T) {
	v := suit.NewUUID5(suit.NamespaceDNS, []byte("example.com"))
	img := Image{VendorID: v, ClassID: suit.NewUUID5(v, []byte("c")), Data: []byte("firmware")}
	b := New(1)
	if err := b.AddImage(img); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "ValidateOnly") {
		t.Fatalf("AddImage without URI: %v", err)
	}
	if _, err := b.Build(); !errors.Is(err, ErrInvalid) {
		t.Errorf("Build after the refusal: %v", err)
	}
	img.ValidateOnly = true
	b = New(1)
	if err := b.AddImage(img); err != nil {
		t.Fatal(err)
	}
	env, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	if m := env.Manifest; m.Install != nil || m.Validate == nil {
		t.Errorf("validate-only manifest: install %v, validate %v", m.Install, m.Validate)
	}
}
