package sign

import "github.com/fxamacker/cbor/v2"

// encMode writes the COSE blocks this package builds in deterministic CBOR
// (RFC 8949 section 4.2.1).
var encMode = func() cbor.EncMode {
	m, err := cbor.EncOptions{
		Sort:        cbor.SortCoreDeterministic,
		IndefLength: cbor.IndefLengthForbidden,
	}.EncMode()
	if err != nil {
		panic(err)
	}
	return m
}()
