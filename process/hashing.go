package process

import (
	"context"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"fmt"
	"hash"
	"io"

	"github.com/suitkit/suitkit/suit"
)

// hasher is a streaming digest for any SUIT digest algorithm.
type hasher interface {
	io.Writer
	Sum() []byte
}

type stdHasher struct{ hash.Hash }

func (h stdHasher) Sum() []byte { return h.Hash.Sum(nil) }

type shakeHasher struct {
	s   *sha3.SHAKE
	out int
}

func (h shakeHasher) Write(p []byte) (int, error) { return h.s.Write(p) }
func (h shakeHasher) Sum() []byte {
	out := make([]byte, h.out)
	h.s.Read(out)
	return out
}

func newHasher(alg int64) (hasher, error) {
	switch alg {
	case suit.AlgSHA256:
		return stdHasher{sha256.New()}, nil
	case suit.AlgSHA384:
		return stdHasher{sha512.New384()}, nil
	case suit.AlgSHA512:
		return stdHasher{sha512.New()}, nil
	case suit.AlgSHAKE128:
		return shakeHasher{sha3.NewSHAKE128(), 32}, nil
	case suit.AlgSHAKE256:
		return shakeHasher{sha3.NewSHAKE256(), 64}, nil
	}
	return nil, fmt.Errorf("digest algorithm %d not supported", alg)
}

// ctxReader fails reads once ctx is done, so long copies stop on
// cancellation.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
