package encryption

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/chacha20"
	//lint:ignore SA1019 the AEAD package opens whole messages only; streaming decryption in bounded memory needs the MAC on its own (RFC 8439 section 2.8 composition, tested against chacha20poly1305)
	"golang.org/x/crypto/poly1305"
)

const (
	tagSize = 16
	// bufSize is the ciphertext buffered at a time: decryption needs
	// bufSize+16 bytes whatever the image size.
	bufSize = 32 << 10
	// maxGCMBytes: GCM's 32-bit block counter starts at 2.
	maxGCMBytes = (1<<32 - 2) * 16
)

// mac is the streaming authenticator of an AEAD.
type mac interface {
	write(p []byte)
	// verify finishes the tag over aadLen bytes of AAD and ctLen of
	// ciphertext and compares it with tag in constant time.
	verify(tag []byte, aadLen, ctLen uint64) bool
}

// hasher is GHASH: the table implementation (ghash) or the one that
// lets the standard library's GCM do the work (fastGHASH).
type hasher interface {
	write(p []byte)
	pad()
	sum(aadLen, ctLen uint64) [16]byte
}

type gcmMAC struct {
	g  hasher
	ek [16]byte // E(K, J0)
}

func (m *gcmMAC) write(p []byte) { m.g.write(p) }
func (m *gcmMAC) verify(tag []byte, aadLen, ctLen uint64) bool {
	s := m.g.sum(aadLen, ctLen)
	for i := range s {
		s[i] ^= m.ek[i]
	}
	return subtle.ConstantTimeCompare(s[:], tag) == 1
}

type polyMAC struct {
	m *poly1305.MAC
}

func (m *polyMAC) write(p []byte) { m.m.Write(p) }
func (m *polyMAC) verify(tag []byte, aadLen, ctLen uint64) bool {
	var zeros [16]byte
	if r := ctLen % 16; r != 0 {
		m.m.Write(zeros[:16-r])
	}
	var lens [16]byte
	binary.LittleEndian.PutUint64(lens[:8], aadLen)
	binary.LittleEndian.PutUint64(lens[8:], ctLen)
	m.m.Write(lens[:])
	return m.m.Verify(tag)
}

// decReader decrypts a ciphertext stream.
type decReader struct {
	src    io.Reader
	stream cipher.Stream
	mac    mac // nil for AES-CTR
	aadLen uint64
	limit  uint64 // most ciphertext bytes allowed (GCM counter)

	buf        []byte
	start, end int
	eof        bool
	total      uint64
	err        error
}

