package delta_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/suitkit/suitkit/delta"
	"github.com/suitkit/suitkit/delta/differ"
)

func Example() {
	old := bytes.Repeat([]byte("firmware v1: jump to 0x1000; "), 40)
	new := bytes.ReplaceAll(old, []byte("v1"), []byte("v2"))

	var patch bytes.Buffer
	if err := differ.Diff(context.Background(), old, new, &patch, nil); err != nil {
		log.Fatal(err)
	}
	var out bytes.Buffer
	err := delta.Apply(bytes.NewReader(old), int64(len(old)), &patch, &out, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(bytes.Equal(out.Bytes(), new))
	// Output: true
}

func ExampleReadHeader() {
	old := []byte("hello, old world")
	new := []byte("hello, new world!")
	var patch bytes.Buffer
	if err := differ.Diff(context.Background(), old, new, &patch, nil); err != nil {
		log.Fatal(err)
	}
	h, err := delta.ReadHeader(bytes.NewReader(patch.Bytes()))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.Version, h.OldSize, h.NewSize, h.ApplyMemory <= differ.DefaultBlockMemory)
	// Output: 1 16 17 true
}

func ExampleApply_wrongOldImage() {
	old := []byte("version one of the image")
	new := []byte("version two of the image")
	var patch bytes.Buffer
	if err := differ.Diff(context.Background(), old, new, &patch, nil); err != nil {
		log.Fatal(err)
	}
	other := []byte("version 1.5 of the image")[:len(old)]
	var out bytes.Buffer
	err := delta.Apply(bytes.NewReader(other), int64(len(other)), &patch, &out, nil)
	fmt.Println(errors.Is(err, delta.ErrOldImageMismatch), out.Len())
	// Output: true 0
}

func ExampleLimits() {
	old := bytes.Repeat([]byte{1, 2, 3, 4}, 1000)
	new := append(bytes.Clone(old), 5)
	var patch bytes.Buffer
	// Small blocks: the device needs little RAM to apply.
	if err := differ.Diff(context.Background(), old, new, &patch, &differ.Options{BlockMemory: differ.MinBlockMemory}); err != nil {
		log.Fatal(err)
	}
	// A device with a 1 MiB budget for patch buffers.
	lim := &delta.Limits{MaxMemory: 1 << 20, MaxNewSize: 1 << 20}
	var out bytes.Buffer
	err := delta.Apply(bytes.NewReader(old), int64(len(old)), &patch, &out, lim)
	fmt.Println(err, out.Len())
	// Output: <nil> 4001
}
