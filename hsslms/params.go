package hsslms

import (
	"crypto/sha256"
	"crypto/sha3"
	"fmt"
	"hash"
)

// Hash is the hash function family of a parameter set.
type Hash uint8

// The hash families of RFC 8554 and NIST SP 800-208.
const (
	SHA256   Hash = 1 + iota // SHA-256, output truncated to n or m bytes
	SHAKE256                 // SHAKE256 with an n- or m-byte output
)

// String returns "SHA256" or "SHAKE".
func (h Hash) String() string {
	if h == SHAKE256 {
		return "SHAKE"
	}
	return "SHA256"
}

// OTSType is an LM-OTS typecode (RFC 8554 section 4.1; SP 800-208 section 4).
type OTSType uint32

// LMSType is an LMS typecode (RFC 8554 section 5.1; SP 800-208 section 4).
type LMSType uint32

// The LM-OTS typecodes: 1-4 of RFC 8554 (SHA-256, n=32), 5-8 SHA-256/192
// (n=24), 9-12 SHAKE256 n=32 and 13-16 SHAKE256 n=24 of SP 800-208.
const (
	LMOTS_SHA256_N32_W1 OTSType = 1 + iota
	LMOTS_SHA256_N32_W2
	LMOTS_SHA256_N32_W4
	LMOTS_SHA256_N32_W8
	LMOTS_SHA256_N24_W1
	LMOTS_SHA256_N24_W2
	LMOTS_SHA256_N24_W4
	LMOTS_SHA256_N24_W8
	LMOTS_SHAKE_N32_W1
	LMOTS_SHAKE_N32_W2
	LMOTS_SHAKE_N32_W4
	LMOTS_SHAKE_N32_W8
	LMOTS_SHAKE_N24_W1
	LMOTS_SHAKE_N24_W2
	LMOTS_SHAKE_N24_W4
	LMOTS_SHAKE_N24_W8
)

// The LMS typecodes: 5-9 of RFC 8554 (SHA-256, m=32, heights 5 to 25),
// 10-14 SHA-256/192, 15-19 SHAKE256 m=32 and 20-24 SHAKE256 m=24 of SP
// 800-208.
const (
	LMS_SHA256_M32_H5 LMSType = 5 + iota
	LMS_SHA256_M32_H10
	LMS_SHA256_M32_H15
	LMS_SHA256_M32_H20
	LMS_SHA256_M32_H25
	LMS_SHA256_M24_H5
	LMS_SHA256_M24_H10
	LMS_SHA256_M24_H15
	LMS_SHA256_M24_H20
	LMS_SHA256_M24_H25
	LMS_SHAKE_M32_H5
	LMS_SHAKE_M32_H10
	LMS_SHAKE_M32_H15
	LMS_SHAKE_M32_H20
	LMS_SHAKE_M32_H25
	LMS_SHAKE_M24_H5
	LMS_SHAKE_M24_H10
	LMS_SHAKE_M24_H15
	LMS_SHAKE_M24_H20
	LMS_SHAKE_M24_H25
)

// OTSParams are the numbers of an LM-OTS parameter set.
type OTSParams struct {
	Type OTSType
	Hash Hash
	N    int // hash output size in bytes
	W    int // Winternitz parameter: bits per chain (1, 2, 4, 8)
	P    int // number of chains
	LS   int // left shift of the checksum
}

// LMSParams are the numbers of an LMS parameter set.
type LMSParams struct {
	Type LMSType
	Hash Hash
	M    int // hash output size in bytes
	H    int // tree height
}

// OTS returns the parameters of an LM-OTS typecode, false if unknown.
func (t OTSType) Params() (OTSParams, bool) {
	if t < LMOTS_SHA256_N32_W1 || t > LMOTS_SHAKE_N24_W8 {
		return OTSParams{}, false
	}
	i := int(t - 1)
	p := OTSParams{Type: t, Hash: SHA256, N: 32, W: 1 << (i % 4)}
	if i/4%2 == 1 {
		p.N = 24
	}
	if i >= 8 {
		p.Hash = SHAKE256
	}
	// RFC 8554 Appendix B: u chains for the hash, v for the checksum.
	u := (8*p.N + p.W - 1) / p.W
	maxSum := ((1 << p.W) - 1) * u
	bits := 0
	for maxSum>>bits != 0 {
		bits++
	}
	v := (bits + p.W - 1) / p.W
	p.P, p.LS = u+v, 16-v*p.W
	return p, true
}

// String names the typecode as SP 800-208 does, or "LMOTS(n)".
func (t OTSType) String() string {
	p, ok := t.Params()
	if !ok {
		return fmt.Sprintf("LMOTS(%d)", uint32(t))
	}
	return fmt.Sprintf("LMOTS_%s_N%d_W%d", p.Hash, p.N, p.W)
}

// SignatureSize is the size of an LM-OTS signature of this type.
func (p OTSParams) SignatureSize() int { return 4 + p.N*(p.P+1) }

// Params returns the parameters of an LMS typecode, false if unknown.
func (t LMSType) Params() (LMSParams, bool) {
	if t < LMS_SHA256_M32_H5 || t > LMS_SHAKE_M24_H25 {
		return LMSParams{}, false
	}
	i := int(t - 5)
	p := LMSParams{Type: t, Hash: SHA256, M: 32, H: 5 * (1 + i%5)}
	if i/5%2 == 1 {
		p.M = 24
	}
	if i >= 10 {
		p.Hash = SHAKE256
	}
	return p, true
}

// String names the typecode as SP 800-208 does, or "LMS(n)".
func (t LMSType) String() string {
	p, ok := t.Params()
	if !ok {
		return fmt.Sprintf("LMS(%d)", uint32(t))
	}
	return fmt.Sprintf("LMS_%s_M%d_H%d", p.Hash, p.M, p.H)
}

// PublicKeySize is the size of an LMS public key of this type.
func (p LMSParams) PublicKeySize() int { return 24 + p.M }

// SignatureSize is the size of an LMS signature of this type with
// one-time signatures of ots.
func (p LMSParams) SignatureSize(ots OTSParams) int { return 8 + ots.SignatureSize() + p.M*p.H }

// Domain-separation constants of RFC 8554 section 7.1 and the indices
// suitkit's signer uses for its pseudorandom derivations (Appendix A
// style; values no chain index can take).
const (
	dPBLC = 0x8080
	dMESG = 0x8181
	dLEAF = 0x8282
	dINTR = 0x8383
)

// stream is an incremental hash of one family.
type stream struct {
	sha   hash.Hash
	shake *sha3.SHAKE
}

func newStream(h Hash) *stream {
	if h == SHAKE256 {
		return &stream{shake: sha3.NewSHAKE256()}
	}
	return &stream{sha: sha256.New()}
}

func (s *stream) Write(p []byte) {
	if s.shake != nil {
		s.shake.Write(p)
		return
	}
	s.sha.Write(p)
}

// sumReset writes the first n bytes of the hash into dst and resets s.
func (s *stream) sumReset(dst []byte, n int) {
	if s.shake != nil {
		s.shake.Read(dst[:n])
		s.shake.Reset()
		return
	}
	var d [32]byte
	s.sha.Sum(d[:0])
	copy(dst[:n], d[:])
	s.sha.Reset()
}

// sum hashes data with the family into dst[:n] (n is 24 or 32).
func sum(h Hash, dst, data []byte, n int) {
	if h == SHAKE256 {
		s := sha3.NewSHAKE256()
		s.Write(data)
		s.Read(dst[:n])
		return
	}
	d := sha256.Sum256(data)
	copy(dst[:n], d[:])
}
