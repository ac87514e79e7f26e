package suit

import (
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"crypto/subtle"
	"fmt"
	"hash"

	"github.com/suitkit/suitkit/internal/cbor"
)

// COSE algorithm identifiers of the digest algorithms SUIT uses.
const (
	AlgSHA256   int64 = -16 // SHA-256, mandatory to implement
	AlgSHAKE128 int64 = -18 // SHAKE128 with 256-bit output
	AlgSHA384   int64 = -43 // SHA-384
	AlgSHA512   int64 = -44 // SHA-512
	AlgSHAKE256 int64 = -45 // SHAKE256 with 512-bit output
)

// Digest is a SUIT_Digest: [algorithm-id, digest-bytes, * extensions].
type Digest struct {
	Algorithm int64  // COSE algorithm identifier, e.g. AlgSHA256
	Value     []byte // the digest bytes
	// Extensions holds any further array elements, each as its exact
	// encoded CBOR item. Usually empty.
	Extensions [][]byte
}

// digestAlg is everything suitkit knows about one SUIT digest algorithm:
// the one table every package reads (through DigestSize, ComputeDigest,
// Digest.Matches and NewHasher), so a new algorithm is added in one place
// (here and in sum, just below).
type digestAlg struct {
	alg  int64
	size int
	// newHash starts a streaming hash (fixed-output algorithms).
	newHash func() hash.Hash
	// newXOF starts a streaming extendable-output function (SHAKE).
	newXOF func() *sha3.SHAKE
}

// lookupDigestAlg returns the table entry of a supported algorithm.
func lookupDigestAlg(alg int64) (digestAlg, bool) {
	switch alg {
	case AlgSHA256:
		return digestAlg{alg: alg, size: 32, newHash: sha256.New}, true
	case AlgSHA384:
		return digestAlg{alg: alg, size: 48, newHash: sha512.New384}, true
	case AlgSHA512:
		return digestAlg{alg: alg, size: 64, newHash: sha512.New}, true
	case AlgSHAKE128:
		return digestAlg{alg: alg, size: 32, newXOF: sha3.NewSHAKE128}, true
	case AlgSHAKE256:
		return digestAlg{alg: alg, size: 64, newXOF: sha3.NewSHAKE256}, true
	}
	return digestAlg{}, false
}

// sum appends the digest of data to dst without allocating a hash. It
// calls the one-shot sums directly rather than through a func value in the
// table: an indirect call makes dst and data escape, which moved the stack
// buffers of Matches and MatchesBstr to the heap (two allocations and a
// 1 KiB clear per digest check).
func (a digestAlg) sum(dst, data []byte) []byte {
	switch a.alg {
	case AlgSHA256:
		s := sha256.Sum256(data)
		return append(dst, s[:]...)
	case AlgSHA384:
		s := sha512.Sum384(data)
		return append(dst, s[:]...)
	case AlgSHA512:
		s := sha512.Sum512(data)
		return append(dst, s[:]...)
	case AlgSHAKE128, AlgSHAKE256:
		h := a.newXOF()
		h.Write(data)
		var s [64]byte
		h.Read(s[:a.size])
		return append(dst, s[:a.size]...)
	}
	return dst
}

// DigestSize returns the output size in bytes of a supported digest
// algorithm, or 0 if the algorithm is not supported.
func DigestSize(alg int64) int {
	a, _ := lookupDigestAlg(alg)
	return a.size
}

// hashInto computes alg over data, appending to dst.
func hashInto(dst []byte, alg int64, data []byte) ([]byte, bool) {
	a, ok := lookupDigestAlg(alg)
	if !ok {
		return dst, false
	}
	return a.sum(dst, data), true
}

// Hasher computes a SUIT digest over data written to it in pieces, for
// payloads too large to hold in memory. Make one with NewHasher.
type Hasher struct {
	alg  int64
	size int
	h    hash.Hash
	x    *sha3.SHAKE
}

// NewHasher starts a streaming digest with the COSE digest algorithm alg
// (the algorithms of ComputeDigest). An unknown algorithm gives an error
// matching ErrUnsupported.
func NewHasher(alg int64) (*Hasher, error) {
	a, ok := lookupDigestAlg(alg)
	if !ok {
		return nil, fmt.Errorf("%w: digest algorithm %d", ErrUnsupported, alg)
	}
	h := &Hasher{alg: alg, size: a.size}
	if a.newHash != nil {
		h.h = a.newHash()
	} else {
		h.x = a.newXOF()
	}
	return h, nil
}

