package process_test

import (
	"bytes"
	"context"
	"io"
	"runtime"
	"testing"

	"github.com/suitkit/suitkit/encryption"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// discardStorage stages into nothing, so that a benchmark measures the
// processor's work (fetch, decrypt, hash) and not the disk.
type discardStorage struct{ *process.MemoryStorage }

func (discardStorage) Stage([][]byte) (process.Staging, error) { return discardStaging{}, nil }

type discardStaging struct{}

func (discardStaging) Write(p []byte) (int, error) { return len(p), nil }
func (discardStaging) Commit() error               { return nil }
func (discardStaging) Discard() error              { return nil }

type bytesFetcher []byte

func (f bytesFetcher) Fetch(_ context.Context, _ string, max int64) (io.ReadCloser, error) {
	return io.NopCloser(io.LimitReader(bytes.NewReader(f), max+1)), nil
}

// decryptInstallSetup returns a processor and verified manifest that fetch
// img encrypted with alg (0: not encrypted) and check its digest.
func decryptInstallSetup(tb testing.TB, img []byte, alg encryption.Algorithm) (*process.Processor, *verify.Verified) {
	tb.Helper()
	k := newTestKey(tb)
	kek := bytes.Repeat([]byte{1}, 16)
	d, _ := suit.ComputeDigest(suit.AlgSHA256, img)
	dp, _ := suit.ParamDigest(suit.ParamImageDigest, d)
	ps := suit.Parameters{dp, suit.ParamUint(suit.ParamImageSize, uint64(len(img))), suit.ParamText(suit.ParamURI, "https://fw.example/img")}
	payload := img
	if alg != 0 {
		ct, info, err := encryption.Encrypt(img, &encryption.EncryptOptions{Alg: alg, Recipients: []encryption.To{{KEK: kek}}})
		if err != nil {
			tb.Fatal(err)
		}
		raw, _ := info.Encode()
		ps = append(ps, suit.ParamBytes(suit.ParamEncryptionInfo, raw))
		payload = ct
	}
	m := &suit.Manifest{Version: 1, SequenceNumber: 1,
		Common:  &suit.Common{Components: []suit.ComponentID{comp0}, SharedSequence: seq(compat(testClass)...)},
		Install: &suit.SeverableSequence{Sequence: seq(override(ps...), cmd(suit.DirectiveFetch))}}
	v, err := verify.Verify(seal(tb, k, m, nil), []*verify.Key{k.anchor}, &verify.Options{NoRollbackCheckUnsafe: true})
	if err != nil {
		tb.Fatal(err)
	}
	p, err := process.New(process.Platform{Identity: identity(), Storage: discardStorage{&process.MemoryStorage{}}, Fetcher: bytesFetcher(payload),
		DecryptionKeys: []encryption.RecipientKey{&encryption.KEK{Key: kek}}}, &process.Limits{MaxImageSize: 64 << 20})
	if err != nil {
		tb.Fatal(err)
	}
	return p, v
}

// BenchmarkDecryptInstall16MiB: fetch, decrypt, digest-check and stage a
// 16 MiB image, per content algorithm; "none" is the same install of the
// plaintext. B/op is everything the install allocates (an upper bound on
// the memory decryption adds at its peak).
func BenchmarkDecryptInstall16MiB(b *testing.B) {
	img := firmware(5, 16<<20)
	algs := append([]encryption.Algorithm{0}, encryption.ContentAlgorithms()...)
	for _, alg := range algs {
		name := "none"
		if alg != 0 {
			name = alg.String()
		}
		b.Run(name, func(b *testing.B) {
			p, v := decryptInstallSetup(b, img, alg)
			b.SetBytes(int64(len(img)))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if rep, err := p.Update(context.Background(), v); err != nil {
					b.Fatalf("%v\n%s", err, rep)
				}
			}
		})
	}
}

// TestDecryptInstallMemoryBounded: decrypting and installing a 16 MiB
// image allocates well under a megabyte, for every content algorithm:
// decryption streams and never holds the image.
func TestDecryptInstallMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("16 MiB per algorithm")
	}
	img := firmware(5, 16<<20)
	for _, alg := range encryption.ContentAlgorithms() {
		p, v := decryptInstallSetup(t, img, alg)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		if rep, err := p.Update(context.Background(), v); err != nil {
			t.Fatalf("%s: %v\n%s", alg, err, rep)
		}
		runtime.ReadMemStats(&after)
		allocated := after.TotalAlloc - before.TotalAlloc
		t.Logf("%s: %d KiB allocated to decrypt and install 16 MiB", alg, allocated>>10)
		if allocated > 1<<20 {
			t.Errorf("%s: %d bytes allocated for a 16 MiB image; decryption must stream", alg, allocated)
		}
	}
}
