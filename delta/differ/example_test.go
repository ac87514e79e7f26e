package differ_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/suitkit/suitkit/delta"
	"github.com/suitkit/suitkit/delta/differ"
)

// Diff on the host, delta.Apply on the device.
func ExampleDiff() {
	old := bytes.Repeat([]byte("firmware v1: jump to 0x1000; "), 40)
	new := bytes.ReplaceAll(old, []byte("v1"), []byte("v2"))

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var patch bytes.Buffer
	if err := differ.Diff(ctx, old, new, &patch, &differ.Options{Concurrency: 1}); err != nil {
		log.Fatal(err)
	}
	var out bytes.Buffer
	if err := delta.Apply(bytes.NewReader(old), int64(len(old)), &patch, &out, nil); err != nil {
		log.Fatal(err)
	}
	fmt.Println(bytes.Equal(out.Bytes(), new))
	// Output: true
}

// A cancelled context stops Diff with the context's error.
func ExampleDiff_cancelled() {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var patch bytes.Buffer
	err := differ.Diff(ctx, []byte("old image"), []byte("new image"), &patch, nil)
	fmt.Println(errors.Is(err, context.Canceled))
	// Output: true
}
