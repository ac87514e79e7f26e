package report

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/suitkit/suitkit/internal/cbor"
	"github.com/suitkit/suitkit/internal/cose"
	"github.com/suitkit/suitkit/suit"
)

// Map keys of SUIT_Report and its result (draft-ietf-suit-report).
const (
	KeyNonce            int64 = 2
	KeyRecords          int64 = 3
	KeyResult           int64 = 4
	KeyResultCode       int64 = 5
	KeyResultRecord     int64 = 6
	KeyResultReason     int64 = 7
	KeyCapabilityReport int64 = 8
	KeyReference        int64 = 99
	// KeySystemComponentID is the component identifier's key in a
	// system-property claim.
	KeySystemComponentID int64 = 0
)

// Reason is a SUIT_Report_Reasons value: the interoperable explanation of
// a failure.
type Reason int64

// The reasons of draft-ietf-suit-report.
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

var reasonNames = [...]string{"ok", "cbor-parse", "cose-unsupported", "alg-unsupported", "unauthorised",
	"command-unsupported", "component-unsupported", "component-unauthorised", "parameter-unsupported",
	"severing-unsupported", "condition-failed", "operation-failed", "invoke-pending"}

// String returns the draft's name of the reason, e.g. "condition-failed".
func (r Reason) String() string {
	if r >= 0 && int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("reason(%d)", int64(r))
}

// Result codes suitkit devices put in suit-report-result-code. The draft
// leaves the code to the implementation ("for debugging, not for
// interoperability"); suitkit uses it to carry the outcome class that the
// draft's reasons do not distinguish, such as a deferral.
const (
	CodeFailed          int64 = 1 // an operation failed
	CodeConditionFailed int64 = 2 // a condition did not hold
	CodeDeferred        int64 = 3 // not now: battery, wait, authorization postponed
	CodeExpired         int64 = 4 // the manifest's use-before has passed
	CodeRejected        int64 = 5 // authentication, anti-rollback or authorization of the manifest failed
	CodeUnsupported     int64 = 6 // a command, parameter or component the device does not support
)

// Report is a SUIT_Report.
type Report struct {
	// Reference names the manifest: its suit-reference-uri ("" when the
	// manifest has none) and the SUIT_Digest of its authentication wrapper.
	Reference Reference
	// Nonce is the server's freshness value (key 2), nil when absent.
	Nonce []byte
	// Records is the append-only list of SUIT_Records and system-property
	// claims, in order.
	Records []Entry
	// Result is the outcome (key 4).
	Result Result
	// Capability is the encoded SUIT_Capability_Report (key 8), kept
	// verbatim; nil when absent.
	Capability []byte
	// Extensions holds members with other keys, verbatim.
	Extensions []suit.RawEntry
}

// Reference is SUIT_Reference: [manifest-uri, manifest-digest].
type Reference struct {
	URI    string
	Digest suit.Digest
}

// Record is a SUIT_Record: where a command ran and the properties that
// led to its outcome.
type Record struct {
	// ManifestID is the walk from the root manifest to the manifest that
	// holds the command (empty: the root).
	ManifestID []uint64
	// Section is the manifest key of the section (20 install, ...).
	Section int64
	// Offset is the command's byte offset in the section.
	Offset uint64
	// Component is the component index current when the command ran.
	Component uint64
	// Properties are parameter values (SUIT_Parameters).
	Properties suit.Parameters
	// Extensions holds further array elements, verbatim.
	Extensions [][]byte
}

// SystemProperties is a system-property claim: values the device measured
// for one component.
type SystemProperties struct {
	Component  suit.ComponentID
	Properties suit.Parameters
}

// Entry is one element of the records list: exactly one of Record and
// System is set.
type Entry struct {
	Record *Record
	System *SystemProperties
}

// Result is suit-report-result: success (true) or the failure's code,
// record and reason.
type Result struct {
	Success bool
	Code    int64  // when !Success
	Record  Record // when !Success: where it failed
	Reason  Reason // when !Success
}

