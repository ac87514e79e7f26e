// Package text converts SUIT envelopes to and from a structural text form
// in JSON or YAML, and renders an indented outline for people.
//
// Authors write a manifest as a document instead of code, reviewers read
// what an envelope says without a CBOR decoder, and the command line's show
// and create commands are built on it. [Format] and [Parse] are exact
// inverses: the text names every element with its IETF name but keeps
// everything it does not describe, so an envelope survives the round trip
// byte for byte, signatures included. The text form names the structure;
// it does not check SUIT semantics or signatures (decode with suit.Decode
// and verify with package verify for that).
//
// It is a package of its own, not part of suit, because devices do not
// need it: a build that only verifies and processes manifests does not link
// a JSON or YAML parser, and a review of the device side does not have to
// cover them. Untrusted input is still handled with care: nesting is
// bounded, files referenced by a spec are confined to [Options].Dir and
// capped in size, and every error is an *[Error] saying where.
//
// # The structural text form
//
// Both directions use the same tables:
//
//   - The top level is an object: "suit-envelope-tagged" (tag 107, default
//     true when reading), "suit-authentication-wrapper", "suit-manifest",
//     severed members under their names ("suit-install", "suit-text", ...),
//     and "suit-integrated-payloads": {"#name": hex}. A bare
//     SUIT_Manifest_Tagged (tag 1070) is {"suit-manifest-tagged": manifest}.
//   - Maps with integer keys (manifest, common, parameters, text) are
//     objects whose member names are the IETF names
//     ("suit-manifest-sequence-number", "suit-parameter-image-digest", ...);
//     a key without a name is written as its decimal number ("-300").
//   - Command sequences are arrays of one-member objects, in order:
//     [{"suit-directive-override-parameters": {...}},
//     {"suit-condition-vendor-identifier": ["suit-send-record-on-success", ...]}].
//     Reporting policies are arrays of bit names (an integer when bits
//     above 3 are set); set-component-index takes an integer, true or an
//     array; try-each an array of sequences (and a final null).
//   - Bstr-wrapped CBOR (manifest, common, sequences, digests, text) is shown
//     decoded. Other byte strings are lower-case hex; vendor, class and
//     device identifiers are UUID strings; a SUIT_Digest is
//     {"suit-digest-algorithm-id": "sha-256", "suit-digest-bytes": hex}
//     (reading also accepts "cose-alg-sha-256" and the number -16).
//   - A severed element in the manifest is {"suit-digest": digest}.
//   - The authentication wrapper is {"suit-digest": digest,
//     "suit-authentication-blocks": [each COSE block in the generic form]}.
//     null means the envelope has no wrapper.
//   - SUIT_Text is {lang: {"suit-text-manifest-description": ...,
//     "suit-text-components": [{"suit-component-identifier": [hex...],
//     "suit-text-vendor-domain": ...}]}}.
//   - CBOR the schema does not describe (unknown keys, custom parameters,
//     COSE blocks, the version, wait-info, metadata and encryption-info
//     parameters, set-version) uses a generic form: integers, strings,
//     booleans, null and arrays as themselves; {"bstr": hex}; {"cbor": item}
//     for a byte string holding CBOR; maps with integer keys as objects
//     with decimal member names; {"tag": n, "value": item}.
//   - Anything that does not fit is kept exactly: a byte string as the hex
//     of its content, any other item as {"cbor-hex": encoding}. Parse
//     accepts {"cbor-hex": ...} in any position.
//
// Authoring conveniences accepted by Parse only:
//
//   - A UUID may be {"uuid5-dns": "example.com"} or
//     {"uuid5": {"namespace": "dns"|"url"|"oid"|"x500"|uuid, "name": "..."}}.
//   - A digest may be {"file": "fw.bin"} (SHA-256 unless
//     "suit-digest-algorithm-id" says otherwise), and
//     "suit-parameter-image-size" may be {"file": "fw.bin"}.
//   - Any byte string, such as an integrated payload, may be {"file": "fw.bin"}.
//   - Without "suit-authentication-wrapper", or with a digest that has no
//     "suit-digest-bytes", the manifest digest is computed (an unsigned
//     envelope); a severed element's {"suit-digest": {}} is computed from
//     the envelope's copy.
//
// Files are resolved in [Options].Dir and may not leave it.
package text
