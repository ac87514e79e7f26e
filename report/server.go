package report

import (
	"bytes"
	"crypto/subtle"
	"fmt"

	"github.com/suitkit/suitkit/suit"
)

// Expected is what a server knows about the manifest it sent: a report
// must name it.
type Expected struct {
	// Digest is the manifest's SUIT_Digest (suit.Authentication.Digest of
	// the envelope sent). Required.
	Digest suit.Digest
	// URI is the manifest's suit-reference-uri; "" to accept any (a
	// manifest without one is reported with "").
	URI string
	// Nonce is the nonce the server gave the device for this run; nil
	// when the server uses none (then a report carrying one is accepted).
	Nonce []byte
}

// Check reports whether r names the expected manifest and nonce. A
// mismatch matches ErrMismatch and says which field differs.
func (r *Report) Check(want Expected) error {
	if r == nil {
		return fmt.Errorf("%w: no report", ErrMismatch)
	}
	got := r.Reference.Digest
	if got.Algorithm != want.Digest.Algorithm || len(got.Value) != len(want.Digest.Value) || subtle.ConstantTimeCompare(got.Value, want.Digest.Value) != 1 {
		return fmt.Errorf("%w: the report is for manifest %s:%x, not %s:%x", ErrMismatch,
			suit.DigestAlgorithmName(got.Algorithm), got.Value, suit.DigestAlgorithmName(want.Digest.Algorithm), want.Digest.Value)
	}
	if want.URI != "" && r.Reference.URI != want.URI {
		return fmt.Errorf("%w: manifest URI %q, want %q", ErrMismatch, r.Reference.URI, want.URI)
	}
	if want.Nonce != nil && !bytes.Equal(r.Nonce, want.Nonce) {
		if r.Nonce == nil {
			return fmt.Errorf("%w: the report carries no nonce", ErrMismatch)
		}
		return fmt.Errorf("%w: nonce %x, want %x (a replayed or stale report)", ErrMismatch, r.Nonce, want.Nonce)
	}
	return nil
}

// Outcome is what a report says happened, as a server acts on it.
type Outcome int

// Outcomes.
const (
	// Installed: the procedure succeeded (result true).
	Installed Outcome = iota
	// ConditionFailed: a condition did not hold (wrong device, image
	// mismatch, version, declined authorization, ...).
	ConditionFailed
	// Deferred: the device could not proceed now (battery, wait,
	// postponed authorization); the server may send the same update later.
	Deferred
	// Expired: the manifest's use-before had passed; send a newer one.
	Expired
	// Rejected: the device refused the manifest: authentication,
	// anti-rollback (an older or replayed manifest) or authorization.
	Rejected
	// Unsupported: the manifest needs a command, parameter, component or
	// format the device does not support.
	Unsupported
	// Failed: an operation failed (fetch, write, storage, ...).
	Failed
)

var outcomeNames = [...]string{"installed", "condition-failed", "deferred", "expired", "rejected", "unsupported", "failed"}

// String names the outcome.
func (o Outcome) String() string {
	if o >= 0 && int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("outcome(%d)", int(o))
}

// Outcome classifies the report's result: suitkit's result codes first
// (they distinguish a deferral and an expiry), then the draft's reasons
// for reports from other devices.
func (r *Report) Outcome() Outcome {
	res := r.Result
	if res.Success {
		return Installed
	}
	switch res.Code {
	case CodeConditionFailed:
		return ConditionFailed
	case CodeDeferred:
		return Deferred
	case CodeExpired:
		return Expired
	case CodeRejected:
		return Rejected
	case CodeUnsupported:
		return Unsupported
	case CodeFailed:
		return Failed
	}
	switch res.Reason {
	case ReasonConditionFailed:
		return ConditionFailed
	case ReasonUnauthorised, ReasonComponentUnauthorised:
		return Rejected
	case ReasonCBORParse, ReasonCOSEUnsupported, ReasonAlgUnsupported, ReasonCommandUnsupported,
		ReasonComponentUnsupported, ReasonParameterUnsupported, ReasonSeveringUnsupported:
		return Unsupported
	}
	return Failed
}

// SystemProperties merges the system-property claims of the records list
// per component, later claims overriding earlier ones: the "more
// conventional structure" the draft describes.
func (r *Report) SystemProperties() []SystemProperties {
	var out []SystemProperties
	for _, e := range r.Records {
		if e.System == nil {
			continue
		}
		i := 0
		for i < len(out) && !out[i].Component.Equal(e.System.Component) {
			i++
		}
		if i == len(out) {
			out = append(out, SystemProperties{Component: e.System.Component})
		}
		for _, p := range e.System.Properties {
			replaced := false
			for j := range out[i].Properties {
				if out[i].Properties[j].Key == p.Key {
					out[i].Properties[j], replaced = p, true
				}
			}
			if !replaced {
				out[i].Properties = append(out[i].Properties, p)
			}
		}
	}
	return out
}
