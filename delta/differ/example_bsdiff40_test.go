package differ_test

import (
	"bytes"
	"context"
	"fmt"
	"log"

	"github.com/suitkit/suitkit/delta"
	"github.com/suitkit/suitkit/delta/differ"
)

// A BSDIFF40 patch made here applies with Debian's bspatch, and one made by
// bsdiff applies here.
func ExampleWriteBSDIFF40() {
	old := bytes.Repeat([]byte("firmware v1: call 0x08001000\n"), 100)
	new := bytes.Repeat([]byte("firmware v2: call 0x08001010\n"), 101)

	var patch bytes.Buffer
	if err := differ.WriteBSDIFF40(context.Background(), &patch, old, new, nil); err != nil {
		log.Fatal(err)
	}
	var out bytes.Buffer
	if err := delta.ApplyBSDIFF40(bytes.NewReader(old), int64(len(old)), bytes.NewReader(patch.Bytes()), &out, nil); err != nil {
		log.Fatal(err)
	}
	fmt.Println(delta.IsBSDIFF40(patch.Bytes()), bytes.Equal(out.Bytes(), new))
	// Output: true true
}
