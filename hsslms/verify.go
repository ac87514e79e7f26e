package hsslms

import (
	"bytes"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
)

// Sentinel errors; every error of this package matches one of them.
var (
	// ErrMalformed means a public key or signature does not parse: wrong
	// length, an unknown typecode, a level count out of range.
	ErrMalformed = errors.New("hsslms: malformed")
	// ErrParameterSet means well-formed input whose parameter sets do not
	// match: a signature made with other LMS or LM-OTS types than the
	// public key (or a signed child key) says.
	ErrParameterSet = errors.New("hsslms: parameter set mismatch")
	// ErrInvalid means a well-formed signature that does not verify.
	ErrInvalid = errors.New("hsslms: invalid signature")
)

// Error says what was wrong with a key or signature. It matches the
// sentinel in Err.
type Error struct {
	What   string // "public key", "signature", ...
	Reason string
	Err    error // ErrMalformed, ErrParameterSet or ErrInvalid
}

// Error implements error.
func (e *Error) Error() string { return "hsslms: " + e.What + ": " + e.Reason }

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

func malformed(what, format string, a ...any) error {
	return &Error{What: what, Reason: fmt.Sprintf(format, a...), Err: ErrMalformed}
}

// MaxLevels is the largest number of HSS levels (RFC 8554 section 6).
const MaxLevels = 8

// LMSPublicKey is one LMS public key: u32str(type) || u32str(otstype) ||
// I || T[1].
type LMSPublicKey struct {
	LMS  LMSParams
	OTS  OTSParams
	I    [16]byte
	Root []byte // T[1], M bytes
}

// Bytes returns the encoding of the key.
func (k *LMSPublicKey) Bytes() []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(k.LMS.Type))
	b = binary.BigEndian.AppendUint32(b, uint32(k.OTS.Type))
	b = append(b, k.I[:]...)
	return append(b, k.Root...)
}

// parseLMSPublicKey parses exactly one LMS public key.
func parseLMSPublicKey(b []byte, what string) (*LMSPublicKey, error) {
	if len(b) < 8 {
		return nil, malformed(what, "%d bytes, shorter than its typecodes", len(b))
	}
	lt, ot := LMSType(binary.BigEndian.Uint32(b)), OTSType(binary.BigEndian.Uint32(b[4:]))
	lp, ok := lt.Params()
	if !ok {
		return nil, malformed(what, "unknown LMS typecode %d", uint32(lt))
	}
	op, ok := ot.Params()
	if !ok {
		return nil, malformed(what, "unknown LM-OTS typecode %d", uint32(ot))
	}
	if len(b) != lp.PublicKeySize() {
		return nil, malformed(what, "%d bytes, %v needs %d", len(b), lt, lp.PublicKeySize())
	}
	k := &LMSPublicKey{LMS: lp, OTS: op, Root: bytes.Clone(b[24:])}
	copy(k.I[:], b[8:24])
	return k, nil
}

// PublicKey is an HSS public key: u32str(L) || the top-level LMS public
// key (RFC 8554 section 6.1). The COSE_Key of kty HSS-LMS carries these
// bytes in its pub parameter (RFC 8778).
type PublicKey struct {
	Levels int
	Top    LMSPublicKey
}

// PublicKeySize returns the encoded size of an HSS public key whose top
// level is lms.
func PublicKeySize(lms LMSParams) int { return 4 + lms.PublicKeySize() }

// ParsePublicKey parses an HSS public key strictly: 1 to 8 levels, known
// typecodes, exactly the size they imply. Errors match [ErrMalformed].
func ParsePublicKey(b []byte) (*PublicKey, error) {
	if len(b) < 4 {
		return nil, malformed("public key", "%d bytes, too short", len(b))
	}
	l := binary.BigEndian.Uint32(b)
	if l < 1 || l > MaxLevels {
		return nil, malformed("public key", "%d levels, want 1 to %d", l, MaxLevels)
	}
	top, err := parseLMSPublicKey(b[4:], "public key")
	if err != nil {
		return nil, err
	}
	return &PublicKey{Levels: int(l), Top: *top}, nil
}

// Bytes returns the encoding of the key.
func (k *PublicKey) Bytes() []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(k.Levels)), k.Top.Bytes()...)
}

// Equal reports whether k and other are the same key.
func (k *PublicKey) Equal(other any) bool {
	o, ok := other.(*PublicKey)
	return ok && k != nil && o != nil && bytes.Equal(k.Bytes(), o.Bytes())
}

// LMSSignature is one parsed LMS signature: the leaf q, the LM-OTS
// signature (C and the chain values y) and the authentication path. Its
// slices point into the parsed input.
type LMSSignature struct {
	Q    uint32
	OTS  OTSParams
	LMS  LMSParams
	C    []byte
	Y    []byte // P values of N bytes
	Path []byte // H values of M bytes
}

