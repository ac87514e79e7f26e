package process_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// goldenPattern reproduces the images the repository's testdata envelopes
// were built for (suit/golden_test.go).
func goldenPattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7)
	}
	return b
}

type uriFetcher map[string][]byte

func (f uriFetcher) Fetch(_ context.Context, uri string, _ int64) (io.ReadCloser, error) {
	b, ok := f[uri]
	if !ok {
		return nil, os.ErrNotExist
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// TestGoldenEnvelopesInstallEndToEnd signs each envelope the project's
// builder produced in testdata/ and installs it on an in-memory device
// that serves the images by URI: single image, three components,
// integrated payload, severed install and text, and a try-each selecting
// the image by slot (for both slots).
func TestGoldenEnvelopesInstallEndToEnd(t *testing.T) {
	dir := filepath.Join("..", "testdata")
	vendor := suit.NewUUID5(suit.NamespaceDNS, []byte("suitkit.example"))
	class := suit.NewUUID5(vendor, []byte("golden-board"))
	const base = "https://updates.suitkit.example/"
	fetch := uriFetcher{
		base + "fw-1.bin": goldenPattern(1024, 1), base + "boot.bin": goldenPattern(300, 2),
		base + "app.bin": goldenPattern(700, 3), base + "radio.bin": goldenPattern(200, 4),
		base + "fw-4.bin": goldenPattern(512, 6), base + "slot-a.bin": goldenPattern(512, 7),
		base + "slot-b.bin": goldenPattern(768, 8),
	}
	cases := []struct {
		file string
		slot uint64
		want map[string][]byte // component (joined) -> image
	}{
		{"single-image.suit", 0, map[string][]byte{"\x00": goldenPattern(1024, 1)}},
		{"multi-component.suit", 0, map[string][]byte{"boot": goldenPattern(300, 2), "appmain": goldenPattern(700, 3), "radio": goldenPattern(200, 4)}},
		{"integrated-payload.suit", 0, map[string][]byte{"\x00": goldenPattern(256, 5)}},
		{"severed-text.suit", 0, map[string][]byte{"\x00": goldenPattern(512, 6)}},
		{"try-each.suit", 0, map[string][]byte{"\x00": goldenPattern(512, 7)}},
		{"try-each.suit", 1, map[string][]byte{"\x00": goldenPattern(768, 8)}},
	}
	key, _ := keys.GenerateKey(keys.Ed25519)
	signer, _ := sign.ForKey(key, keys.Ed25519)
	anchor, _ := verify.NewKey(key.Public, nil)
	for _, c := range cases {
		data, err := os.ReadFile(filepath.Join(dir, c.file))
		if err != nil {
			t.Skipf("testdata not available: %v", err)
		}
		signed, err := sign.SignBytes(data, signer)
		if err != nil {
			t.Fatalf("%s: sign: %v", c.file, err)
		}
		st := &process.MemoryStorage{}
		st.SetSlot([][]byte{{0x00}}, c.slot)
		proc, _ := process.New(process.Platform{
			Identity: process.Identity{VendorID: vendor.Bytes(), ClassID: class.Bytes()},
			Storage:  st, Fetcher: fetch, Invoker: &recordingInvoker{},
		}, nil)
		ver, _ := verify.New([]*verify.Key{anchor}, &verify.Options{Store: verify.NewMemoryStore()})
		rep, err := proc.Install(context.Background(), ver, signed)
		if err != nil {
			t.Errorf("%s (slot %d): %v\n%s", c.file, c.slot, err, rep)
			continue
		}
		for comp, want := range c.want {
			var id [][]byte
			switch comp {
			case "appmain":
				id = [][]byte{[]byte("app"), []byte("main")}
			default:
				id = [][]byte{[]byte(comp)}
			}
			if got, _ := st.Get(id); !bytes.Equal(got, want) {
				t.Errorf("%s: component %q not installed", c.file, comp)
			}
		}
	}
}
