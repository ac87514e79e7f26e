package suit

import (
	"strconv"
	"strings"

	"github.com/suitkit/suitkit/internal/cbor"
)

// This file decodes command sequences, commands and their arguments.

// shortName strips the "suit-" prefix of an IETF name for use in error
// paths; unknown keys become "key(N)".
func shortName(name string, k int64) string {
	if name == "" {
		return "key(" + strconv.FormatInt(k, 10) + ")"
	}
	return strings.TrimPrefix(name, "suit-")
}

// sharedAllowed reports whether a command may appear in the shared
// sequence: conditions and the parameter-setting and flow directives
// (draft-ietf-suit-manifest SUIT_Shared_Sequence; custom commands are
// excluded).
func sharedAllowed(id int64) bool {
	switch id {
	case DirectiveSetComponentIndex, DirectiveTryEach, DirectiveSetParameters,
		DirectiveOverrideParameters, DirectiveRunSequence, DirectiveOverrideMultiple,
		DirectiveCopyParams:
		return true
	}
	return IsCondition(id)
}

// sequence decodes a bstr-wrapped command sequence. depth is the depth of
// the bstr; seqDepth the sequence nesting level (1 for a top-level
// sequence); shared is true inside the shared sequence.
func (d *dec) sequence(depth, seqDepth int, shared bool) (CommandSequence, error) {
	if seqDepth > d.lim.seqDepth {
		return CommandSequence{}, d.fail(ErrLimit, d.off, "command sequences nested %d deep exceed the limit of %d", seqDepth, d.lim.seqDepth)
	}
	if err := d.depthOK(depth + 1); err != nil {
		return CommandSequence{}, err
	}
	sub, err := d.wrapped()
	if err != nil {
		return CommandSequence{}, err
	}
	cmds, err := sub.commands(depth+1, seqDepth, shared)
	if err != nil {
		return CommandSequence{}, err
	}
	if err := sub.end(); err != nil {
		return CommandSequence{}, err
	}
	return CommandSequence{Raw: sub.b, Commands: cmds}, nil
}

// commands decodes the flat [id, arg, id, arg, ...] array at depth.
func (d *dec) commands(depth, seqDepth int, shared bool) ([]Command, error) {
	start := d.off
	n, err := d.array(2*d.lim.commands, "command sequence")
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, d.fail(ErrMalformed, start, "empty command sequence")
	}
	if n%2 != 0 {
		return nil, d.fail(ErrMalformed, start, "command sequence has an odd number (%d) of elements", n)
	}
	if d.check {
		// Validate only: every command decodes into the same scratch
		// value, whose argument decoders keep nothing.
		var scratch Command
		for i := 0; i < n/2; i++ {
			if err := d.command(&scratch, depth+1, seqDepth, shared); err != nil {
				return nil, inIndex(err, i)
			}
		}
		return nil, nil
	}
	cmds := make([]Command, n/2)
	for i := range cmds {
		if err := d.command(&cmds[i], depth+1, seqDepth, shared); err != nil {
			return nil, inIndex(err, i)
		}
	}
	return cmds, nil
}

// command decodes one command id and its argument; depth is their depth.
func (d *dec) command(c *Command, depth, seqDepth int, shared bool) error {
	start := d.off
	id, err := d.int()
	if err != nil {
		return err
	}
	c.ID = id
	if shared && !sharedAllowed(id) {
		return d.fail(ErrMalformed, start, "command %d (%s) is not allowed in the shared sequence", id, shortName(CommandName(id), id))
	}
	switch CommandArgKind(id) {
	case ArgReportingPolicy:
		c.ReportingPolicy, err = d.uint()
	case ArgComponentIndex:
		err = d.componentIndex(&c.Index, depth)
	case ArgParameters:
		c.Params, err = d.params(depth)
	case ArgTryEach:
		err = d.tryEach(c, depth, seqDepth, shared)
	case ArgSequence:
		var s CommandSequence
		s, err = d.sequence(depth, seqDepth+1, shared)
		if err == nil && !d.check {
			c.Sequence = &s
		}
	case ArgOverrideMultiple:
		c.Multiple, err = d.overrideMultiple(depth)
	case ArgCopyParams:
		c.Copy, err = d.copyParams(depth)
	default:
		if id < 0 {
			switch m, _ := d.peek(); {
			case m == cbor.Uint || m == cbor.Nint || m == cbor.Bytes || m == cbor.Text || d.peekByte() == 0xf6:
			default:
				return inPath(d.fail(ErrMalformed, d.off, "custom command argument must be a bstr, tstr, int or nil"), shortName(CommandName(id), id))
			}
		}
		c.Arg, err = d.skip(depth)
	}
	if err != nil {
		return inPath(err, shortName(CommandName(id), id))
	}
	return nil
}

