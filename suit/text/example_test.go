package text_test

import (
	"bytes"
	"fmt"

	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/suit/text"
)

// Write a manifest in YAML with IETF names, build the envelope, and read it
// back as JSON.
func ExampleParse() {
	spec := []byte(`
suit-manifest:
  suit-manifest-version: 1
  suit-manifest-sequence-number: 2
  suit-common:
    suit-components: [["00"]]
    suit-shared-sequence:
      - suit-directive-override-parameters:
          suit-parameter-vendor-identifier: {uuid5-dns: example.com}
          suit-parameter-image-digest:
            suit-digest-algorithm-id: sha-256
            suit-digest-bytes: 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
          suit-parameter-image-size: 1024
      - suit-condition-vendor-identifier: [suit-send-record-on-failure]
  suit-validate:
    - suit-condition-image-match: 15
`)
	env, err := text.Parse(spec, text.YAML, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := suit.Decode(env, nil); err != nil {
		fmt.Println(err)
		return
	}
	js, _ := text.Format(env, text.JSON)
	back, _ := text.Parse(js, text.JSON, nil)
	fmt.Println(bytes.Equal(back, env))
	start := bytes.Index(js, []byte(`"suit-validate"`))
	fmt.Print(string(js[start:]))
	// Output:
	// true
	// "suit-validate": [
	//       {"suit-condition-image-match": ["suit-send-record-on-success", "suit-send-record-on-failure", "suit-send-sysinfo-success", "suit-send-sysinfo-failure"]}
	//     ]
	//   }
	// }
}
