package suit_test

import (
	"fmt"

	"github.com/suitkit/suitkit/suit"
)

// The draft's recommended identifiers: vendor-id from the vendor's domain
// name, class-id from the vendor-id and a model name.
func ExampleNewUUID5() {
	vendor := suit.NewUUID5(suit.NamespaceDNS, []byte("arm.com"))
	fmt.Println(vendor)
	class := suit.NewUUID5(vendor, []byte("my-board-rev-b"))
	fmt.Println(class.Version())
	// Output:
	// fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe
	// 5
}
