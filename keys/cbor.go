package keys

import "github.com/fxamacker/cbor/v2"

// Encoding and decoding policy for the COSE_Keys this package writes and
// reads.
var (
	// encMode writes deterministic CBOR (RFC 8949 section 4.2.1).
	encMode cbor.EncMode
	// keyDecMode parses untrusted COSE_Key files: no duplicate keys, no
	// indefinite lengths, no tags, small containers.
	keyDecMode cbor.DecMode
)

func init() {
	var err error
	encMode, err = cbor.EncOptions{
		Sort:        cbor.SortCoreDeterministic,
		IndefLength: cbor.IndefLengthForbidden,
	}.EncMode()
	if err != nil {
		panic(err)
	}
	keyDecMode, err = cbor.DecOptions{
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		IndefLength:      cbor.IndefLengthForbidden,
		TagsMd:           cbor.TagsForbidden,
		MaxNestedLevels:  4,
		MaxArrayElements: 16,
		MaxMapPairs:      16,
		IntDec:           cbor.IntDecConvertSignedOrFail,
		BignumTag:        cbor.BignumTagForbidden,
		UTF8:             cbor.UTF8RejectInvalid,
	}.DecMode()
	if err != nil {
		panic(err)
	}
}