// componentIndex decodes uint / true / [+uint].
func (d *dec) componentIndex(ci *ComponentIndex, depth int) error {
	start := d.off
	switch m, _ := d.peek(); {
	case d.peekByte() == 0xf5:
		d.off++
		ci.All = true
	case m == cbor.Uint:
		v, err := d.uint()
		if err != nil {
			return err
		}
		ci.Index = v
	case m == cbor.Array:
		if err := d.depthOK(depth); err != nil {
			return err
		}
		n, err := d.array(d.lim.components, "component index list")
		if err != nil {
			return err
		}
		if n == 0 {
			return d.fail(ErrMalformed, start, "empty component index list")
		}
		if d.check {
			for i := 0; i < n; i++ {
				if _, err = d.uint(); err != nil {
					return inIndex(err, i)
				}
			}
			return nil
		}
		ci.List = make([]uint64, n)
		for i := range ci.List {
			if ci.List[i], err = d.uint(); err != nil {
				return inIndex(err, i)
			}
		}
	default:
		return d.fail(ErrMalformed, start, "component index must be a uint, true or an array of uints")
	}
	return nil
}

// tryEach decodes [2* bstr .cbor sequence, ?nil].
func (d *dec) tryEach(c *Command, depth, seqDepth int, shared bool) error {
	if err := d.depthOK(depth); err != nil {
		return err
	}
	start := d.off
	n, err := d.array(d.lim.elements, "try-each")
	if err != nil {
		return err
	}
	if !d.check {
		c.TryEach = make([]CommandSequence, 0, n)
	}
	alts := 0
	for i := 0; i < n; i++ {
		if d.null() {
			if i != n-1 {
				return d.fail(ErrMalformed, d.off-1, "nil is allowed only as the last try-each element")
			}
			c.TryEachNil = true
			break
		}
		s, err := d.sequence(depth+1, seqDepth+1, shared)
		if err != nil {
			return inIndex(err, i)
		}
		alts++
		if !d.check {
			c.TryEach = append(c.TryEach, s)
		}
	}
	if alts < 2 {
		return d.fail(ErrMalformed, start, "try-each needs at least two alternatives, has %d", alts)
	}
	return nil
}

// params decodes a parameter map {+ int => value} at depth.
func (d *dec) params(depth int) (Parameters, error) {
	if err := d.depthOK(depth); err != nil {
		return nil, err
	}
	start := d.off
	n, err := d.mapHead(d.lim.elements, "parameters")
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, d.fail(ErrMalformed, start, "empty parameter map")
	}
	var ps Parameters
	if !d.check {
		ps = make(Parameters, n)
	}
	var prev []byte
	for i := 0; i < n; i++ {
		kAt := d.off
		k, err := d.key(prev, depth+1)
		if err != nil {
			return nil, err
		}
		prev = k
		key, ok := itemInt(k)
		if !ok {
			return nil, d.fail(ErrMalformed, kAt, "parameter key is not an integer")
		}
		vAt := d.off
		if err := d.paramValue(key, depth+1); err != nil {
			return nil, inPath(err, shortName(ParameterName(key), key))
		}
		if ps != nil {
			ps[i] = Parameter{Key: key, Value: d.b[vAt:d.off]}
		}
	}
	return ps, nil
}

