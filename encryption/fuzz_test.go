package encryption

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
	"golang.org/x/crypto/chacha20poly1305"
)

// FuzzParseInfo: ParseInfo never panics, every error matches a sentinel,
// and accepted info survives Encode and ParseInfo unchanged (Encode's
// output is the canonical form of what was accepted). Seeds: the draft's
// four encryption infos and one of each algorithm.
func FuzzParseInfo(f *testing.F) {
	if dir := testshared.Find("conformance/encryption"); dir != "" {
		files, _ := filepath.Glob(filepath.Join(dir, "suit-encryption-info-*.cbor"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	tos, _ := recipientKeys(f)
	for _, alg := range ContentAlgorithms() {
		_, info, err := Encrypt([]byte("seed"), &EncryptOptions{Alg: alg, Recipients: tos[:4]})
		if err != nil {
			f.Fatal(err)
		}
		b, _ := info.Encode()
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := ParseInfo(b)
		if err != nil {
			if info != nil {
				t.Fatal("error with non-nil info")
			}
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrUnsupportedAlgorithm) {
				t.Fatalf("error matches no sentinel: %v", err)
			}
			return
		}
		enc, err := info.Encode()
		if err != nil {
			t.Fatalf("accepted info does not encode: %v", err)
		}
		again, err := ParseInfo(enc)
		if err != nil {
			t.Fatalf("encoded info does not parse: %v", err)
		}
		enc2, err := again.Encode()
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("second round trip differs (%v)", err)
		}
		if again.Alg != info.Alg || !bytes.Equal(again.IV, info.IV) || len(again.Recipients) != len(info.Recipients) {
			t.Fatal("fields changed in the round trip")
		}
	})
}

// FuzzDecryptStream: the streaming decryptor, fed any ciphertext in pieces
// of any size, agrees with the standard library's one-shot AEAD (same
// plaintext, or an error matching ErrAuthentication where Open fails), and
// never returns more plaintext than the ciphertext minus the tag.
func FuzzDecryptStream(f *testing.F) {
	f.Add(uint8(0), []byte("0123456789abcdef0123456789abcdef"), uint16(7), []byte("plaintext"), false)
	f.Add(uint8(1), []byte("0123456789abcdef0123456789abcdef"), uint16(1), bytes.Repeat([]byte{1}, 100), true)
	f.Add(uint8(2), []byte("0123456789abcdef0123456789abcdef"), uint16(33), bytes.Repeat([]byte{2}, 70), false)
	f.Fuzz(func(t *testing.T, which uint8, key []byte, chunk uint16, data []byte, seal bool) {
		alg := []Algorithm{A128GCM, A256GCM, ChaCha20Poly1305, A128CTR, A256CTR}[int(which)%5]
		if len(key) < alg.ContentKeySize() {
			return
		}
		cek := key[:alg.ContentKeySize()]
		info := &Info{Alg: alg, IV: bytes.Repeat([]byte{7}, alg.ivSize())}
		var aead cipher.AEAD
		switch alg {
		case A128GCM, A256GCM:
			info.Protected = protectedAlg(alg)
			blk, _ := aes.NewCipher(cek)
			aead, _ = cipher.NewGCM(blk)
		case ChaCha20Poly1305:
			info.Protected = protectedAlg(alg)
			aead, _ = chacha20poly1305.New(cek)
		}
		ct := data
		if seal && aead != nil {
			ct = aead.Seal(nil, info.IV, data, info.encStructure())
		}
		r, err := info.NewReader(cek, &chunkReader{b: ct, n: int(chunk)%97 + 1})
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if aead == nil {
			blk, _ := aes.NewCipher(cek)
			want := make([]byte, len(ct))
			cipher.NewCTR(blk, info.IV).XORKeyStream(want, ct)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("CTR differs (%v)", err)
			}
			return
		}
		if len(got) > max(len(ct)-tagSize, 0) {
			t.Fatalf("%d bytes of plaintext from %d of ciphertext", len(got), len(ct))
		}
		want, oerr := aead.Open(nil, info.IV, ct, info.encStructure())
		if oerr != nil {
			if !errors.Is(err, ErrAuthentication) {
				t.Fatalf("Open fails (%v), stream gives %v", oerr, err)
			}
			return
		}
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("stream %v, plaintext differs from Open's", err)
		}
	})
}

// chunkReader returns at most n bytes per Read.
type chunkReader struct {
	b []byte
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	k := min(len(p), c.n, len(c.b))
	copy(p, c.b[:k])
	c.b = c.b[k:]
	return k, nil
}
