package process

import (
	"errors"
	"fmt"
	"strings"

	"github.com/suitkit/suitkit/report"
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
	// Manifest is the path through the tree of dependency manifests to
	// the manifest the command belongs to: nil for the manifest processed,
	// [1] for its dependency at component index 1, and so on
	// (SUIT_Record's manifest-id).
	Manifest  []uint64
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
	// SectionOffset is the command's byte offset in its section (the
	// content of the section's bstr), what a SUIT_Record reports; for a
	// command in a nested sequence, in the enclosing section. It equals
	// Offset for manifests built in code (no encoding to count in).
	SectionOffset uint64
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

// Reason is a draft-ietf-suit-report result reason (report.Reason).
type Reason = report.Reason

// Reasons from draft-ietf-suit-report (SUIT_Report_Reason).
const (
	ReasonOK                    = report.ReasonOK
	ReasonCBORParse             = report.ReasonCBORParse
	ReasonCOSEUnsupported       = report.ReasonCOSEUnsupported
	ReasonAlgUnsupported        = report.ReasonAlgUnsupported
	ReasonUnauthorised          = report.ReasonUnauthorised
	ReasonCommandUnsupported    = report.ReasonCommandUnsupported
	ReasonComponentUnsupported  = report.ReasonComponentUnsupported
	ReasonComponentUnauthorised = report.ReasonComponentUnauthorised
	ReasonParameterUnsupported  = report.ReasonParameterUnsupported
	ReasonSeveringUnsupported   = report.ReasonSeveringUnsupported
	ReasonConditionFailed       = report.ReasonConditionFailed
	ReasonOperationFailed       = report.ReasonOperationFailed
	ReasonInvokePending         = report.ReasonInvokePending
)

const maxRecords = 4096

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
	// Components are the manifest's component identifiers, indexed by
	// Record.Component.
	Components []suit.ComponentID
	// Records lists the commands in the order they ran (at most 4096;
	// Truncated says if more ran).
	Records   []Record
	Truncated bool
	// Err is the error that ended processing, nil on success.
	Err error
	// Committed is true when Install raised the anti-rollback floors to
	// the manifest's sequence number (and those of its dependencies).
	Committed bool
	// Dependencies are the dependency manifests (draft-ietf-suit-trust-domains)
	// that were authenticated and processed, in the order first processed.
	// Install commits their floors after the whole tree succeeded; a
	// caller of Update does so with verify.Verifier.Commit for each.
	Dependencies []*verify.Verified
}

// Reason returns the report's result reason.
func (r *Report) Reason() Reason { return ReasonOf(r.Err) }

