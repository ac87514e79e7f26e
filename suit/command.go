package suit

import "slices"

// CommandSequence is a SUIT_Command_Sequence: a flat CBOR array of
// (command-id, argument) pairs, always carried bstr-wrapped.
type CommandSequence struct {
	// Raw is the exact bstr content this sequence was decoded from; nil
	// when built in code. Encode re-encodes from Commands.
	Raw []byte
	// Commands in order.
	Commands []Command
}

// ArgKind says which argument type a command takes.
type ArgKind int

// Argument kinds (draft-ietf-suit-manifest section 8.4.10 and the
// companion drafts).
const (
	// ArgReportingPolicy: a uint reporting-policy bit field, in
	// Command.ReportingPolicy. Most conditions and directives.
	ArgReportingPolicy ArgKind = iota
	// ArgComponentIndex: set-component-index (12): uint / true / [+uint],
	// in Command.Index.
	ArgComponentIndex
	// ArgParameters: override-parameters (20) and set-parameters (19):
	// {+ parameter => value}, in Command.Params.
	ArgParameters
	// ArgTryEach: try-each (15): [2* bstr .cbor sequence, ?nil], in
	// Command.TryEach and Command.TryEachNil.
	ArgTryEach
	// ArgSequence: run-sequence (32): bstr .cbor sequence, in
	// Command.Sequence.
	ArgSequence
	// ArgOverrideMultiple: override-multiple (34): {+ uint => {+ params}},
	// in Command.Multiple.
	ArgOverrideMultiple
	// ArgCopyParams: copy-params (35): {+ uint => [+ int]}, in
	// Command.Copy.
	ArgCopyParams
	// ArgRaw: a custom (negative) or unknown command; the argument is kept
	// as its encoded CBOR item in Command.Arg. Custom commands take a
	// bstr, tstr, int or nil.
	ArgRaw
)

// CommandArgKind returns the argument kind of command id. Unregistered
// commands, and custom ones other than suitkit's own, are ArgRaw.
func CommandArgKind(id int64) ArgKind {
	switch id {
	case DirectiveSetComponentIndex:
		return ArgComponentIndex
	case DirectiveOverrideParameters, DirectiveSetParameters:
		return ArgParameters
	case DirectiveTryEach:
		return ArgTryEach
	case DirectiveRunSequence:
		return ArgSequence
	case DirectiveOverrideMultiple:
		return ArgOverrideMultiple
	case DirectiveCopyParams:
		return ArgCopyParams
	case DirectiveApplyDelta:
		return ArgReportingPolicy
	}
	if _, ok := commandNames[id]; ok {
		return ArgReportingPolicy
	}
	return ArgRaw
}

// Command is one SUIT condition or directive with its argument. Which
// argument field is meaningful depends on CommandArgKind(ID); the others
// are zero.
type Command struct {
	ID int64

	ReportingPolicy uint64              // ArgReportingPolicy
	Index           ComponentIndex      // ArgComponentIndex
	Params          Parameters          // ArgParameters
	TryEach         []CommandSequence   // ArgTryEach: the alternatives (at least 2)
	TryEachNil      bool                // ArgTryEach: a trailing nil (succeed when every alternative fails)
	Sequence        *CommandSequence    // ArgSequence
	Multiple        []IndexedParameters // ArgOverrideMultiple, in key order
	Copy            []CopyParams        // ArgCopyParams, in key order

	// Arg is the encoded argument item of an ArgRaw command.
	Arg []byte
}

// Kind returns CommandArgKind(c.ID).
func (c *Command) Kind() ArgKind { return CommandArgKind(c.ID) }

// ComponentIndex is the argument of set-component-index: a single index, all
// components (true), or a list of indices.
type ComponentIndex struct {
	All   bool     // encoded as true: every component, in list order
	List  []uint64 // when non-empty, encoded as an array [+uint]
	Index uint64   // otherwise: a single uint
}

// Indices returns the component indices the argument selects, given the
// number of components.
func (ci ComponentIndex) Indices(components int) []uint64 {
	switch {
	case ci.All:
		out := make([]uint64, max(components, 0))
		for i := range out {
			out[i] = uint64(i)
		}
		return out
	case len(ci.List) > 0:
		return slices.Clone(ci.List)
	default:
		return []uint64{ci.Index}
	}
}

// IndexedParameters is one entry of override-multiple: the parameters to
// set on one component.
type IndexedParameters struct {
	Index  uint64
	Params Parameters
}

// CopyParams is one entry of copy-params: copy the listed parameters from
// component Source into the current component.
type CopyParams struct {
	Source uint64
	Keys   []int64
}