// bool reads a boolean.
func (d *dec) bool() (bool, error) {
	switch d.peekByte() {
	case 0xf4:
		d.off++
		return false, nil
	case 0xf5:
		d.off++
		return true, nil
	}
	return false, d.fail(ErrMalformed, d.off, "expected a boolean")
}

// paramValue validates the value of parameter key at depth, by its type.
func (d *dec) paramValue(key int64, depth int) error {
	var err error
	switch key {
	case ParamVendorIdentifier:
		// bstr (UUID) or #6.112(bstr) (CBOR-PEN relative OID).
		if d.peekByte() == 0xd8 && d.off+1 < len(d.b) && d.b[d.off+1] == 0x70 {
			d.off += 2
		}
		_, _, err = d.bstr()
	case ParamClassIdentifier, ParamDeviceIdentifier, ParamContent, ParamInvokeArgs, ParamFetchArguments:
		_, _, err = d.bstr()
	case ParamImageDigest:
		if err = d.depthOK(depth + 1); err != nil {
			return err
		}
		var sub dec
		if sub, err = d.wrapped(); err != nil {
			return err
		}
		if _, err = sub.digest(depth + 1); err != nil {
			return err
		}
		err = sub.end()
	case ParamUseBefore, ParamComponentSlot, ParamImageSize, ParamSourceComponent, ParamMinimumBattery:
		_, err = d.uint()
	case ParamStrictOrder, ParamSoftFailure:
		_, err = d.bool()
	case ParamURI:
		_, err = d.tstr()
	case ParamUpdatePriority:
		_, err = d.int()
	case ParamEncryptionInfo:
		err = d.wrappedForeign(depth, cbor.Tag, "encryption-info")
	case ParamVersion:
		var sub dec
		if sub, err = d.wrapped(); err != nil {
			return err
		}
		if _, err = sub.versionMatch(depth + 1); err != nil {
			return err
		}
		err = sub.end()
	case ParamWaitInfo, ParamComponentMetadata:
		if err = d.depthOK(depth + 1); err != nil {
			return err
		}
		var sub dec
		if sub, err = d.wrapped(); err != nil {
			return err
		}
		if key == ParamWaitInfo {
			_, err = sub.waitInfo(depth + 1)
		} else {
			_, err = sub.componentMetadata(depth + 1)
		}
		if err != nil {
			return err
		}
		err = sub.end()
	default:
		if key < 0 {
			m, _ := d.peek()
			b := d.peekByte()
			if !(m == cbor.Uint || m == cbor.Nint || m == cbor.Bytes || m == cbor.Text || b == 0xf4 || b == 0xf5) {
				return d.fail(ErrMalformed, d.off, "custom parameter value must be an int, bool, tstr or bstr")
			}
		}
		_, err = d.skip(depth)
	}
	return err
}

// versionMatch decodes [comparison-type, [+int]] at depth.
func (d *dec) versionMatch(depth int) (VersionMatch, error) {
	var v VersionMatch
	if err := d.depthOK(depth + 1); err != nil {
		return v, err
	}
	start := d.off
	n, err := d.array(2, "version match")
	if err != nil {
		return v, err
	}
	if n != 2 {
		return v, d.fail(ErrMalformed, start, "version match must have 2 elements")
	}
	if v.Comparison, err = d.int(); err != nil {
		return v, err
	}
	v.Parts, err = d.intList("version", "empty version")
	return v, err
}

