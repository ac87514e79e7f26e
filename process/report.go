package process

import (
	"errors"
	"fmt"
	"strings"

	"github.com/fxamacker/cbor/v2"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// Outcome is the result of one command.
type Outcome int

const (
	// OK: the command succeeded.
	OK Outcome = iota
	// ConditionFailed: a condition did not hold. Under soft-failure this
	// only ended the enclosing try-each alternative or run-sequence.
	ConditionFailed
	// Failed: the command failed and processing aborted.
	Failed
	// Deferred: the command could not proceed now (battery, wait,
	// authorization postponed); processing stopped and may be retried
	// later. The error matches ErrDeferred.
	Deferred
)

// String names the outcome.
func (o Outcome) String() string {
	switch o {
	case OK:
		return "ok"
	case ConditionFailed:
		return "condition failed"
	case Failed:
		return "FAILED"
	case Deferred:
		return "deferred"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Record is what one command did, after SUIT_Record of
// draft-ietf-suit-report: the manifest section it ran in (the manifest key
// of the top-level sequence: 7 validate, 8 load, 9 invoke, 16 payload-fetch,
// 20 install; the shared sequence is reported as 4, the key within common),
// the command's position in its sequence, the nesting depth (commands inside
// try-each or run-sequence have depth > 0), the component index and the
// outcome.
type Record struct {
	Section   int64
	Offset    int
	Depth     int
	Component uint64
	Command   int64
	// Policy is the command's reporting policy (suit.ReportSendRecordOnSuccess
	// and the other bits), 0 for commands without one. Every command is
	// recorded whatever its policy; a report sink may use it to choose
	// what to send.
	Policy uint64
	// Properties are the parameters the command read, as set when it ran
	// (for example image-digest and image-size for image-match): what a
	// SUIT_Record of it carries.
	Properties suit.Parameters
	// Measured are the values the device measured for the command (its
	// vendor identifier, the battery charge, the installed version, the
	// slot, ...): what a system-property claim carries. Nil for commands
	// that measure nothing.
	Measured suit.Parameters
	Outcome  Outcome
	// Err says why the command did not succeed; nil when Outcome is OK.
	Err error
}

// Reason is a draft-ietf-suit-report result reason.
type Reason int

// Reasons from draft-ietf-suit-report (SUIT_Report_Reason).
const (
	ReasonOK                    Reason = 0
	ReasonCBORParse             Reason = 1
	ReasonCOSEUnsupported       Reason = 2
	ReasonAlgUnsupported        Reason = 3
	ReasonUnauthorised          Reason = 4
	ReasonCommandUnsupported    Reason = 5
	ReasonComponentUnsupported  Reason = 6
	ReasonComponentUnauthorised Reason = 7
	ReasonParameterUnsupported  Reason = 8
	ReasonSeveringUnsupported   Reason = 9
	ReasonConditionFailed       Reason = 10
	ReasonOperationFailed       Reason = 11
	ReasonInvokePending         Reason = 12
)

const (
	maxRecords         = 4096
	reportKeyReference = 99
	reportKeyRecords   = 3
	reportKeyResult    = 4
	resultKeyCode      = 5
	resultKeyRecord    = 6
	resultKeyReason    = 7
)

var reasonNames = [...]string{"ok", "cbor-parse", "cose-unsupported", "alg-unsupported", "unauthorised",
	"command-unsupported", "component-unsupported", "component-unauthorised", "parameter-unsupported",
	"severing-unsupported", "condition-failed", "operation-failed", "invoke-pending"}

// String returns the draft's name of the reason, e.g. "condition-failed".
func (r Reason) String() string {
	if r >= 0 && int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("reason(%d)", int(r))
}

// ReasonOf maps an error from this package to a report reason.
func ReasonOf(err error) Reason {
	switch {
	case err == nil:
		return ReasonOK
	case errors.Is(err, verify.ErrUnauthenticated):
		// Checked first: an AuthError also matches each block's own
		// cause (a malformed block, an unknown algorithm), but what the
		// device must report is that nothing authenticated the manifest.
		return ReasonUnauthorised
	case errors.Is(err, verify.ErrMalformed):
		return ReasonCBORParse
	case errors.Is(err, verify.ErrUnsupportedAlgorithm):
		return ReasonAlgUnsupported
	case errors.Is(err, verify.ErrUnsupportedHeader):
		return ReasonCOSEUnsupported
	case errors.Is(err, verify.ErrUnauthorizedComponent):
		return ReasonComponentUnauthorised
	case errors.Is(err, suit.ErrDigestMismatch), errors.Is(err, verify.ErrSeveredMismatch), errors.Is(err, verify.ErrRollback),
		errors.Is(err, ErrUnauthenticatedContent):
		return ReasonUnauthorised
	case errors.Is(err, ErrUnsupported):
		return ReasonCommandUnsupported
	case errors.Is(err, ErrComponent):
		return ReasonComponentUnsupported
	case errors.Is(err, ErrMissingSequence):
		return ReasonSeveringUnsupported
	case errors.Is(err, ErrConditionFailed), errors.Is(err, ErrParameterUnset), errors.Is(err, ErrDeferred):
		return ReasonConditionFailed
	}
	return ReasonOperationFailed
}

// Report is what a procedure did: every command that ran, in order, and the
// final result. Err is nil when the procedure succeeded.
type Report struct {
	// ReferenceURI is the manifest's suit-reference-uri, "" when absent.
	ReferenceURI string
	// DigestAlg and Digest identify the manifest (its SUIT_Digest).
	DigestAlg int64
	Digest    []byte
	// Sequence is the manifest's sequence number.
	Sequence uint64
	// Records lists the commands in the order they ran (at most 4096;
	// Truncated says if more ran).
	Records   []Record
	Truncated bool
	// Err is the error that ended processing, nil on success.
	Err error
	// Committed is true when Install raised the anti-rollback floors to
	// the manifest's sequence number.
	Committed bool
}

// Reason returns the report's result reason.
func (r *Report) Reason() Reason { return ReasonOf(r.Err) }

// String renders the report for people, one command per line.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "manifest sequence %d, digest %s:%x\n", r.Sequence, digestAlgName(r.DigestAlg), r.Digest)
	for _, rec := range r.Records {
		where := fmt.Sprintf("%s[%d]", sectionName(rec.Section), rec.Offset)
		if rec.Depth > 0 {
			where = fmt.Sprintf("%s> [%d]", strings.Repeat("-", rec.Depth), rec.Offset) // inside try-each or run-sequence
		}
		fmt.Fprintf(&b, "  %-16s %-34s component %d: %s", where, commandName(rec.Command), rec.Component, rec.Outcome)
		if rec.Err != nil {
			fmt.Fprintf(&b, " (%v)", rec.Err)
		}
		b.WriteByte('\n')
	}
	if r.Truncated {
		b.WriteString("  ... (further records dropped)\n")
	}
	if r.Err == nil {
		b.WriteString("result: success")
		if r.Committed {
			b.WriteString(", sequence number committed")
		}
		b.WriteString("\n")
	} else {
		fmt.Fprintf(&b, "result: %s: %v\n", r.Reason(), r.Err)
	}
	return b.String()
}

// MarshalCBOR encodes the report as a SUIT_Report (draft-ietf-suit-report):
//
//	{99: [reference-uri, [alg, digest]], 3: [* record], 4: true / {5: code, 6: record, 7: reason}}
//
// where a record is [[] (root manifest), section, offset, component, {}].
// In the failure result, result-code is the number of the command that
// failed. The report is not protected: sign it (COSE_Sign1) before sending.
func (r *Report) MarshalCBOR() ([]byte, error) {
	em, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		return nil, err
	}
	rec := func(x Record) []any {
		return []any{[]uint64{}, x.Section, uint64(x.Offset), x.Component, map[int]any{}}
	}
	records := make([]any, 0, len(r.Records))
	for _, x := range r.Records {
		records = append(records, rec(x))
	}
	var result any = true
	if r.Err != nil {
		res := map[int]any{resultKeyReason: int(r.Reason())}
		for i := len(r.Records) - 1; i >= 0; i-- {
			if r.Records[i].Outcome != OK {
				res[resultKeyCode] = r.Records[i].Command
				res[resultKeyRecord] = rec(r.Records[i])
				break
			}
		}
		if _, ok := res[resultKeyCode]; !ok {
			res[resultKeyCode] = 0
		}
		result = res
	}
	digest := []any{r.DigestAlg, r.Digest}
	if r.Digest == nil {
		digest = []any{r.DigestAlg, []byte{}}
	}
	m := map[int]any{
		reportKeyReference: []any{r.ReferenceURI, digest},
		reportKeyRecords:   records,
		reportKeyResult:    result,
	}
	return em.Marshal(m)
}

func digestAlgName(alg int64) string {
	switch alg {
	case -16:
		return "sha-256"
	case -18:
		return "shake128"
	case -43:
		return "sha-384"
	case -44:
		return "sha-512"
	case -45:
		return "shake256"
	}
	return fmt.Sprintf("alg%d", alg)
}
