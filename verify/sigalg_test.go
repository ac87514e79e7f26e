package verify

import (
	"bytes"
	"errors"
	"testing"

	"github.com/suitkit/suitkit/internal/cbor"
	"github.com/suitkit/suitkit/internal/cose"
	"github.com/suitkit/suitkit/internal/testkeys"
	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/sign"
	"github.com/suitkit/suitkit/suit"
)

// sigAlgCase is one signature algorithm under test: a signer and the
// trust anchor of the same key.
type sigAlgCase struct {
	alg    keys.Algorithm
	signer *sign.Signer
	anchor *Key
}

// asymmetricCases returns a signer and anchor for every signature
// algorithm the sign package signs with (MACs excluded).
func asymmetricCases(t *testing.T) []sigAlgCase {
	t.Helper()
	var cases []sigAlgCase
	for _, alg := range sign.Algorithms() {
		if alg.IsMAC() {
			continue
		}
		k, err := testkeys.Generate(t, alg)
		if err != nil {
			t.Fatal(err)
		}
		s, err := sign.ForKey(k, alg)
		if err != nil {
			t.Fatal(err)
		}
		a, err := NewKey(k.Public, &Binding{Name: alg.String()})
		if err != nil {
			t.Fatal(err)
		}
		if !a.Allows(alg) {
			t.Fatalf("%v anchor does not allow its own algorithm: %v", alg, a.Algorithms())
		}
		cases = append(cases, sigAlgCase{alg, s, a})
	}
	return cases
}

// sign1With replaces env's blocks with one COSE_Sign1 carrying alg and the
// raw signature sig, and returns the encoded envelope.
func sign1With(t *testing.T, env *suit.Envelope, alg keys.Algorithm, sig []byte) []byte {
	t.Helper()
	prot := cose.ProtectedAlg(int64(alg))
	b := cbor.AppendHead(nil, cbor.Tag, cose.TagSign1)
	b = cbor.AppendHead(b, cbor.Array, 4)
	b = cose.AppendBstr(b, prot)
	b = append(b, 0xa0, 0xf6)
	b = cose.AppendBstr(b, sig)
	env.Authentication.Blocks = [][]byte{b}
	out, err := env.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// signedRaw signs the example with c and returns the decoded envelope and
// the raw signature of its one block.
func signedRaw(t *testing.T, data []byte, c sigAlgCase) (*suit.Envelope, []byte) {
	t.Helper()
	env, err := suit.Decode(bytes.Clone(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sign.Authenticate(env, c.signer); err != nil {
		t.Fatal(err)
	}
	block := env.Authentication.Blocks[0]
	prefix := cbor.AppendHead(nil, cbor.Tag, cose.TagSign1)
	prefix = cbor.AppendHead(prefix, cbor.Array, 4)
	prefix = cose.AppendBstr(prefix, cose.ProtectedAlg(int64(c.alg)))
	prefix = append(prefix, 0xa0, 0xf6)
	if !bytes.HasPrefix(block, prefix) {
		t.Fatalf("unexpected block layout %x", block[:min(len(block), 16)])
	}
	_, _, n, hl, err := cbor.ReadHead(block[len(prefix):])
	if err != nil || uint64(len(block)-len(prefix)-hl) != n {
		t.Fatalf("signature bstr: %v", err)
	}
	return env, bytes.Clone(block[len(prefix)+hl:])
}

// TestEverySignatureAlgorithmRejectsTampering: for every algorithm the
// signer makes, the genuine signature verifies (rebuilt by hand, so the
// test's block layout is the signer's), and a flipped bit anywhere, a
// truncated or an oversized signature, and a key of another algorithm or
// parameter set are all rejected as unauthenticated, never accepted and
// never a panic.
func TestEverySignatureAlgorithmRejectsTampering(t *testing.T) {
	data := testshared.Conformance(t, "example-3-unsigned.suit")
	cases := asymmetricCases(t)
	opts := &Options{NoRollbackCheckUnsafe: true}
	for _, c := range cases {
		t.Run(c.alg.String(), func(t *testing.T) {
			env, sig := signedRaw(t, data, c)
			v := mustVerifier(t, []*Key{c.anchor}, opts)
			if _, err := v.Verify(sign1With(t, env, c.alg, sig)); err != nil {
				t.Fatalf("genuine signature (%d bytes): %v", len(sig), err)
			}
			reject := func(what string, alg keys.Algorithm, s []byte, anchors ...*Key) {
				t.Helper()
				_, err := mustVerifier(t, anchors, opts).Verify(sign1With(t, env, alg, s))
				if err == nil {
					t.Fatalf("%s accepted", what)
				}
				if !errors.Is(err, ErrUnauthenticated) {
					t.Fatalf("%s: %v, want ErrUnauthenticated", what, err)
				}
			}
			for _, pos := range []int{0, 1, len(sig) / 2, len(sig) - 2, len(sig) - 1} {
				flipped := bytes.Clone(sig)
				flipped[pos] ^= 0x10
				reject("bit flip at byte "+itoa(pos), c.alg, flipped, c.anchor)
			}
			reject("signature without its last byte", c.alg, sig[:len(sig)-1], c.anchor)
			reject("half a signature", c.alg, sig[:len(sig)/2], c.anchor)
			reject("empty signature", c.alg, nil, c.anchor)
			reject("signature with a trailing zero byte", c.alg, append(bytes.Clone(sig), 0), c.anchor)
			reject("signature twice", c.alg, append(bytes.Clone(sig), sig...), c.anchor)
			for _, other := range cases {
				if other.alg == c.alg {
					continue
				}
				// A key of another algorithm or parameter set, under its
				// own algorithm and under ours.
				reject("signature checked with the "+other.alg.String()+" key", c.alg, sig, other.anchor)
				reject("signature relabelled "+other.alg.String(), other.alg, sig, other.anchor)
			}
		})
	}
}

func itoa(n int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
		if n == 0 {
			return string(b)
		}
	}
}
