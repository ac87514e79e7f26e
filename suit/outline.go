package suit

import (
	"math"

	"github.com/suitkit/suitkit/internal/cbor"
)

// This file holds the validate-only path for verifiers: CheckManifest
// checks a manifest exactly as DecodeManifestForRun does but builds no
// command model, and CommandReader walks the command sequences it
// validated straight from their bytes. Verification needs only a few facts
// from the sequences (which components they may write, which integrated
// payloads they name, the vendor and class identifiers), and building the
// model (a Command of about 200 bytes per command, parameter and index
// slices) was most of its cost beyond the signature; a processor decodes
// the model when it runs the manifest.

// Outline is a manifest that [Envelope.CheckManifest] validated: the
// scalar members and the components decoded, the command sequences kept as
// their validated bytes. It shares memory with the envelope.
type Outline struct {
	m *Manifest // the manifest as decoded in decodeCheck mode: sequences hold only Raw
}

// CheckManifest makes every check [Envelope.DecodeManifestForRun] makes,
// in the same order and with the same errors (the manifest strictly
// decoded, every severed element the envelope carries matched against its
// digest, severed command sequences strictly decoded, severed text and
// coswid only hashed), but builds no command model: the command sequences
// stay as validated bytes, which [CommandReader] walks. It does not set
// e.Manifest. A verifier calls it after the authentication wrapper was
// verified, and decodes the model with DecodeManifestForRun only when the
// manifest is to be run or shown.
func (e *Envelope) CheckManifest(lim *Limits) (Outline, error) {
	m, err := e.decodeManifest(lim, decodeCheck)
	if err != nil {
		return Outline{}, err
	}
	return Outline{m: m}, nil
}

// SequenceNumber returns the manifest's sequence number (key 2).
func (o Outline) SequenceNumber() uint64 {
	if o.m == nil {
		return 0
	}
	return o.m.SequenceNumber
}

// Components returns the component identifiers listed in common, indexed
// by component index; nil when common lists none.
func (o Outline) Components() []ComponentID {
	if o.m == nil || o.m.Common == nil {
		return nil
	}
	return o.m.Common.Components
}

// ManifestComponentID returns the manifest-component-id (key 5,
// trust-domains), nil when absent.
func (o Outline) ManifestComponentID() ComponentID {
	if o.m == nil || o.m.ManifestComponentID == nil {
		return nil
	}
	return *o.m.ManifestComponentID
}

// Shared returns the content of the shared sequence in common, nil when
// there is none.
func (o Outline) Shared() []byte {
	if o.m == nil || o.m.Common == nil || o.m.Common.SharedSequence == nil {
		return nil
	}
	return o.m.Common.SharedSequence.Raw
}

// Sequence returns the content of the command sequence the manifest holds
// under key: validate (7), load (8), invoke (9), uninstall (24), or a
// severable sequence (15 dependency-resolution, 16 payload-fetch, 18
// candidate-verification, 20 install), inline or the envelope's severed
// copy. raw is nil when the manifest has no such member; missing reports a
// member that is severed and whose copy the envelope does not carry.
func (o Outline) Sequence(key int64) (raw []byte, missing bool) {
	if o.m == nil {
		return nil, false
	}
	var s *CommandSequence
	switch key {
	case ManifestValidate:
		s = o.m.Validate
	case ManifestLoad:
		s = o.m.Load
	case ManifestInvoke:
		s = o.m.Invoke
	case ManifestUninstall:
		s = o.m.Uninstall
	default:
		seq, ok := o.m.Severable(key).(*SeverableSequence)
		if !ok || seq == nil {
			return nil, false
		}
		if seq.Sequence == nil {
			return nil, true
		}
		s = seq.Sequence
	}
	if s == nil {
		return nil, false
	}
	return s.Raw, false
}

// CommandReader reads the commands of an encoded command sequence (the
// content of its bstr, as [Outline.Sequence] returns it or
// CommandSequence.Raw holds it) one by one, without decoding them into the
// model and without allocating. It is meant for sequences the decoder
// validated: on other bytes it reports what is well formed and stops at
// the first item that is not, without checking deterministic encoding or
// argument types.
type CommandReader struct {
	b    []byte
	off  int
	left int // commands left
}

// NewCommandReader returns a reader over the encoded sequence seq.
func NewCommandReader(seq []byte) CommandReader {
	maj, _, n, hl, err := cbor.ReadHead(seq)
	if err != nil || maj != cbor.Array || n%2 != 0 || n > uint64(len(seq)) {
		return CommandReader{}
	}
	return CommandReader{b: seq, off: hl, left: int(n / 2)}
}

// Next returns the next command, false at the end of the sequence.
func (r *CommandReader) Next() (RawCommand, bool) {
	if r.left <= 0 {
		return RawCommand{}, false
	}
	idLen := itemLen(r.b[r.off:], 0)
	if idLen < 0 {
		r.left = 0
		return RawCommand{}, false
	}
	id, ok := itemInt(r.b[r.off : r.off+idLen])
	argLen := itemLen(r.b[r.off+idLen:], 0)
	if !ok || argLen < 0 {
		r.left = 0
		return RawCommand{}, false
	}
	at := r.off + idLen
	r.off = at + argLen
	r.left--
	return RawCommand{ID: id, Arg: r.b[at:r.off]}, true
}

