package process

import (
	"context"
	"io"
)

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