// intList decodes a non-empty [+ int]; what names it in a limit error,
// empty is the message for an empty list.
func (d *dec) intList(what, empty string) ([]int64, error) {
	at := d.off
	n, err := d.array(d.lim.elements, what)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, d.fail(ErrMalformed, at, "%s", empty)
	}
	if d.check {
		for i := 0; i < n; i++ {
			if _, err = d.int(); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
	out := make([]int64, n)
	for i := range out {
		if out[i], err = d.int(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func decodeVersionMatch(b []byte) (VersionMatch, error) {
	l := (*Limits)(nil).resolve()
	d := newDec(b, 0, &l)
	v, err := d.versionMatch(1)
	if err == nil {
		err = d.end()
	}
	if err != nil {
		return VersionMatch{}, err
	}
	return v, nil
}

// indexMapHead reads the head of a non-empty {+ uint => ...} map of at
// most MaxComponents entries at depth; what names it in errors.
func (d *dec) indexMapHead(depth int, what string) (int, error) {
	if err := d.depthOK(depth); err != nil {
		return 0, err
	}
	start := d.off
	n, err := d.mapHead(d.lim.components, what)
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, d.fail(ErrMalformed, start, "empty %s map", what)
	}
	return n, nil
}

// indexKey reads the next key of such a map, which must be a component
// index sorting after *prev (updated); what names the key in errors.
func (d *dec) indexKey(prev *[]byte, depth int, what string) (uint64, error) {
	kAt := d.off
	k, err := d.key(*prev, depth+1)
	if err != nil {
		return 0, err
	}
	*prev = k
	maj, idx, _, _ := itemHead(k)
	if maj != cbor.Uint {
		return 0, d.fail(ErrMalformed, kAt, "%s key must be a component index", what)
	}
	return idx, nil
}

// overrideMultiple decodes {+ uint => {+ params}}.
func (d *dec) overrideMultiple(depth int) ([]IndexedParameters, error) {
	n, err := d.indexMapHead(depth, "override-multiple")
	if err != nil {
		return nil, err
	}
	var out []IndexedParameters
	if !d.check {
		out = make([]IndexedParameters, n)
	}
	var prev []byte
	for i := 0; i < n; i++ {
		idx, err := d.indexKey(&prev, depth, "override-multiple")
		if err != nil {
			return nil, err
		}
		ps, err := d.params(depth + 1)
		if err != nil {
			return nil, inKey(err, idx)
		}
		if out != nil {
			out[i] = IndexedParameters{Index: idx, Params: ps}
		}
	}
	return out, nil
}

// copyParams decodes {+ uint => [+ int]}.
func (d *dec) copyParams(depth int) ([]CopyParams, error) {
	n, err := d.indexMapHead(depth, "copy-params")
	if err != nil {
		return nil, err
	}
	var out []CopyParams
	if !d.check {
		out = make([]CopyParams, n)
	}
	var prev []byte
	for i := 0; i < n; i++ {
		idx, err := d.indexKey(&prev, depth, "copy-params")
		if err != nil {
			return nil, err
		}
		if err := d.depthOK(depth + 1); err != nil {
			return nil, err
		}
		ks, err := d.intList("copy-params keys", "empty copy-params key list")
		if err != nil {
			return nil, err
		}
		if out != nil {
			out[i] = CopyParams{Source: idx, Keys: ks}
		}
	}
	return out, nil
}

// digest decodes a SUIT_Digest array at depth.
func (d *dec) digest(depth int) (Digest, error) {
	var dg Digest
	if err := d.depthOK(depth); err != nil {
		return dg, err
	}
	start := d.off
	n, err := d.array(d.lim.elements, "digest")
	if err != nil {
		return dg, err
	}
	if n < 2 {
		return dg, d.fail(ErrMalformed, start, "digest needs 2 elements, has %d", n)
	}
	if dg.Algorithm, err = d.int(); err != nil {
		return dg, err
	}
	at := d.off
	if dg.Value, _, err = d.bstr(); err != nil {
		return dg, err
	}
	if sz := DigestSize(dg.Algorithm); sz != 0 && sz != len(dg.Value) {
		return dg, d.fail(ErrMalformed, at, "%s digest of %d bytes, want %d", DigestAlgorithmName(dg.Algorithm), len(dg.Value), sz)
	}
	if n > 2 {
		dg.Extensions = make([][]byte, n-2)
		for i := range dg.Extensions {
			if dg.Extensions[i], err = d.skip(depth + 1); err != nil {
				return dg, err
			}
		}
	}
	return dg, nil
}
