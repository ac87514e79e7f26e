package suit

import (
	"fmt"
	"sort"
)

// Build assembles the manifest and returns the unsigned envelope, as
// [Decode] returns it after strictly decoding the encoding (so
// env.Encode() gives the bytes to sign or store). Its authentication
// wrapper holds the SHA-256 digest of the manifest bstr and no blocks.
// The decode uses the default [Limits] except for the envelope size, so
// large integrated payloads are fine, but a manifest a device would refuse
// (say, more components than Limits allows) makes Build fail; BuildBytes
// does not decode.
func (b *Builder) Build() (*Envelope, error) {
	data, err := b.BuildBytes()
	if err != nil {
		return nil, err
	}
	return Decode(data, &Limits{MaxEnvelopeSize: len(data)})
}

// BuildBytes is Build returning the encoded envelope.
func (b *Builder) BuildBytes() ([]byte, error) {
	if b.err != nil {
		return nil, b.err
	}
	if len(b.components) == 0 {
		return nil, fmt.Errorf("%w: no images", ErrBuild)
	}
	multi := len(b.components) > 1
	m := &Manifest{Version: 1, SequenceNumber: b.SequenceNumber, Common: &Common{}}
	for _, c := range b.components {
		m.Common.Components = append(m.Common.Components, c.id)
	}
	if cmds := b.assemble(sharedKey, multi); cmds != nil {
		m.Common.SharedSequence = &CommandSequence{Commands: cmds}
	}
	if b.ReferenceURI != "" {
		uri := b.ReferenceURI
		m.ReferenceURI = &uri
	}
	env := &Envelope{Tagged: !b.Untagged, Integrated: b.integrated}
	for _, key := range builderSequences {
		cmds := b.assemble(key, multi)
		if cmds == nil {
			continue
		}
		seq := &CommandSequence{Commands: cmds}
		switch key {
		case ManifestValidate:
			m.Validate = seq
		case ManifestLoad:
			m.Load = seq
		case ManifestInvoke:
			m.Invoke = seq
		case ManifestPayloadFetch:
			m.PayloadFetch = &SeverableSequence{Sequence: seq}
		case ManifestInstall:
			m.Install = &SeverableSequence{Sequence: seq}
		}
	}
	if t := b.text(); t != nil {
		m.Text = &SeverableText{Text: t}
	}
	mb, err := m.Encode()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBuild, err)
	}
	md, err := ComputeDigest(AlgSHA256, BstrItem(mb))
	if err != nil {
		return nil, err
	}
	env.Manifest, env.ManifestBytes = m, mb
	env.Authentication = &Authentication{Digest: md}
	// Severing is the envelope operation's job: the builder only says
	// which members, and only those the manifest has.
	var sever []int64
	if b.SeverInstall && m.Install != nil {
		sever = append(sever, ManifestInstall)
	}
	if b.SeverText && m.Text != nil {
		sever = append(sever, ManifestText)
	}
	if len(sever) > 0 {
		if _, err := Sever(env, &SeverOptions{Elements: sever}); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBuild, err)
		}
	}
	return env.Encode()
}

// assemble concatenates the components' commands for one sequence, each
// component's block starting with set-component-index when there is more
// than one component. It returns nil when no component has commands there.
func (b *Builder) assemble(key int64, multi bool) []Command {
	var out []Command
	for i, c := range b.components {
		cmds := c.seqs[key]
		if len(cmds) == 0 {
			continue
		}
		if multi {
			out = append(out, Command{ID: DirectiveSetComponentIndex, Index: ComponentIndex{Index: uint64(i)}})
		}
		out = append(out, cmds...)
	}
	return out
}

// text returns the text map, or nil when there is no text.
func (b *Builder) text() *Text {
	lang := TextLanguage{Tag: b.TextLanguage}
	if lang.Tag == "" {
		lang.Tag = "en-US"
	}
	if b.Description != "" {
		lang.Manifest = append(lang.Manifest, TextEntry{Key: TextManifestDescription, Value: b.Description})
	}
	for _, c := range b.components {
		if len(c.text) == 0 {
			continue
		}
		ct := ComponentText{Component: c.id}
		keys := make([]int64, 0, len(c.text))
		for k := range c.text {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
		for _, k := range keys {
			ct.Entries = append(ct.Entries, TextEntry{Key: k, Value: c.text[k]})
		}
		lang.Components = append(lang.Components, ct)
	}
	if lang.Manifest == nil && lang.Components == nil {
		return nil
	}
	return &Text{Languages: []TextLanguage{lang}}
}
