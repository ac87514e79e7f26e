package suit_test

import (
	"fmt"

	"github.com/suitkit/suitkit/suit"
)

// The draft's recommended identifiers: vendor-id from the vendor's domain
// name, class-id from the vendor-id and a class name. These are the ids of
// the draft's examples.
func ExampleNewUUID5() {
	vendor := suit.NewUUID5(suit.NamespaceDNS, []byte("arm.com"))
	fmt.Println(vendor)
	class := suit.NewUUID5(vendor, []byte("suit"))
	fmt.Println(class)
	// Output:
	// fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe
	// 1492af14-2569-5e48-bf42-9b2d51f2ab45
}
