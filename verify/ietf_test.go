package verify

import (
	"encoding/hex"
	"errors"
	"fmt"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/suit"
)

// Manifest digests from ../shared/conformance/ietf/README.md.
var ietfDigests = map[string]string{
	"example-0":         "6658ea560262696dd1f13b782239a064da7c6c5cbaf52fded428a6fc83c7e5af",
	"example-1":         "1f2e7acca0dc2786f2fe4eb947f50873a6a3cfaa98866c5b02e621f42074daf2",
	"example-2":         "6a5197ed8f9dccf733d1c89a359441708e070b4c6dcb9a1c2c82c6165f609b90",
	"example-2-severed": "6a5197ed8f9dccf733d1c89a359441708e070b4c6dcb9a1c2c82c6165f609b90",
	"example-3":         "f6d44a62ec906b392500c242e78e908e9cc5057f3f04104a06a8566200da2ee0",
	"example-4":         "5b5f6586b1e6cdf19ee479a5adabf206581000bd584b0832a9bdaf4f72cdbdd6",
	"example-5":         "15ce60f77657e4531dc329155f8b0ed78f94bdc6d165b2665473693dcc34f470",
}

var ietfSeq = map[string]uint64{"example-0": 0, "example-1": 1, "example-2": 2, "example-2-severed": 2, "example-3": 3, "example-4": 4, "example-5": 5}

const ietfIdentity = "vendor:fa6b4a53d5ad5fdfbe9de663e4d41ffe/class:1492af1425695e48bf429b2d51f2ab45"

// TestIETFExamplesVerify: every signed example of draft-ietf-suit-manifest
// Appendix B verifies with the draft's public key, with the manifest digest
// and sequence number the README lists.
func TestIETFExamplesVerify(t *testing.T) {
	v := mustVerifier(t, []*Key{ietfKey(t)}, nil)
	for name, want := range ietfDigests {
		t.Run(name, func(t *testing.T) {
			res, err := v.Verify(testshared.Conformance(t, name+".suit"))
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(res.Digest().Value); got != want || res.Digest().Algorithm != suit.AlgSHA256 {
				t.Errorf("digest %d:%s, want -16:%s", res.Digest().Algorithm, got, want)
			}
			if res.ID() != "-16:"+want {
				t.Errorf("ID() = %s", res.ID())
			}
			if res.Sequence() != ietfSeq[name] || res.Manifest().SequenceNumber != ietfSeq[name] {
				t.Errorf("sequence %d, want %d", res.Sequence(), ietfSeq[name])
			}
			if res.Identity() != ietfIdentity {
				t.Errorf("identity %q", res.Identity())
			}
			if len(res.Signers()) != 1 || res.Signers()[0].Fingerprint() != ietfKey(t).Fingerprint() {
				t.Errorf("signers %v", res.Signers())
			}
			if res.Envelope().Manifest != res.Manifest() {
				t.Error("Envelope.Manifest not set")
			}
		})
	}
}

// TestIETFUnsignedRejected: the unsigned twins (digest-only wrappers) are
// rejected as unauthenticated (threats A1).
func TestIETFUnsignedRejected(t *testing.T) {
	v := mustVerifier(t, []*Key{ietfKey(t)}, nil)
	for name := range ietfDigests {
		name = name + "-unsigned.suit"
		t.Run(name, func(t *testing.T) {
			res, err := v.Verify(testshared.Conformance(t, name))
			if !errors.Is(err, ErrUnauthenticated) || res != nil {
				t.Fatalf("got %v, %v; want ErrUnauthenticated", res, err)
			}
		})
	}
}

// TestBitFlipSweep flips every bit of signed examples 0 and 2 (threats A2)
// and requires every variant to be rejected.
func TestBitFlipSweep(t *testing.T) {
	v := mustVerifier(t, []*Key{ietfKey(t)}, nil)
	for _, name := range []string{"example-0.suit", "example-2.suit"} {
		orig := testshared.Conformance(t, name)
		kinds := map[string]int{}
		for i := range orig {
			for bit := range 8 {
				mut := append([]byte(nil), orig...)
				mut[i] ^= 1 << bit
				res, err := v.Verify(mut)
				if err == nil || res != nil {
					t.Fatalf("%s: flipping bit %d of byte %d was accepted", name, bit, i)
				}
				kinds[sentinelOf(err)]++
			}
		}
		t.Logf("%s: %d flips rejected: %v", name, len(orig)*8, kinds)
	}
}

func sentinelOf(err error) string {
	for _, s := range []error{ErrUnauthenticated, suit.ErrDigestMismatch, ErrSeveredMismatch, ErrUnsupportedAlgorithm, ErrMalformed, ErrMissingPayload} {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	return fmt.Sprintf("other(%v)", err)
}

// TestVerifierConcurrentUse: one Verifier shared by goroutines (run under
// -race in CI) gives every goroutine the right result.
func TestVerifierConcurrentUse(t *testing.T) {
	v := mustVerifier(t, []*Key{ietfKey(t)}, &Options{Store: NewMemoryStore()})
	names := []string{"example-0", "example-1", "example-2", "example-3"}
	errc := make(chan error, len(names))
	for _, name := range names {
		data := testshared.Conformance(t, name+".suit")
		go func() {
			for range 5 {
				res, err := v.Verify(data)
				if err != nil {
					errc <- err
					return
				}
				if hex.EncodeToString(res.Digest().Value) != ietfDigests[name] {
					errc <- fmt.Errorf("%s: wrong digest", name)
					return
				}
			}
			errc <- nil
		}()
	}
	for range names {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
}
