package build

import (
	"fmt"
	"sort"

	"github.com/suitkit/suitkit/suit"
)

// Build assembles the manifest and returns the unsigned envelope, as
// [suit.Decode] returns it after strictly decoding the encoding (so
// env.Encode() gives the bytes to sign or store). Its authentication
// wrapper holds the SHA-256 digest of the manifest bstr and no blocks.
// The decode uses the default [suit.Limits] except for the envelope size, so
// large integrated payloads are fine, but a manifest a device would refuse
// (say, more components than Limits allows) makes Build fail; BuildBytes
// does not decode.
func (b *Builder) Build() (*suit.Envelope, error) {
	data, err := b.BuildBytes()
	if err != nil {
		return nil, err
	}
	return suit.Decode(data, &suit.Limits{MaxEnvelopeSize: len(data)})
}

// BuildBytes is Build returning the encoded envelope.
func (b *Builder) BuildBytes() ([]byte, error) {
	if b.err != nil {
		return nil, b.err
	}
	if len(b.components)+len(b.dependencies) == 0 {
		return nil, fmt.Errorf("%w: no images", ErrInvalid)
	}
	// A dependency's index lies outside the components, so a manifest with
	// dependencies selects an index in every sequence.
	multi := len(b.components) > 1 || len(b.dependencies) > 0
	m := &suit.Manifest{Version: 1, SequenceNumber: b.SequenceNumber, Common: &suit.Common{}}
	for _, c := range b.components {
		m.Common.Components = append(m.Common.Components, c.id)
	}
	for i, d := range b.dependencies {
		dep := suit.Dependency{Index: uint64(len(b.components) + i)}
		if d.prefix != nil {
			p := d.prefix.Clone()
			dep.Prefix = &p
		}
		m.Common.Dependencies = append(m.Common.Dependencies, dep)
	}
	if cmds := b.assemble(sharedKey, multi); cmds != nil {
		m.Common.SharedSequence = &suit.CommandSequence{Commands: cmds}
	}
	if b.ReferenceURI != "" {
		uri := b.ReferenceURI
		m.ReferenceURI = &uri
	}
	env := &suit.Envelope{Tagged: !b.Untagged, Integrated: b.integrated}
	for _, key := range append([]int64{suit.ManifestDependencyResolution}, builderSequences...) {
		deps, err := b.assembleDependencies(key)
		if err != nil {
			return nil, err
		}
		cmds := append(deps, b.assemble(key, multi)...)
		if len(cmds) == 0 {
			continue
		}
		seq := &suit.CommandSequence{Commands: cmds}
		switch key {
		case suit.ManifestDependencyResolution:
			m.DependencyResolution = &suit.SeverableSequence{Sequence: seq}
		case suit.ManifestValidate:
			m.Validate = seq
		case suit.ManifestLoad:
			m.Load = seq
		case suit.ManifestInvoke:
			m.Invoke = seq
		case suit.ManifestPayloadFetch:
			m.PayloadFetch = &suit.SeverableSequence{Sequence: seq}
		case suit.ManifestInstall:
			m.Install = &suit.SeverableSequence{Sequence: seq}
		}
	}
	if t := b.text(); t != nil {
		m.Text = &suit.SeverableText{Text: t}
	}
	mb, err := m.Encode()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	md, err := suit.ComputeDigest(suit.AlgSHA256, suit.BstrItem(mb))
	if err != nil {
		return nil, err
	}
	env.Manifest, env.ManifestBytes = m, mb
	env.Authentication = &suit.Authentication{Digest: md}
	// Severing is the envelope operation's job: the builder only says
	// which members, and only those the manifest has.
	var sever []int64
	if b.SeverInstall && m.Install != nil {
		sever = append(sever, suit.ManifestInstall)
	}
	if b.SeverText && m.Text != nil {
		sever = append(sever, suit.ManifestText)
	}
	if len(sever) > 0 {
		if _, err := suit.Sever(env, &suit.SeverOptions{Elements: sever}); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
	}
	return env.Encode()
}

// assembleDependencies returns the dependencies' commands for one
// sequence, each starting with set-component-index.
func (b *Builder) assembleDependencies(key int64) ([]suit.Command, error) {
	var out []suit.Command
	for i := range b.dependencies {
		cmds, err := b.dependencies[i].commands(key)
		if err != nil {
			return nil, err
		}
		if len(cmds) == 0 {
			continue
		}
		out = append(out, suit.Command{ID: suit.DirectiveSetComponentIndex, Index: suit.ComponentIndex{Index: uint64(len(b.components) + i)}})
		out = append(out, cmds...)
	}
	return out, nil
}

// assemble concatenates the components' commands for one sequence, each
// component's block starting with set-component-index when there is more
// than one component. It returns nil when no component has commands there.
func (b *Builder) assemble(key int64, multi bool) []suit.Command {
	var out []suit.Command
	for i, c := range b.components {
		cmds := c.seqs[key]
		if len(cmds) == 0 {
			continue
		}
		if multi {
			out = append(out, suit.Command{ID: suit.DirectiveSetComponentIndex, Index: suit.ComponentIndex{Index: uint64(i)}})
		}
		out = append(out, cmds...)
	}
	return out
}

// text returns the text map, or nil when there is no text.
func (b *Builder) text() *suit.Text {
	lang := suit.TextLanguage{Tag: b.TextLanguage}
	if lang.Tag == "" {
		lang.Tag = "en-US"
	}
	if b.Description != "" {
		lang.Manifest = append(lang.Manifest, suit.TextEntry{Key: suit.TextManifestDescription, Value: b.Description})
	}
	for _, c := range b.components {
		if len(c.text) == 0 {
			continue
		}
		ct := suit.ComponentText{Component: c.id}
		keys := make([]int64, 0, len(c.text))
		for k := range c.text {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
		for _, k := range keys {
			ct.Entries = append(ct.Entries, suit.TextEntry{Key: k, Value: c.text[k]})
		}
		lang.Components = append(lang.Components, ct)
	}
	if lang.Manifest == nil && lang.Components == nil {
		return nil
	}
	return &suit.Text{Languages: []suit.TextLanguage{lang}}
}