// Write adds p to the digest. It never returns an error.
func (h *Hasher) Write(p []byte) (int, error) {
	if h.h != nil {
		return h.h.Write(p)
	}
	return h.x.Write(p)
}

// Digest returns the digest of everything written so far. Call it once:
// for the SHAKE algorithms it finishes the computation.
func (h *Hasher) Digest() Digest {
	d := Digest{Algorithm: h.alg}
	if h.h != nil {
		d.Value = h.h.Sum(nil)
	} else {
		d.Value = make([]byte, h.size)
		h.x.Read(d.Value)
	}
	return d
}

// ComputeDigest hashes data with the COSE digest algorithm alg: SHA-256
// (-16), SHAKE128 (-18), SHA-384 (-43), SHA-512 (-44) or SHAKE256 (-45).
// To compute the digest SUIT puts in the authentication wrapper or in place
// of a severed element, pass the encoded bstr: ComputeDigest(AlgSHA256,
// BstrItem(content)). An unknown algorithm gives an error matching
// ErrUnsupported.
func ComputeDigest(alg int64, data []byte) (Digest, error) {
	v, ok := hashInto(make([]byte, 0, 64), alg, data)
	if !ok {
		return Digest{}, fmt.Errorf("%w: digest algorithm %d", ErrUnsupported, alg)
	}
	return Digest{Algorithm: alg, Value: v}, nil
}

// Matches reports whether d is the digest of data. It is false when the
// algorithm is unsupported or the lengths differ; the comparison of digest
// bytes takes constant time.
func (d Digest) Matches(data []byte) bool {
	var buf [64]byte
	v, ok := hashInto(buf[:0], d.Algorithm, data)
	if !ok || len(v) != len(d.Value) {
		return false
	}
	return subtle.ConstantTimeCompare(v, d.Value) == 1
}

// MatchesBstr reports whether d is the digest of BstrItem(content), the
// encoded byte string wrapping content, without copying content. This is the
// check for the manifest digest and for severed elements.
func (d Digest) MatchesBstr(content []byte) bool {
	if len(content) <= smallItem-9 {
		return d.matchesSmallBstr(content)
	}
	a, ok := lookupDigestAlg(d.Algorithm)
	if !ok || a.newHash == nil {
		// Unknown (false) or SHAKE, which has no cheap streaming Sum here.
		return ok && d.Matches(BstrItem(content))
	}
	h := a.newHash()
	var head [smallItem]byte
	n := bstrHead(&head, len(content))
	h.Write(head[:n])
	h.Write(content)
	v := h.Sum(nil)
	return len(v) == len(d.Value) && subtle.ConstantTimeCompare(v, d.Value) == 1
}

// smallItem is the stack buffer size for matchesSmallBstr.
const smallItem = 1033

// matchesSmallBstr builds the bstr item on the stack (manifests and
// severed sequences are small), so the check does not allocate.
func (d Digest) matchesSmallBstr(content []byte) bool {
	var buf [smallItem]byte
	n := bstrHead(&buf, len(content))
	copy(buf[n:], content)
	return d.Matches(buf[:n+len(content)])
}

// bstrHead writes the shortest bstr head for a content of length n into buf
// and returns its length.
func bstrHead(buf *[smallItem]byte, n int) int {
	return len(cbor.AppendHead(buf[:0], cbor.Bytes, uint64(n)))
}

// Equal reports whether d and o hold the same algorithm, value and
// extensions.
func (d Digest) Equal(o Digest) bool {
	if d.Algorithm != o.Algorithm || string(d.Value) != string(o.Value) || len(d.Extensions) != len(o.Extensions) {
		return false
	}
	for i := range d.Extensions {
		if string(d.Extensions[i]) != string(o.Extensions[i]) {
			return false
		}
	}
	return true
}

// Encode returns the deterministic CBOR encoding of d (the SUIT_Digest
// array, not bstr-wrapped).
func (d Digest) Encode() ([]byte, error) {
	var w writer
	if err := w.digest(d); err != nil {
		return nil, err
	}
	return w.b, nil
}

// DecodeDigest strictly decodes an encoded SUIT_Digest (for example the
// content of a bstr-wrapped image-digest parameter).
func DecodeDigest(data []byte, lim *Limits) (Digest, error) {
	l := lim.resolve()
	d := newDec(data, 0, &l)
	var dg Digest
	err := d.whole(func() error {
		var err error
		dg, err = d.digest(1)
		return err
	})
	if err != nil {
		return Digest{}, inPath(err, "digest")
	}
	return dg, nil
}