// parseLMSSignature parses the LMS signature at the start of b and returns
// its length. It never reads past b and allocates nothing from the sizes
// it reads: every size comes from a typecode's table entry.
func parseLMSSignature(b []byte, what string) (*LMSSignature, int, error) {
	if len(b) < 8 {
		return nil, 0, malformed(what, "truncated before the LM-OTS typecode")
	}
	s := &LMSSignature{Q: binary.BigEndian.Uint32(b)}
	ot := OTSType(binary.BigEndian.Uint32(b[4:]))
	var ok bool
	if s.OTS, ok = ot.Params(); !ok {
		return nil, 0, malformed(what, "unknown LM-OTS typecode %d", uint32(ot))
	}
	off := 4 + s.OTS.SignatureSize()
	if len(b) < off+4 {
		return nil, 0, malformed(what, "truncated in the %v signature", ot)
	}
	s.C = b[8 : 8+s.OTS.N]
	s.Y = b[8+s.OTS.N : off]
	lt := LMSType(binary.BigEndian.Uint32(b[off:]))
	if s.LMS, ok = lt.Params(); !ok {
		return nil, 0, malformed(what, "unknown LMS typecode %d", uint32(lt))
	}
	off += 4
	if uint64(s.Q) >= 1<<s.LMS.H {
		return nil, 0, malformed(what, "leaf %d outside a tree of height %d", s.Q, s.LMS.H)
	}
	end := off + s.LMS.M*s.LMS.H
	if len(b) < end {
		return nil, 0, malformed(what, "truncated in the authentication path")
	}
	s.Path = b[off:end]
	return s, end, nil
}

// Signature is a parsed HSS signature: L-1 signed public keys and the
// bottom LMS signature (RFC 8554 section 6.2).
type Signature struct {
	Signed  []LMSSignature // Signed[i] is by level i over Keys[i]
	Keys    []LMSPublicKey // Keys[i] is the level i+1 public key
	Message LMSSignature   // by the bottom level over the message
}

// ParseSignature parses an HSS signature strictly: the number of signed
// keys is below [MaxLevels], every typecode is known, every part has
// exactly the size its typecodes imply and nothing follows. It does not
// check the signature against a key; errors match [ErrMalformed].
func ParseSignature(b []byte) (*Signature, error) {
	if len(b) < 4 {
		return nil, malformed("signature", "%d bytes, too short", len(b))
	}
	nspk := binary.BigEndian.Uint32(b)
	if nspk >= MaxLevels {
		return nil, malformed("signature", "%d signed public keys, at most %d", nspk, MaxLevels-1)
	}
	sig := &Signature{Signed: make([]LMSSignature, nspk), Keys: make([]LMSPublicKey, nspk)}
	off := 4
	for i := range int(nspk) {
		what := fmt.Sprintf("signature of level %d", i)
		s, n, err := parseLMSSignature(b[off:], what)
		if err != nil {
			return nil, err
		}
		sig.Signed[i] = *s
		off += n
		if len(b)-off < 8 {
			return nil, malformed("signature", "truncated in the public key of level %d", i+1)
		}
		lp, ok := LMSType(binary.BigEndian.Uint32(b[off:])).Params()
		if !ok {
			return nil, malformed("signature", "public key of level %d: unknown LMS typecode %d", i+1, binary.BigEndian.Uint32(b[off:]))
		}
		if len(b)-off < lp.PublicKeySize() {
			return nil, malformed("signature", "truncated in the public key of level %d", i+1)
		}
		k, err := parseLMSPublicKey(b[off:off+lp.PublicKeySize()], fmt.Sprintf("public key of level %d", i+1))
		if err != nil {
			return nil, err
		}
		sig.Keys[i] = *k
		off += lp.PublicKeySize()
	}
	s, n, err := parseLMSSignature(b[off:], "message signature")
	if err != nil {
		return nil, err
	}
	sig.Message = *s
	if off+n != len(b) {
		return nil, malformed("signature", "%d bytes after the message signature", len(b)-off-n)
	}
	return sig, nil
}

// Verify checks an HSS signature of msg. nil means valid; otherwise the
// error matches [ErrMalformed] (the signature does not parse),
// [ErrParameterSet] (it uses other parameter sets or another number of
// levels than the key) or [ErrInvalid].
func (k *PublicKey) Verify(msg, sig []byte) error {
	if k == nil {
		return &Error{What: "public key", Reason: "nil", Err: ErrMalformed}
	}
	s, err := ParseSignature(sig)
	if err != nil {
		return err
	}
	if len(s.Signed)+1 != k.Levels {
		return &Error{What: "signature", Reason: fmt.Sprintf("%d levels, the key has %d", len(s.Signed)+1, k.Levels), Err: ErrParameterSet}
	}
	key := &k.Top
	for i := range s.Signed {
		if err := key.verify(s.Keys[i].Bytes(), &s.Signed[i], fmt.Sprintf("level %d", i)); err != nil {
			return err
		}
		key = &s.Keys[i]
	}
	return key.verify(msg, &s.Message, "message signature")
}

