// Package diag prints CBOR in the diagnostic notation of RFC 8949 section 8,
// the notation in which the SUIT drafts show their examples.
//
// With [Options].EmbeddedCBOR, bstr-wrapped structures are shown as
// <<item>> (the extended notation of RFC 8610 appendix G), and with
// [Options].Annotate the item is read as a SUIT envelope and the IETF names
// of keys, commands, parameters, UUIDs and digest algorithms are added as
// comments, so an envelope can be compared with the draft line by line.
// Annotations are only comments: removing them gives the plain notation.
//
// It prints any CBOR item, SUIT or not, and is meant for untrusted input:
// malformed CBOR is an error matching suit.ErrMalformed, never a panic, and
// nesting is bounded across embedded layers ([Options].MaxDepth). It is a
// package of its own, not part of suit, because it serves people and tools;
// a device that verifies and processes manifests has no use for it.
package diag