// Encode returns the deterministic CBOR encoding of the SUIT_Report.
func (r *Report) Encode() ([]byte, error) {
	if r == nil {
		return nil, fmt.Errorf("%w: nil report", ErrMalformed)
	}
	type member struct{ k, v []byte }
	var ms []member
	add := func(k int64, v []byte) { ms = append(ms, member{cose.AppendInt(nil, k), v}) }
	if r.Nonce != nil {
		add(KeyNonce, cose.AppendBstr(nil, r.Nonce))
	}
	recs := cbor.AppendHead(nil, cbor.Array, uint64(len(r.Records)))
	for i, e := range r.Records {
		var err error
		switch {
		case e.Record != nil && e.System == nil:
			recs, err = appendRecord(recs, e.Record)
		case e.System != nil && e.Record == nil:
			recs, err = appendSystem(recs, e.System)
		default:
			err = fmt.Errorf("%w: records[%d] must hold exactly one of Record and System", ErrMalformed, i)
		}
		if err != nil {
			return nil, err
		}
	}
	add(KeyRecords, recs)
	if r.Result.Success {
		add(KeyResult, []byte{0xf5})
	} else {
		res := cbor.AppendHead(nil, cbor.Map, 3)
		res = cose.AppendInt(append(res, byte(KeyResultCode)), r.Result.Code)
		res = append(res, byte(KeyResultRecord))
		var err error
		if res, err = appendRecord(res, &r.Result.Record); err != nil {
			return nil, err
		}
		res = cose.AppendInt(append(res, byte(KeyResultReason)), int64(r.Result.Reason))
		add(KeyResult, res)
	}
	if r.Capability != nil {
		if err := checkItem(r.Capability, cbor.Map, "capability report"); err != nil {
			return nil, err
		}
		add(KeyCapabilityReport, r.Capability)
	}
	// The digest is written as given: a device that could not identify
	// the manifest (an envelope that does not decode) reports algorithm 0
	// and an empty value rather than nothing.
	dg := r.Reference.Digest
	ref := cbor.AppendHead(nil, cbor.Array, 2)
	ref = cbor.AppendHead(ref, cbor.Text, uint64(len(r.Reference.URI)))
	ref = append(ref, r.Reference.URI...)
	ref = cbor.AppendHead(ref, cbor.Array, uint64(2+len(dg.Extensions)))
	ref = cose.AppendBstr(cose.AppendInt(ref, dg.Algorithm), dg.Value)
	for _, x := range dg.Extensions {
		if err := checkItem(x, 0xff, "digest extension"); err != nil {
			return nil, err
		}
		ref = append(ref, x...)
	}
	add(KeyReference, ref)
	for _, x := range r.Extensions {
		if err := checkItem(x.Key, 0xff, "extension key"); err != nil {
			return nil, err
		}
		if err := checkItem(x.Value, 0xff, "extension value"); err != nil {
			return nil, err
		}
		ms = append(ms, member{x.Key, x.Value})
	}
	slices.SortFunc(ms, func(a, b member) int { return bytes.Compare(a.k, b.k) })
	out := cbor.AppendHead(nil, cbor.Map, uint64(len(ms)))
	for i, m := range ms {
		if i > 0 && bytes.Equal(ms[i-1].k, m.k) {
			return nil, fmt.Errorf("%w: duplicate key %x", ErrMalformed, m.k)
		}
		out = append(append(out, m.k...), m.v...)
	}
	// What we write must be what we accept.
	if _, err := Decode(out, nil); err != nil {
		return nil, err
	}
	return out, nil
}

func appendRecord(dst []byte, r *Record) ([]byte, error) {
	dst = cbor.AppendHead(dst, cbor.Array, uint64(5+len(r.Extensions)))
	dst = cbor.AppendHead(dst, cbor.Array, uint64(len(r.ManifestID)))
	for _, id := range r.ManifestID {
		dst = cbor.AppendHead(dst, cbor.Uint, id)
	}
	dst = cose.AppendInt(dst, r.Section)
	dst = cbor.AppendHead(dst, cbor.Uint, r.Offset)
	dst = cbor.AppendHead(dst, cbor.Uint, r.Component)
	var err error
	if dst, err = appendParams(dst, r.Properties, nil); err != nil {
		return nil, err
	}
	for _, x := range r.Extensions {
		if err := checkItem(x, 0xff, "record extension"); err != nil {
			return nil, err
		}
		dst = append(dst, x...)
	}
	return dst, nil
}

func appendSystem(dst []byte, s *SystemProperties) ([]byte, error) {
	if len(s.Properties) == 0 {
		return nil, fmt.Errorf("%w: a system-property claim needs at least one property", ErrMalformed)
	}
	cid := cbor.AppendHead(nil, cbor.Array, uint64(len(s.Component)))
	for _, b := range s.Component {
		cid = cose.AppendBstr(cid, b)
	}
	return appendParams(dst, s.Properties, cid)
}

// appendParams appends the map {params}, plus 0: componentID when cid is
// not nil, in deterministic order.
func appendParams(dst []byte, ps suit.Parameters, cid []byte) ([]byte, error) {
	type member struct{ k, v []byte }
	ms := make([]member, 0, len(ps)+1)
	if cid != nil {
		ms = append(ms, member{[]byte{0x00}, cid})
	}
	for _, p := range ps {
		if cid != nil && p.Key == KeySystemComponentID {
			return nil, fmt.Errorf("%w: parameter key 0 in a system-property claim", ErrMalformed)
		}
		if err := checkItem(p.Value, 0xff, "property value"); err != nil {
			return nil, err
		}
		ms = append(ms, member{cose.AppendInt(nil, p.Key), p.Value})
	}
	slices.SortFunc(ms, func(a, b member) int { return bytes.Compare(a.k, b.k) })
	dst = cbor.AppendHead(dst, cbor.Map, uint64(len(ms)))
	for i, m := range ms {
		if i > 0 && bytes.Equal(ms[i-1].k, m.k) {
			return nil, fmt.Errorf("%w: duplicate property %x", ErrMalformed, m.k)
		}
		dst = append(append(dst, m.k...), m.v...)
	}
	return dst, nil
}

// checkItem checks that b is one deterministic CBOR item (of major type
// want, 0xff for any).
func checkItem(b []byte, want byte, what string) error {
	l := (*Limits)(nil).resolve()
	d := &dec{b: b, lim: l}
	if want != 0xff && (len(b) == 0 || b[0]>>5 != want) {
		return fmt.Errorf("%w: %s has the wrong type", ErrMalformed, what)
	}
	if _, err := d.skip(1); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if d.off != len(b) {
		return fmt.Errorf("%w: %s has trailing bytes", ErrMalformed, what)
	}
	return nil
}
