package process

import (
	"context"
	"io"
	"time"

	"github.com/suitkit/suitkit/encryption"
	"github.com/suitkit/suitkit/profile"
	"github.com/suitkit/suitkit/report"
	"github.com/suitkit/suitkit/suit"
)

// Content is the present content of one component, readable at random
// offsets (a delta patch reads the old image out of order).
type Content interface {
	io.ReaderAt
	// Size is the number of bytes stored.
	Size() int64
	// Close releases the content.
	Close() error
}

// Staging is new content for one component that is not visible until
// Commit. Writes go to a staging area (a temporary file, the other slot of
// an A/B pair, ...); Commit makes them the component's content in one atomic
// step, so that a power loss leaves either the old or the new content.
type Staging interface {
	io.Writer
	// Commit atomically replaces the component's content with what was
	// written and releases the staging area.
	Commit() error
	// Discard drops what was written. Discard after Commit is a no-op.
	Discard() error
}

// Storage is the device's component storage. A component is named by its
// SUIT component identifier, a list of byte strings; distinct identifiers
// must be distinct storage (anti-rollback floors are kept per identifier,
// so two identifiers sharing one place would have two floors). Implementations must be
// safe against power loss: Staging.Commit, Swap and Unlink each either happen
// completely or not at all (or resume on the next start).
//
// One update at a time: the processor takes Lock before it verifies
// (Install) or runs (Update, Invoke) a manifest and releases it after the
// last commit, of a component or of the sequence number. While it holds
// the lock it also checks the anti-rollback floor of each component before
// committing to it.
type Storage interface {
	// Lock takes the device's update lock and returns the function that
	// releases it. Implementations must:
	//   - make it exclusive across everything that may update the device
	//     (goroutines, and processes when the storage is shared with
	//     them): a second caller waits until the holder releases it;
	//   - stop waiting when ctx is done and return an error matching
	//     ctx.Err();
	//   - free the lock when its holder dies (a file lock does), or be able
	//     to recover it, so that a crashed run cannot lock a device forever;
	//   - let the release function be called more than once.
	// The moment the lock is taken is the safe place to clean up after an
	// interrupted run (stale staging areas, an unfinished swap): a run
	// that holds the lock is the only one that stages, swaps or unlinks.
	Lock(ctx context.Context) (unlock func(), err error)
	// Open returns the component's present content. A component that has
	// no content yet returns an error matching ErrNoContent.
	Open(id [][]byte) (Content, error)
	// Stage opens a staging area for new content of id.
	Stage(id [][]byte) (Staging, error)
	// Swap exchanges the contents of a and b atomically or resumably.
	Swap(a, b [][]byte) error
	// Unlink removes the component's content. Removing an absent
	// component is not an error.
	Unlink(id [][]byte) error
	// Slot reports the slot (for example 0 or 1 of an A/B pair) that the
	// component's next content is written to, for condition component-slot.
	Slot(id [][]byte) (uint64, error)
}

// Fetcher retrieves a payload named by a URI. The processor resolves
// integrated payloads ("#name") itself and calls the Fetcher for anything
// else. Implementations must stop at max+1 bytes at the latest (the
// processor enforces max as well) and honour ctx for cancellation.
type Fetcher interface {
	Fetch(ctx context.Context, uri string, max int64) (io.ReadCloser, error)
}

// Invoker starts a component (suit-directive-invoke). args is the value of
// suit-parameter-invoke-args, nil when unset.
type Invoker interface {
	Invoke(ctx context.Context, id [][]byte, args []byte) error
}

// Authorizer answers suit-condition-update-authorized: it asks the
// application (or the user) whether the update may proceed.
type Authorizer interface {
	// Authorize reports whether the update of component id may proceed.
	// priority is suit-parameter-update-priority, nil when the manifest
	// does not set it (smaller is more urgent, by convention). false
	// fails the condition. An error matching ErrDeferred (or ctx's error)
	// postpones the update: the run ends with ErrDeferred, so the agent
	// can retry later; any other error is an operation failure.
	Authorize(ctx context.Context, id [][]byte, priority *int64) (bool, error)
}

// Waiter implements suit-directive-wait: the platform decides how to wait
// for the events of suit-parameter-wait-info.
type Waiter interface {
	// Wait returns nil once every event of info holds: at once when they
	// already do, or after blocking until they do. It must return when
	// ctx ends (the run then ends with ErrDeferred). To refuse to wait now
	// (the agent should retry the update later, for example at the next
	// boot) it returns an error matching ErrDeferred. Events it does not
	// know (info.Extensions) it must refuse with an error matching
	// ErrUnsupported. Any other error is an operation failure.
	Wait(ctx context.Context, id [][]byte, info suit.WaitInfo) error
}

