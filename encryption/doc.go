// Package encryption implements SUIT firmware encryption
// (draft-ietf-suit-firmware-encryption): the COSE_Encrypt carried in
// suit-parameter-encryption-info, the unwrapping of its content key for a
// device, streaming decryption of the payload in bounded memory, and, for
// build tools, encryption for one or many recipients.
//
// # Algorithms
//
// Content encryption: A128GCM (1), A256GCM (3), ChaCha20/Poly1305 (24),
// which authenticate the content, and A128CTR (-65534), A256CTR (-65532)
// (RFC 9459), which do not: CTR content must be checked against an image
// digest. Key distribution: AES Key Wrap with a pre-shared key-encryption
// key, A128KW (-3), A192KW (-4), A256KW (-5) (RFC 3394, implemented here),
// and ECDH-ES + AES-KW, ECDH-ES+A128KW (-29) and ECDH-ES+A256KW (-31), on
// P-256 or X25519, with the draft's KDF: HKDF-SHA256 over the shared
// secret, the salt header as salt (none when absent) and the SUIT
// COSE_KDF_Context as info (KDFContext). Everything else (A192GCM, direct
// or ECDH-ES+HKDF recipients, static-static ECDH, nested recipients, crit,
// PartyU/PartyV headers, COSE_Encrypt0) is refused with an error matching
// ErrUnsupportedAlgorithm or ErrUnsupported. The identifiers are exported
// as Algorithm constants, listed by ContentAlgorithms and KeyAlgorithms.
//
// # Device side
//
// ParseInfo reads the encryption info (any key order, as COSE allows;
// duplicate labels, indefinite lengths and oversized counts refused).
// Info.ContentKey asks the device's keys (RecipientKey: KEK and ECDHKey in
// software; a secure element implements the interface) for the content key
// of the first recipient addressed to them. Info.NewReader decrypts the
// payload as it streams, holding at most 64 KiB whatever the image size; for
// AEAD content it verifies the tag at the end of the input and reports
// ErrAuthentication instead of io.EOF when it does not verify, so a caller
// stages what it reads and commits only after io.EOF.
//
// # Build side
//
// Encrypt encrypts a payload under a fresh content key and IV for the
// recipients given and returns the ciphertext and the Info, whose Encode
// gives the deterministic encryption info for the manifest.
//
// Errors match the sentinels in errors.go with errors.Is.
package encryption