// String renders the report for people, one command per line.
func (r *Report) String() string {
	var b strings.Builder
	if len(r.Digest) > 0 {
		fmt.Fprintf(&b, "manifest sequence %d, digest %s\n", r.Sequence, suit.Digest{Algorithm: r.DigestAlg, Value: r.Digest})
	} else {
		// Rejected before its digest was known (not an envelope, too
		// large): there is no manifest to name.
		b.WriteString("manifest not decoded\n")
	}
	for _, rec := range r.Records {
		where := fmt.Sprintf("%s[%d]", sectionName(rec.Section), rec.Offset)
		if rec.Depth > 0 {
			where = fmt.Sprintf("%s> [%d]", strings.Repeat("-", rec.Depth), rec.Offset) // inside try-each or run-sequence
		}
		if len(rec.Manifest) > 0 {
			where = fmt.Sprintf("dep%v %s", rec.Manifest, where)
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
		// The error says what happened in words; the SUIT_Report reason
		// is the coarser code a report carries (a rollback, for one,
		// is reported as "unauthorised").
		fmt.Fprintf(&b, "result: failed: %v (report reason: %s)\n", r.Err, r.Reason())
	}
	return b.String()
}

// MarshalCBOR encodes the report as an unprotected SUIT_Report (see SUIT);
// sign it with Processor.SealReport before it leaves the device.
func (r *Report) MarshalCBOR() ([]byte, error) {
	return r.SUIT(nil).Encode()
}

// SUIT returns the run as a SUIT_Report (draft-ietf-suit-report) with the
// caller's nonce (nil for none). Records follow each command's reporting
// policy: a SUIT_Record when the command succeeded and has
// suit-send-record-on-success, or did not and has
// suit-send-record-on-failure; a system-property claim with what the
// device measured (its identifiers, battery, version, the image's actual
// digest and size, ...) under suit-send-sysinfo-success / -failure. A
// record's properties are the values that led to the outcome: what the
// device measured, plus the parameters the command read for keys it did
// not measure. The section offset is the command's byte offset in its
// section. The result is true on success, otherwise the failing command's
// record, the draft's reason and a suitkit result code (report.Code...)
// that tells a deferral or an expiry from a failure.
func (r *Report) SUIT(nonce []byte) *report.Report {
	out := &report.Report{
		Reference: report.Reference{URI: r.ReferenceURI, Digest: suit.Digest{Algorithm: r.DigestAlg, Value: r.Digest}},
		Nonce:     nonce,
		Records:   []report.Entry{},
	}
	if out.Reference.Digest.Value == nil {
		out.Reference.Digest.Value = []byte{}
	}
	for i := range r.Records {
		rec := &r.Records[i]
		ok := rec.Outcome == OK
		if (ok && rec.Policy&suit.ReportSendRecordOnSuccess != 0) || (!ok && rec.Policy&suit.ReportSendRecordOnFailure != 0) {
			sr := r.suitRecord(rec)
			out.Records = append(out.Records, report.Entry{Record: &sr})
		}
		if len(rec.Measured) > 0 && rec.Component < uint64(len(r.Components)) &&
			((ok && rec.Policy&suit.ReportSendSysinfoOnSuccess != 0) || (!ok && rec.Policy&suit.ReportSendSysinfoOnFailure != 0)) {
			out.Records = append(out.Records, report.Entry{System: &report.SystemProperties{
				Component: r.Components[rec.Component], Properties: uniqueParams(rec.Measured, nil)}})
		}
	}
	if r.Err == nil {
		out.Result.Success = true
		return out
	}
	out.Result.Reason = r.Reason()
	out.Result.Code = resultCode(r.Err)
	out.Result.Record = report.Record{ManifestID: []uint64{}, Properties: suit.Parameters{}}
	for i := len(r.Records) - 1; i >= 0; i-- {
		if r.Records[i].Outcome != OK {
			out.Result.Record = r.suitRecord(&r.Records[i])
			break
		}
	}
	return out
}

func (r *Report) suitRecord(rec *Record) report.Record {
	id := rec.Manifest
	if id == nil {
		id = []uint64{}
	}
	return report.Record{ManifestID: id, Section: rec.Section, Offset: rec.SectionOffset,
		Component: rec.Component, Properties: uniqueParams(rec.Measured, rec.Properties)}
}

// uniqueParams returns first followed by the parameters of then whose key
// first lacks (later duplicates in first are dropped).
func uniqueParams(first, then suit.Parameters) suit.Parameters {
	out := make(suit.Parameters, 0, len(first)+len(then))
	for _, ps := range []suit.Parameters{first, then} {
		for _, p := range ps {
			if _, dup := out.Get(p.Key); !dup {
				out = append(out, p)
			}
		}
	}
	return out
}

// resultCode classifies err for suit-report-result-code.
func resultCode(err error) int64 {
	switch {
	case errors.Is(err, ErrExpired):
		return report.CodeExpired
	case errors.Is(err, ErrDeferred):
		return report.CodeDeferred
	}
	switch ReasonOf(err) {
	case ReasonConditionFailed:
		return report.CodeConditionFailed
	case ReasonUnauthorised, ReasonComponentUnauthorised:
		return report.CodeRejected
	case ReasonCBORParse, ReasonCOSEUnsupported, ReasonAlgUnsupported, ReasonCommandUnsupported,
		ReasonComponentUnsupported, ReasonParameterUnsupported, ReasonSeveringUnsupported:
		return report.CodeUnsupported
	}
	return report.CodeFailed
}

// SealReport returns rep as a SUIT_Report with nonce, sealed (COSE_Sign1 or
// COSE_Mac0) by the platform's ReportAuthenticator, encrypted first when
// the platform sets ReportEncryption: what the device sends its update
// server.
func (p *Processor) SealReport(rep *Report, nonce []byte) ([]byte, error) {
	if p == nil || p.pf.ReportAuthenticator == nil {
		return nil, errf(ErrOperation, "the platform has no report authenticator")
	}
	if rep == nil {
		return nil, errf(ErrOperation, "no report")
	}
	if p.pf.ReportEncryption != nil {
		return report.SealEncrypted(rep.SUIT(nonce), p.pf.ReportAuthenticator, p.pf.ReportEncryption)
	}
	return report.Seal(rep.SUIT(nonce), p.pf.ReportAuthenticator)
}
