package diag_test

import (
	"fmt"

	"github.com/suitkit/suitkit/suit/diag"
)

// Print a SUIT_Digest wrapped in a bstr, as the draft writes it.
func ExampleFormat() {
	data := []byte{0x46, 0x82, 0x2f, 0x43, 0x01, 0x02, 0x03}
	s, err := diag.Format(data, &diag.Options{EmbeddedCBOR: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s)
	plain, _ := diag.Format(data, nil)
	fmt.Println(plain)
	// Output:
	// << [-16, h'010203'] >>
	// h'822f43010203'
}
