package cbor_test

import (
	"fmt"

	"github.com/suitkit/suitkit/internal/cbor"
)

func ExampleReadHead() {
	item := cbor.AppendHead(nil, cbor.Bytes, 300) // a 300-byte bstr's head
	maj, ai, arg, n, err := cbor.ReadHead(item)
	fmt.Printf("%x: major %d, length %d, head %d bytes, shortest %v, %v\n", item, maj, arg, n, cbor.Shortest(ai, arg), err)
	// Output: 59012c: major 2, length 300, head 3 bytes, shortest true, <nil>
}
