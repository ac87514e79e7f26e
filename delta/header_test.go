package delta

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"testing"

	"github.com/suitkit/suitkit/delta/internal/diffcore"
)

func TestReadHeaderReportsImagesAndConsumesOnlyHeader(t *testing.T) {
	old := bytes.Repeat([]byte("old image "), 100)
	new := bytes.Repeat([]byte("new image "), 120)
	var p bytes.Buffer
	if err := diffcore.Diff(context.Background(), old, new, &p, nil); err != nil {
		t.Fatal(err)
	}
	patch := p.Bytes()
	br := bufio.NewReader(bytes.NewReader(patch))
	h, err := ReadHeader(br)
	if err != nil {
		t.Fatal(err)
	}
	if h.OldSize != int64(len(old)) || h.NewSize != int64(len(new)) ||
		h.OldDigest != sha256.Sum256(old) || h.NewDigest != sha256.Sum256(new) {
		t.Fatalf("header %+v does not describe the images", h)
	}
	if h.Version < 1 || h.Version > FormatVersion || h.ApplyMemory <= 0 || h.Codecs == 0 {
		t.Fatalf("header %+v", h)
	}
	rest, _ := io.ReadAll(br)
	if hl := len(headerBytes(h)); !bytes.Equal(rest, patch[hl:]) {
		t.Fatalf("ReadHeader consumed %d bytes, header is %d", len(patch)-len(rest), hl)
	}
}

func TestReadHeaderRejectsGarbage(t *testing.T) {
	for _, in := range [][]byte{nil, []byte("SKD"), []byte("BSDIFF40xxxxxxxx"), append([]byte(Magic), 1, 1)} {
		if _, err := ReadHeader(bytes.NewReader(in)); !errors.Is(err, ErrMalformed) {
			t.Fatalf("%q: err = %v", in, err)
		}
	}
	// Non-minimal varint for the old size.
	bad := append([]byte(Magic), 1, 1, 0x80, 0x00)
	if _, err := ReadHeader(bytes.NewReader(bad)); !errors.Is(err, ErrMalformed) {
		t.Fatalf("non-minimal varint: err = %v", err)
	}
}