// NewReader returns a reader of the plaintext of the ciphertext that src
// delivers (the payload), decrypted with the content key cek in bounded
// memory (about 32 KiB, 64 KiB for AES-GCM, whatever the size). For AEAD
// content the last 16 bytes are the tag: the reader returns plaintext as
// it goes and verifies the tag at the end of src, returning an error matching ErrAuthentication
// instead of io.EOF if it does not verify (ErrTruncated too if the input
// is shorter than a tag). A caller must therefore stage what it reads and
// commit nothing before the reader has returned io.EOF. AES-CTR content
// has no integrity protection: its plaintext must be checked against an
// image digest.
func (info *Info) NewReader(cek []byte, src io.Reader) (io.Reader, error) {
	if len(cek) != info.Alg.ContentKeySize() {
		return nil, fmt.Errorf("%w: %s needs a %d-byte content key, got %d", ErrKey, info.Alg, info.Alg.ContentKeySize(), len(cek))
	}
	if len(info.IV) != info.Alg.ivSize() {
		return nil, malformed("%s needs a %d-byte IV", info.Alg, info.Alg.ivSize())
	}
	d := &decReader{src: src, buf: make([]byte, bufSize+tagSize), limit: 1<<63 - 1}
	switch info.Alg {
	case A128GCM, A256GCM:
		blk, err := aes.NewCipher(cek)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrKey, err)
		}
		var h, j0 [16]byte
		blk.Encrypt(h[:], h[:])
		copy(j0[:], info.IV)
		j0[15] = 1
		m := &gcmMAC{}
		if f := newFastGHASH(blk, h); f != nil {
			m.g = f
		} else {
			m.g = newGHASH(h)
		}
		blk.Encrypt(m.ek[:], j0[:])
		j0[15] = 2
		d.stream = cipher.NewCTR(blk, j0[:])
		d.mac, d.limit = m, maxGCMBytes
		aad := info.encStructure()
		m.g.write(aad)
		m.g.pad()
		d.aadLen = uint64(len(aad))
	case ChaCha20Poly1305:
		c, err := chacha20.NewUnauthenticatedCipher(cek, info.IV)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrKey, err)
		}
		var pk [32]byte
		c.XORKeyStream(pk[:], pk[:])
		c.SetCounter(1)
		m := &polyMAC{m: poly1305.New(&pk)}
		aad := info.encStructure()
		m.m.Write(aad)
		if r := len(aad) % 16; r != 0 {
			m.m.Write(make([]byte, 16-r))
		}
		d.stream, d.mac, d.aadLen = c, m, uint64(len(aad))
		d.limit = (1<<32 - 1) * 64
	case A128CTR, A256CTR:
		blk, err := aes.NewCipher(cek)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrKey, err)
		}
		d.stream = cipher.NewCTR(blk, info.IV)
	default:
		return nil, &AlgorithmError{Algorithm: info.Alg, Where: "content", Reason: "is not supported"}
	}
	return d, nil
}

func (d *decReader) hold() int {
	if d.mac == nil {
		return 0
	}
	return tagSize
}

func (d *decReader) Read(p []byte) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if avail := d.end - d.start - d.hold(); avail > 0 {
			k := min(avail, len(p))
			if d.total+uint64(k) > d.limit {
				d.err = fmt.Errorf("%w: ciphertext longer than %s allows", ErrMalformed, "the algorithm")
				return 0, d.err
			}
			ct := d.buf[d.start : d.start+k]
			if d.mac != nil {
				d.mac.write(ct)
			}
			d.stream.XORKeyStream(p[:k], ct)
			d.start += k
			d.total += uint64(k)
			return k, nil
		}
		if d.eof {
			d.err = d.finish()
			return 0, d.err
		}
		if d.start > 0 {
			d.end = copy(d.buf, d.buf[d.start:d.end])
			d.start = 0
		}
		n, err := d.src.Read(d.buf[d.end:])
		d.end += n
		if errors.Is(err, io.EOF) {
			d.eof = true
		} else if err != nil {
			d.err = err
			return 0, err
		}
	}
}

// finish checks the tag at the end of the input.
func (d *decReader) finish() error {
	if d.mac == nil {
		return io.EOF
	}
	if d.end-d.start < tagSize {
		return fmt.Errorf("%w: %w: the ciphertext ends before its %d-byte tag", ErrAuthentication, ErrTruncated, tagSize)
	}
	if !d.mac.verify(d.buf[d.start:d.end], d.aadLen, d.total) {
		return fmt.Errorf("%w: the tag does not verify (wrong key, or altered ciphertext or tag)", ErrAuthentication)
	}
	return io.EOF
}

// Decrypt decrypts a whole payload held in memory with the content key
// cek (see NewReader for the checks).
func (info *Info) Decrypt(cek, ciphertext []byte) ([]byte, error) {
	r, err := info.NewReader(cek, bytesReader(ciphertext))
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, max(len(ciphertext)-tagSize, 0))
	var chunk [bufSize]byte
	for {
		n, err := r.Read(chunk[:])
		out = append(out, chunk[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			clear(out)
			return nil, err
		}
	}
}

type sliceReader struct{ b []byte }

func bytesReader(b []byte) *sliceReader { return &sliceReader{b} }
func (r *sliceReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}