// RawCommand is one command as [CommandReader] reads it: the command id
// and its argument as the exact encoded CBOR item. Its methods read the
// argument of the command kinds a verifier follows without allocating;
// on an argument of another kind they report nothing.
type RawCommand struct {
	ID  int64
	Arg []byte
}

// Kind returns CommandArgKind(c.ID).
func (c RawCommand) Kind() ArgKind { return CommandArgKind(c.ID) }

// SelectsAll reports whether c is set-component-index with the argument
// true (every component).
func (c RawCommand) SelectsAll() bool {
	return c.Kind() == ArgComponentIndex && len(c.Arg) == 1 && c.Arg[0] == 0xf5
}

// EachIndex calls fn with each component index that the argument of
// set-component-index lists (one for a single index, none for true), until
// fn returns false.
func (c RawCommand) EachIndex(fn func(index uint64) bool) {
	if c.Kind() != ArgComponentIndex {
		return
	}
	maj, arg, hl, ok := itemHead(c.Arg)
	switch {
	case !ok:
	case maj == cbor.Uint:
		fn(arg)
	case maj == cbor.Array:
		b := c.Arg[hl:]
		for i := uint64(0); i < arg && len(b) > 0; i++ {
			m, v, n, ok := itemHead(b)
			if !ok || m != cbor.Uint || !fn(v) {
				return
			}
			b = b[n:]
		}
	}
}

// EachParam calls fn with each parameter that override-parameters or
// set-parameters sets, in encoded order, until fn returns false.
func (c RawCommand) EachParam(fn func(p Parameter) bool) {
	if c.Kind() != ArgParameters {
		return
	}
	eachParam(c.Arg, fn)
}

// EachIndexedParam calls fn with each component index and parameter that
// override-multiple sets, in encoded order, until fn returns false.
func (c RawCommand) EachIndexedParam(fn func(index uint64, p Parameter) bool) {
	if c.Kind() != ArgOverrideMultiple {
		return
	}
	maj, n, hl, ok := itemHead(c.Arg)
	if !ok || maj != cbor.Map {
		return
	}
	b := c.Arg[hl:]
	for i := uint64(0); i < n; i++ {
		km, idx, kl, ok := itemHead(b)
		vl := itemLen(b[min(kl, len(b)):], 0)
		if !ok || km != cbor.Uint || vl < 0 {
			return
		}
		more := true
		eachParam(b[kl:kl+vl], func(p Parameter) bool {
			more = fn(idx, p)
			return more
		})
		if !more {
			return
		}
		b = b[kl+vl:]
	}
}

// EachSequence calls fn with the content of each nested command sequence:
// every alternative of try-each (not its trailing nil), or the sequence of
// run-sequence; until fn returns false.
func (c RawCommand) EachSequence(fn func(seq []byte) bool) {
	switch c.Kind() {
	case ArgSequence:
		if s, ok := itemString(c.Arg, cbor.Bytes); ok {
			fn(s)
		}
	case ArgTryEach:
		maj, n, hl, ok := itemHead(c.Arg)
		if !ok || maj != cbor.Array {
			return
		}
		b := c.Arg[hl:]
		for i := uint64(0); i < n; i++ {
			l := itemLen(b, 0)
			if l < 0 {
				return
			}
			if s, ok := itemString(b[:l], cbor.Bytes); ok && !fn(s) {
				return
			}
			b = b[l:]
		}
	}
}

// eachParam calls fn with each entry of the encoded parameter map b.
func eachParam(b []byte, fn func(p Parameter) bool) {
	maj, n, hl, ok := itemHead(b)
	if !ok || maj != cbor.Map {
		return
	}
	b = b[hl:]
	for i := uint64(0); i < n; i++ {
		kl := itemLen(b, 0)
		if kl < 0 {
			return
		}
		key, ok := itemInt(b[:kl])
		vl := itemLen(b[kl:], 0)
		if !ok || vl < 0 {
			return
		}
		if !fn(Parameter{Key: key, Value: b[kl : kl+vl]}) {
			return
		}
		b = b[kl+vl:]
	}
}

// maxItemDepth bounds itemLen's recursion on bytes that were not
// validated (validated ones are bounded by MaxDepth, at most 128).
const maxItemDepth = 256

// itemLen returns the length of the well-formed CBOR item at the start of
// b, or -1. It checks structure only (lengths within b, definite lengths),
// not deterministic encoding.
func itemLen(b []byte, depth int) int {
	if depth > maxItemDepth {
		return -1
	}
	maj, _, arg, hl, err := cbor.ReadHead(b)
	if err != nil {
		return -1
	}
	switch maj {
	case cbor.Bytes, cbor.Text:
		if arg > uint64(len(b)-hl) {
			return -1
		}
		return hl + int(arg)
	case cbor.Array, cbor.Map:
		if arg > math.MaxInt32 {
			return -1
		}
		items := arg
		if maj == cbor.Map {
			items *= 2
		}
		off := hl
		for i := uint64(0); i < items; i++ {
			n := itemLen(b[off:], depth+1)
			if n < 0 {
				return -1
			}
			off += n
		}
		return off
	case cbor.Tag:
		n := itemLen(b[hl:], depth+1)
		if n < 0 {
			return -1
		}
		return hl + n
	}
	return hl
}