// MetadataStorage is an optional extension of Storage for
// suit-parameter-component-metadata (draft-ietf-suit-update-management):
// metadata is applied when a component is fetched, copied into or
// written, as part of the same atomic commit. A Storage without it makes
// those directives fail with ErrUnsupported when the metadata parameter is
// set.
type MetadataStorage interface {
	// StageWithMetadata is Stage with md applied to the new content by
	// Commit. Elements the storage cannot apply faithfully must be refused
	// here with an error matching ErrUnsupported, before anything is
	// written.
	StageWithMetadata(id [][]byte, md suit.ComponentMetadata) (Staging, error)
}

// ReportSink receives each record as the processor produces it, for
// example to stream a report to a server while an update runs.
type ReportSink interface {
	Record(r Record)
}

// Identity is the device's identity for the compatibility conditions. Each
// field is a 16-byte UUID; a nil field makes the matching condition fail.
type Identity struct {
	VendorID []byte
	ClassID  []byte
	DeviceID []byte
}

// Platform is what an integrator provides to run manifests on a device.
// Storage is required; every other hook is optional and the commands that
// need a missing hook fail.
type Platform struct {
	// Identity answers the vendor, class and device identifier conditions.
	Identity Identity
	// Storage holds the components.
	Storage Storage
	// Fetcher retrieves payloads by URI; nil allows only integrated
	// payloads.
	Fetcher Fetcher
	// Invoker runs suit-directive-invoke; nil makes invoke fail.
	Invoker Invoker
	// Clock returns the current time for condition use-before; nil makes
	// use-before fail (a device without a trusted clock cannot check expiry).
	Clock func() time.Time
	// Battery returns the charge in mWh for condition minimum-battery; nil
	// makes it fail.
	Battery func() (uint64, error)
	// Version returns the installed version of a component for condition
	// version (integers as in draft-ietf-suit-update-management, e.g.
	// 1.2.3 = [1 2 3]); nil makes the condition fail.
	Version func(id [][]byte) ([]int64, error)
	// Authorizer answers condition update-authorized; nil makes the
	// condition unsupported (ErrUnsupported: a manifest that asks for
	// authorization is refused rather than installed unasked).
	Authorizer Authorizer
	// Waiter implements directive wait; nil makes it unsupported.
	Waiter Waiter
	// AcceptComponent, when set, says which component identifiers the
	// device has; a manifest naming any other component is rejected with
	// ErrComponent before any command runs. Nil accepts every identifier
	// the Storage can hold.
	AcceptComponent func(id [][]byte) bool
	// DecryptionKeys are the device's keys for encrypted payloads
	// (suit-parameter-encryption-info): pre-shared key-encryption keys or
	// ECDH private keys, as encryption.KEK and encryption.ECDHKey in
	// software, or a secure element's implementation of
	// encryption.RecipientKey. Nil makes every decrypting write, copy or
	// fetch fail with ErrDecrypt.
	DecryptionKeys []encryption.RecipientKey
	// Profile, when set, restricts the processor to one MTI algorithm
	// profile (package profile): an image digest of another algorithm,
	// or encryption info with another content or key-distribution
	// algorithm, fails with ErrUnsupported and matches
	// profile.ErrProfile. The verifier checks the manifest digest and the
	// signatures (verify.Options.Profile).
	Profile *profile.Profile
	// Report, when set, receives every record as it is produced.
	Report ReportSink
	// ReportAuthenticator is the device key that seals SUIT_Reports
	// (Processor.SealReport): a signing key or MAC secret, possibly in a
	// secure element. Nil: the device does not send reports.
	ReportAuthenticator report.Authenticator
	// ReportEncryption, when set, makes SealReport encrypt each report
	// into a COSE_Encrypt0 with this key before signing it, so that only
	// the server holding the key can read what the device reports.
	ReportEncryption *report.ContentKey
	// SkipCompatibilityCheckUnsafe accepts manifests whose shared sequence
	// does not check both the vendor and the class identifier. By default
	// they are rejected (ErrManifest) before any command runs, so an
	// update made for other devices cannot be installed (RFC 9124
	// REQ.SEC.COMPATIBLE).
	SkipCompatibilityCheckUnsafe bool
	// AllowUnauthenticatedContentUnsafe lets fetch, copy, swap and
	// apply-delta install content into a component for which the
	// manifest sets no image-digest. By default that is refused with
	// ErrUnauthenticatedContent before anything is fetched, read or
	// staged: the signature covers the manifest, not the payloads, so
	// without a digest whoever can alter the envelope's integrated
	// payloads, the download or the source component chooses what the
	// device installs. (write needs no digest: its content parameter is
	// part of the authenticated manifest.)
	//
	// It is legitimate only where nobody but the developer can supply a
	// payload: a development board on a bench, fed new builds over its
	// own cable under one test-signed manifest that names no digest so
	// that each build need not be signed again. Never set it on a device
	// in the field.
	AllowUnauthenticatedContentUnsafe bool
}
