package process

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error the processor returns matches one of them
// with errors.Is; a *CommandError adds where it happened.
var (
	// ErrConditionFailed: a condition did not hold (wrong vendor or class,
	// image-match failed, precursor mismatch, abort, ...).
	ErrConditionFailed = errors.New("process: condition failed")
	// ErrUnsupported: an unknown or unsupported command or parameter.
	ErrUnsupported = errors.New("process: unsupported command or parameter")
	// ErrParameterUnset: a command needs a parameter the manifest did not set.
	ErrParameterUnset = errors.New("process: parameter not set")
	// ErrComponent: a component index out of range, too many components, a
	// missing set-component-index or an unacceptable component identifier.
	ErrComponent = errors.New("process: component error")
	// ErrLimit: a size, depth or count limit was exceeded (endless data,
	// too deep nesting, ...).
	ErrLimit = errors.New("process: limit exceeded")
	// ErrOperation: a directive's operation failed (fetch, write, copy,
	// swap, invoke, storage I/O, a digest mismatch while staging).
	ErrOperation = errors.New("process: operation failed")
	// ErrPayloadMismatch: content fetched, copied, written or patched into
	// a component does not have the image digest or image-size the
	// manifest sets for it; the component was left unchanged.
	ErrPayloadMismatch = errors.New("process: payload digest mismatch")
	// ErrUnauthenticatedContent: a fetch, copy, swap or apply-delta would
	// put content into a component for which the manifest in effect sets
	// no image-digest, so nothing authenticates those bytes: a signature
	// covers the manifest, not the payloads an envelope carries or a
	// server returns. The content was not fetched or staged and the
	// component was left unchanged. See
	// Platform.AllowUnauthenticatedContentUnsafe.
	ErrUnauthenticatedContent = errors.New("process: content without an authenticated image digest")
	// ErrDecrypt: encrypted content could not be decrypted: no recipient
	// of the encryption-info is addressed to Platform.DecryptionKeys, the
	// key unwrap failed, or the AEAD tag did not verify (wrong key,
	// altered or truncated ciphertext or tag). The error also matches the
	// encryption package's sentinel; the component was left unchanged.
	ErrDecrypt = errors.New("process: payload decryption failed")
	// ErrNoContent: a component has no content.
	ErrNoContent = errors.New("process: component has no content")
	// ErrMissingSequence: a procedure needs a sequence that was severed and
	// not supplied, or the manifest was not decoded.
	ErrMissingSequence = errors.New("process: command sequence missing")
	// ErrDeferred: the update cannot proceed now but may later: the
	// battery is below suit-parameter-minimum-battery, the platform refused
	// or interrupted a suit-directive-wait, or the application asked to
	// postpone suit-condition-update-authorized. It is not a failure of the
	// manifest or the device: an agent should retry the same envelope
	// later. Nothing was committed by the command that deferred.
	ErrDeferred = errors.New("process: deferred, retry later")
	// ErrExpired: the manifest's suit-parameter-use-before is in the past
	// (or the device has no clock to check it). The Update procedure
	// checks this before running any command, so nothing was written.
	// It also matches ErrConditionFailed.
	ErrExpired = errors.New("process: manifest expired (use-before)")
	// ErrManifest: the manifest breaks a processing rule (bad version,
	// custom command in the shared sequence, malformed argument, ...).
	ErrManifest = errors.New("process: invalid manifest")
	// ErrLocked: the device's update lock (Storage.Lock) could not be
	// taken: another run held it until the context ended. Nothing was
	// verified or changed.
	ErrLocked = errors.New("process: device locked by another update")
	// ErrSuperseded: the anti-rollback check, repeated under the device
	// lock just before a component was to be committed, failed: an update
	// with a higher sequence number was committed after this manifest was
	// verified. The error also matches verify.ErrRollback; the component
	// was left unchanged.
	ErrSuperseded = errors.New("process: superseded by a newer update")
	// ErrDependency: a dependency manifest (draft-ietf-suit-trust-domains)
	// could not be used: it was not fetched, its digest differs from the
	// one its dependent declares, its signature does not verify with the
	// device's trust anchors, its signers may not touch a component it
	// names, it is older than what the device runs (the verify error is
	// wrapped, so verify.ErrRollback and the others match too), the tree
	// has a cycle, or process-dependency ran before the dependency was
	// authenticated. Nothing of the dependency ran.
	ErrDependency = errors.New("process: dependency manifest refused")
)

// CommandError says which command failed: the manifest section (manifest
// key, e.g. 20 for install; 4 for the shared sequence), the command's index
// within its sequence, the component index and the command number.
type CommandError struct {
	Section   int64
	Offset    int
	Component uint64
	Command   int64
	Err       error
}

// Error says where and why.
func (e *CommandError) Error() string {
	return fmt.Sprintf("%s[%d] %s on component %d: %v",
		sectionName(e.Section), e.Offset, commandName(e.Command), e.Component, e.Err)
}

// Unwrap returns the underlying error.
func (e *CommandError) Unwrap() error { return e.Err }

// errf wraps a sentinel with detail.
func errf(sentinel error, format string, a ...any) error {
	return fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, a...))
}

// wrapErr wraps a sentinel and an underlying error, both visible to
// errors.Is.
func wrapErr(sentinel, err error, what string) error {
	return fmt.Errorf("%w: %s: %w", sentinel, what, err)
}
