// Package report is SUIT_Report (draft-ietf-suit-report): what a device
// tells its update server it did with a manifest, authenticated so that the
// server can trust it.
//
// A device builds a [Report] from what its processor did
// (process.Report.SUIT does that, following each command's reporting
// policy), encodes it per the draft's CDDL and seals it with [Seal] in a
// COSE_Sign1 or COSE_Mac0 whose payload is the report (attached, unlike a
// manifest's detached authentication blocks). The key is an
// [Authenticator], so a secure element can hold it; [KeyAuthenticator]
// wraps a keys.Key. Where the report itself is confidential,
// [SealEncrypted] first encrypts it into a COSE_Encrypt0 (AES-GCM with a
// [ContentKey] the device shares with its server), the form the draft's
// CDDL puts inside the signed or MACed payload; [VerifyEncrypted] opens it.
//
// A server opens a report with [Verify] (the device's public key or MAC
// secret), checks with [Report.Check] that it names the manifest the server
// sent (digest, URI, nonce) and reads the typed [Report.Outcome]: installed,
// a failed condition, deferred (retry later), expired, rejected
// (authentication or anti-rollback) or failed.
//
// Reports are untrusted input on the server: [Decode] accepts only
// deterministic CBOR, caps sizes, counts and nesting ([Limits]) and returns
// errors matching [ErrMalformed] or [ErrLimit]; [Verify] adds
// [ErrUnauthenticated]. The package links no general-purpose CBOR library,
// so a device can build and seal reports with it.
package report