// verify checks one LMS signature against k (RFC 8554 section 5.4.2).
func (k *LMSPublicKey) verify(msg []byte, s *LMSSignature, what string) error {
	if s.OTS.Type != k.OTS.Type || s.LMS.Type != k.LMS.Type {
		return &Error{What: what, Reason: fmt.Sprintf("signature is %v/%v, key is %v/%v", s.LMS.Type, s.OTS.Type, k.LMS.Type, k.OTS.Type), Err: ErrParameterSet}
	}
	var kc [32]byte
	otsCandidate(k.OTS, k.I[:], s.Q, s.C, s.Y, msg, kc[:])
	var node [32]byte
	m := k.LMS.M
	r := uint32(1)<<k.LMS.H + s.Q
	leafHash(k.LMS.Hash, k.I[:], r, kc[:k.OTS.N], node[:], m)
	for i := 0; r > 1; i++ {
		sib := s.Path[i*m : (i+1)*m]
		if r&1 == 1 {
			interior(k.LMS.Hash, k.I[:], r/2, sib, node[:m], node[:], m)
		} else {
			interior(k.LMS.Hash, k.I[:], r/2, node[:m], sib, node[:], m)
		}
		r /= 2
	}
	if subtle.ConstantTimeCompare(node[:m], k.Root) != 1 {
		return &Error{What: what, Reason: "does not verify", Err: ErrInvalid}
	}
	return nil
}

// leafHash computes T[r] = H(I || u32str(r) || u16str(D_LEAF) || K).
func leafHash(h Hash, id []byte, r uint32, k, dst []byte, m int) {
	var buf [16 + 4 + 2 + 32]byte
	copy(buf[:16], id)
	binary.BigEndian.PutUint32(buf[16:], r)
	binary.BigEndian.PutUint16(buf[20:], dLEAF)
	n := copy(buf[22:], k)
	sum(h, dst, buf[:22+n], m)
}

// interior computes T[r] = H(I || u32str(r) || u16str(D_INTR) || left ||
// right) into dst (which may alias left or right).
func interior(h Hash, id []byte, r uint32, left, right, dst []byte, m int) {
	var buf [16 + 4 + 2 + 64]byte
	copy(buf[:16], id)
	binary.BigEndian.PutUint32(buf[16:], r)
	binary.BigEndian.PutUint16(buf[20:], dINTR)
	copy(buf[22:], left[:m])
	copy(buf[22+m:], right[:m])
	sum(h, dst, buf[:22+2*m], m)
}

// coef returns the i-th w-bit digit of s (RFC 8554 section 3.1.3).
func coef(s []byte, i, w int) int {
	return int(s[i*w/8]>>(8-(w*(i%(8/w))+w))) & (1<<w - 1)
}

// withChecksum appends to the message hash Q in q[:N] its checksum
// (RFC 8554 section 4.4) and returns Q || Cksm(Q), which coef reads.
func withChecksum(p OTSParams, q []byte) []byte {
	sum := 0
	for i := range 8 * p.N / p.W {
		sum += 1<<p.W - 1 - coef(q, i, p.W)
	}
	sum <<= p.LS
	q[p.N], q[p.N+1] = byte(sum>>8), byte(sum)
	return q[:p.N+2]
}

// messageHash computes Q = H(I || u32str(q) || u16str(D_MESG) || C ||
// message) into dst.
func messageHash(p OTSParams, id []byte, q uint32, c, msg, dst []byte) {
	st := newStream(p.Hash)
	var hdr [22]byte
	copy(hdr[:], id)
	binary.BigEndian.PutUint32(hdr[16:], q)
	binary.BigEndian.PutUint16(hdr[20:], dMESG)
	st.Write(hdr[:])
	st.Write(c)
	st.Write(msg)
	st.sumReset(dst, p.N)
}

// chain runs the Winternitz chain i from step from to step to (exclusive)
// on tmp in place: tmp = H(I || u32str(q) || u16str(i) || u8str(j) || tmp).
func chain(p OTSParams, id []byte, q uint32, i, from, to int, tmp []byte) {
	var buf [16 + 4 + 2 + 1 + 32]byte
	copy(buf[:16], id)
	binary.BigEndian.PutUint32(buf[16:], q)
	binary.BigEndian.PutUint16(buf[20:], uint16(i))
	n := p.N
	copy(buf[23:], tmp[:n])
	for j := from; j < to; j++ {
		buf[22] = byte(j)
		sum(p.Hash, buf[23:], buf[:23+n], n)
	}
	copy(tmp[:n], buf[23:23+n])
}

// otsCandidate computes the candidate LM-OTS public key Kc of a signature
// (RFC 8554 Algorithm 4b) into kc.
func otsCandidate(p OTSParams, id []byte, q uint32, c, y, msg, kc []byte) {
	var qbuf [34]byte
	messageHash(p, id, q, c, msg, qbuf[:])
	digits := withChecksum(p, qbuf[:])
	st := newStream(p.Hash)
	var hdr [22]byte
	copy(hdr[:], id)
	binary.BigEndian.PutUint32(hdr[16:], q)
	binary.BigEndian.PutUint16(hdr[20:], dPBLC)
	st.Write(hdr[:])
	var tmp [32]byte
	for i := range p.P {
		copy(tmp[:], y[i*p.N:(i+1)*p.N])
		chain(p, id, q, i, coef(digits, i, p.W), 1<<p.W-1, tmp[:])
		st.Write(tmp[:p.N])
	}
	st.sumReset(kc, p.N)
}
