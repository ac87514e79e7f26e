package build_test

import (
	"fmt"

	"github.com/suitkit/suitkit/build"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/suit/text"
)

// Build an unsigned envelope for one image fetched from a URI and booted,
// then print it as an outline.
func ExampleBuilder() {
	vendor := suit.NewUUID5(suit.NamespaceDNS, []byte("example.com"))
	class := suit.NewUUID5(vendor, []byte("sensor-board-v2"))

	b := build.New(7)
	err := b.AddImage(build.Image{
		VendorID: vendor,
		ClassID:  class,
		Data:     []byte("firmware image, version 7"),
		URI:      "https://updates.example.com/sensor-v7.bin",
		Invoke:   true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	env, err := b.Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	data, _ := env.Encode()
	tree, _ := text.Format(data, text.Tree)
	fmt.Print(string(tree))
	// Output:
	// SUIT envelope (tag 107)
	//   suit-authentication-wrapper
	//     suit-digest: sha-256 e31e31246c646b4cac417c127341723f97084fe663969d52b27f00d5443837e1
	//   suit-manifest
	//     suit-manifest-version: 1
	//     suit-manifest-sequence-number: 7
	//     suit-common
	//       suit-components
	//         [0]: [00]
	//       suit-shared-sequence
	//         - suit-directive-override-parameters
	//           suit-parameter-vendor-identifier: cfbff0d1-9375-5685-968c-48ce8b15ae17
	//           suit-parameter-class-identifier: af819e4b-170d-5f69-b1d5-d35c56a8c59d
	//           suit-parameter-image-digest: sha-256 9f1e7f819df34df4c6666625057fdb172ccaed0515e9e1d087753415731712bb
	//           suit-parameter-image-size: 25
	//         - suit-condition-vendor-identifier: [record-on-success, record-on-failure, sysinfo-success, sysinfo-failure]
	//         - suit-condition-class-identifier: [record-on-success, record-on-failure, sysinfo-success, sysinfo-failure]
	//     suit-validate
	//       - suit-condition-image-match: [record-on-success, record-on-failure, sysinfo-success, sysinfo-failure]
	//     suit-invoke
	//       - suit-directive-invoke: [record-on-failure]
	//     suit-install
	//       - suit-directive-override-parameters
	//         suit-parameter-uri: https://updates.example.com/sensor-v7.bin
	//       - suit-directive-fetch: [record-on-failure]
	//       - suit-condition-image-match: [record-on-success, record-on-failure, sysinfo-success, sysinfo-failure]
}

// Two components: every sequence selects its component first.
func ExampleBuilder_multiComponent() {
	vendor := suit.NewUUID5(suit.NamespaceDNS, []byte("example.com"))
	class := suit.NewUUID5(vendor, []byte("gateway"))
	b := build.New(1)
	for _, img := range []build.Image{
		{Component: suit.ComponentID{[]byte("boot")}, Data: []byte("bootloader"), URI: "https://example.com/boot.bin"},
		{Component: suit.ComponentID{[]byte("app")}, Data: []byte("application"), Integrated: "#app.bin", Invoke: true},
	} {
		img.VendorID, img.ClassID = vendor, class
		if err := b.AddImage(img); err != nil {
			fmt.Println(err)
			return
		}
	}
	env, err := b.Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range env.Manifest.Install.Sequence.Commands {
		fmt.Println(suit.CommandName(c.ID))
	}
	fmt.Println(len(env.Integrated["#app.bin"]), "bytes integrated")
	// Output:
	// suit-directive-set-component-index
	// suit-directive-override-parameters
	// suit-directive-fetch
	// suit-condition-image-match
	// suit-directive-set-component-index
	// suit-directive-override-parameters
	// suit-directive-fetch
	// suit-condition-image-match
	// 11 bytes integrated
}
