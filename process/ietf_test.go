package process_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// mapFetcher serves fixed content for any URI and records the URIs asked.
type mapFetcher struct {
	content []byte
	asked   []string
}

func (f *mapFetcher) Fetch(_ context.Context, uri string, max int64) (io.ReadCloser, error) {
	f.asked = append(f.asked, uri)
	return io.NopCloser(io.LimitReader(bytes.NewReader(f.content), max+1)), nil
}

type ietfDevice struct {
	storage *process.MemoryStorage
	fetcher *mapFetcher
	inv     *recordingInvoker
	proc    *process.Processor
}

func newIETFDevice(t *testing.T, id process.Identity, slot uint64) *ietfDevice {
	t.Helper()
	d := &ietfDevice{storage: &process.MemoryStorage{}, fetcher: &mapFetcher{content: make([]byte, 34768)}, inv: &recordingInvoker{}}
	// Components hold images of the sizes the examples declare; their
	// digests are placeholders, so image-match cannot succeed.
	d.storage.Set([][]byte{{0x00}}, make([]byte, 34768))
	d.storage.Set([][]byte{{0x01}}, make([]byte, 76834))
	d.storage.SetSlot([][]byte{{0x00}}, slot)
	p, err := process.New(process.Platform{Identity: id, Storage: d.storage, Fetcher: d.fetcher, Invoker: d.inv}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.proc = p
	return d
}

func ietfVerifier(t *testing.T, dir string) *verify.Verifier {
	t.Helper()
	pem, err := os.ReadFile(filepath.Join(dir, "public_key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pk, err := keys.ParsePublicKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	k, err := verify.NewKey(pk.Public, nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := verify.New([]*verify.Key{k}, &verify.Options{Store: verify.NewMemoryStore()})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestIETFExamplesProcessed runs the Update procedure of draft examples
// 0-5 on a simulated device with the examples' vendor and class. The
// compatibility checks pass; every image digest is a placeholder, so the
// first image check (validate's image-match, or the digest check of a
// fetched payload) must fail, and nothing may be installed.
func TestIETFExamplesProcessed(t *testing.T) {
	dir := testshared.ConformanceDir(t)
	ver := ietfVerifier(t, dir)
	id := process.Identity{
		VendorID: mustUUID(t, "fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe"),
		ClassID:  mustUUID(t, "1492af14-2569-5e48-bf42-9b2d51f2ab45"),
	}
	cases := []struct {
		file string
		want error
		uris []string
	}{
		{"example-0.suit", process.ErrConditionFailed, nil},
		{"example-1.suit", process.ErrPayloadMismatch, []string{"http://example.com/file.bin"}},
		{"example-2.suit", process.ErrPayloadMismatch, []string{"http://example.com/very/long/path/to/file/file.bin"}},
		{"example-2-severed.suit", process.ErrMissingSequence, nil},
		{"example-3.suit", process.ErrPayloadMismatch, []string{"http://example.com/file1.bin"}},
		{"example-4.suit", process.ErrPayloadMismatch, []string{"http://example.com/file.bin"}},
		{"example-5.suit", process.ErrPayloadMismatch, []string{"http://example.com/file1.bin"}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, c.file))
			if err != nil {
				t.Fatal(err)
			}
			v, err := ver.Verify(data)
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			d := newIETFDevice(t, id, 0)
			before0, _ := d.storage.Get([][]byte{{0x00}})
			rep, err := d.proc.Update(context.Background(), v)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v\n%s", err, c.want, rep)
			}
			if c.want != process.ErrMissingSequence {
				requirePassed(t, rep, suit.ConditionVendorIdentifier, suit.ConditionClassIdentifier)
			}
			if !equalStrings(d.fetcher.asked, c.uris) {
				t.Errorf("fetched %q, want %q", d.fetcher.asked, c.uris)
			}
			if after, _ := d.storage.Get([][]byte{{0x00}}); !bytes.Equal(after, before0) {
				t.Error("component 0 changed")
			}
			if _, err := rep.MarshalCBOR(); err != nil {
				t.Errorf("report CBOR: %v", err)
			}
		})
	}
}

// TestIETFExample3SelectsImageBySlot: the try-each of example 3 picks the
// image by condition component-slot.
func TestIETFExample3SelectsImageBySlot(t *testing.T) {
	dir := testshared.ConformanceDir(t)
	data, err := os.ReadFile(filepath.Join(dir, "example-3.suit"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := ietfVerifier(t, dir).Verify(data)
	if err != nil {
		t.Fatal(err)
	}
	id := process.Identity{VendorID: mustUUID(t, "fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe"), ClassID: mustUUID(t, "1492af14-2569-5e48-bf42-9b2d51f2ab45")}
	d := newIETFDevice(t, id, 1)
	d.fetcher.content = make([]byte, 76834)
	if _, err := d.proc.Update(context.Background(), v); !errors.Is(err, process.ErrPayloadMismatch) {
		t.Fatalf("err = %v", err)
	}
	if !equalStrings(d.fetcher.asked, []string{"http://example.com/file2.bin"}) {
		t.Fatalf("slot 1 fetched %q, want file2.bin", d.fetcher.asked)
	}
}

func TestIETFExamplesWrongDeviceAndInvoke(t *testing.T) {
	dir := testshared.ConformanceDir(t)
	ver := ietfVerifier(t, dir)
	for _, f := range []string{"example-0.suit", "example-2-severed.suit", "example-4.suit"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		v, err := ver.Verify(data)
		if err != nil {
			t.Fatal(err)
		}
		// A device of another vendor stops at the vendor check.
		wrong := newIETFDevice(t, process.Identity{VendorID: make([]byte, 16), ClassID: make([]byte, 16)}, 0)
		_, err = wrong.proc.Invoke(context.Background(), v)
		var ce *process.CommandError
		if !errors.As(err, &ce) || ce.Command != suit.ConditionVendorIdentifier || !errors.Is(err, process.ErrConditionFailed) {
			t.Errorf("%s on a foreign device: %v", f, err)
		}
		// The right device runs validate, whose image-match fails, so
		// nothing is invoked.
		id := process.Identity{VendorID: mustUUID(t, "fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe"), ClassID: mustUUID(t, "1492af14-2569-5e48-bf42-9b2d51f2ab45")}
		right := newIETFDevice(t, id, 0)
		rep, err := right.proc.Invoke(context.Background(), v)
		if !errors.Is(err, process.ErrConditionFailed) || len(right.inv.ids) != 0 {
			t.Errorf("%s invoke: %v, %d invocations\n%s", f, err, len(right.inv.ids), rep)
		}
	}
	// Unsigned examples never reach the processor.
	for _, f := range []string{"example-0-unsigned.suit", "example-1-unsigned.suit", "example-2-severed-unsigned.suit"} {
		data, _ := os.ReadFile(filepath.Join(dir, f))
		d := newIETFDevice(t, process.Identity{}, 0)
		if rep, err := d.proc.Install(context.Background(), ver, data); !errors.Is(err, verify.ErrUnauthenticated) || len(rep.Records) != 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func requirePassed(t *testing.T, rep *process.Report, cmds ...int64) {
	t.Helper()
	for _, c := range cmds {
		ok := false
		for _, r := range rep.Records {
			if r.Command == c && r.Outcome == process.OK {
				ok = true
			}
		}
		if !ok {
			t.Errorf("%s did not pass:\n%s", suit.CommandName(c), rep)
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func mustUUID(t *testing.T, s string) []byte {
	t.Helper()
	u, err := suit.ParseUUID(s)
	if err != nil {
		t.Fatal(err)
	}
	return u.Bytes()
}
