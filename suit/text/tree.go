package text

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/suit/internal/cbornode"
	"github.com/suitkit/suitkit/suit/internal/schema"
)

// writeTree renders the text-form tree as an indented outline for people:
// one line per member, commands as "name: argument", reporting policies
// abbreviated, long byte strings shortened and COSE blocks summarised.
// It is not meant to be parsed back.
func writeTree(t *tnode) []byte {
	var b strings.Builder
	tagged := false
	if v, ok := t.get(tnTagged); ok && v.kind == tnBool {
		tagged = v.b
	}
	if _, ok := t.get(tnBareManifest); ok {
		b.WriteString("SUIT manifest (tag 1070: no envelope, no authentication)\n")
	} else if tagged {
		b.WriteString("SUIT envelope (tag 107)\n")
	} else {
		b.WriteString("SUIT envelope (untagged)\n")
	}
	if t.kind != tnObject {
		treeLine(&b, 1, "", t)
		return []byte(b.String())
	}
	for i, k := range t.keys {
		if k == tnTagged {
			continue
		}
		treeMember(&b, 1, k, t.elems[i], "")
	}
	return []byte(b.String())
}

func treeIndent(b *strings.Builder, level int) {
	for i := 0; i < level; i++ {
		b.WriteString("  ")
	}
}

// treeMember writes "name: value" or "name" followed by the children.
// parent names the enclosing member, for context-dependent rendering.
func treeMember(b *strings.Builder, level int, name string, v *tnode, parent string) {
	if s, ok := treeScalar(v, name, parent); ok {
		treeIndent(b, level)
		b.WriteString(name)
		b.WriteString(": ")
		b.WriteString(s)
		b.WriteByte('\n')
		return
	}
	treeIndent(b, level)
	b.WriteString(name)
	b.WriteByte('\n')
	treeChildren(b, level+1, name, v)
}

func treeChildren(b *strings.Builder, level int, name string, v *tnode) {
	switch v.kind {
	case tnObject:
		for i, k := range v.keys {
			treeMember(b, level, k, v.elems[i], name)
		}
	case tnArray:
		for i, e := range v.elems {
			if k, arg, ok := e.single(); ok && k != tnCBORHex && k != tnSevered && name != tnAuthBlocks {
				// A command: "- name: argument".
				treeMember(b, level, "- "+k, arg, name)
				continue
			}
			treeMember(b, level, fmt.Sprintf("[%d]", i), e, name)
		}
	}
}

func treeLine(b *strings.Builder, level int, prefix string, v *tnode) {
	s, _ := treeScalar(v, prefix, "")
	treeIndent(b, level)
	b.WriteString(s)
	b.WriteByte('\n')
}

// treeScalar returns the one-line rendering of v, if it has one.
func treeScalar(v *tnode, name, parent string) (string, bool) {
	switch v.kind {
	case tnNull:
		return "null", true
	case tnBool:
		if v.b {
			return "true", true
		}
		return "false", true
	case tnNumber:
		return v.s, true
	case tnString:
		if parent == tnAuthBlocks {
			return coseSummary(v.s), true
		}
		if strings.Contains(v.s, "\n") || len(v.s) > 120 {
			if _, err := hex.DecodeString(v.s); err == nil && len(v.s) > 120 {
				return fmt.Sprintf("%s... (%d bytes)", v.s[:64], len(v.s)/2), true
			}
			if strings.Contains(v.s, "\n") {
				return cbornode.Quote([]byte(firstLine(v.s))) + " ...", true
			}
		}
		return v.s, true
	case tnArray:
		if !v.scalarLine() {
			return "", false
		}
		parts := make([]string, len(v.elems))
		for i, e := range v.elems {
			s, _ := treeScalar(e, name, name)
			parts[i] = strings.TrimPrefix(s, "suit-send-")
		}
		return "[" + strings.Join(parts, ", ") + "]", true
	case tnObject:
		if len(v.keys) == 0 {
			return "{}", true
		}
		if s, ok := treeUpdateManagement(v, name); ok {
			return s, true
		}
		if parent == tnAuthBlocks {
			r := &textIn{files: &textFiles{}}
			if n, err := r.value(v, schema.CBORBstr, ""); err == nil && n.Major == 2 {
				return coseSummary(hex.EncodeToString(n.Str)), true
			}
		}
		alg, okA := v.get(tnDigestAlg)
		dig, okB := v.get(tnDigestBytes)
		if okA && okB && len(v.keys) == 2 {
			a, _ := treeScalar(alg, "", "")
			return a + " " + dig.s, true
		}
		if k, c, ok := v.single(); ok && k == tnCBORHex {
			return "cbor " + c.s, true
		}
		if k, d, ok := v.single(); ok && k == tnSevered && parent == suit.EnvelopeKeyName(suit.EnvelopeManifest) {
			if s, ok := treeScalar(d, "", ""); ok {
				return "severed, digest " + s, true
			}
		}
	}
	return "", false
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

var coseTagNames = map[uint64]string{18: "COSE_Sign1", 98: "COSE_Sign", 17: "COSE_Mac0", 97: "COSE_Mac"}

var coseAlgNames = map[int64]string{
	-7: "ES256", -9: "ESP256", -35: "ES384", -36: "ES512", -8: "EdDSA", -19: "Ed25519",
	-46: "HSS-LMS", 5: "HMAC 256/256", 6: "HMAC 384/384", 7: "HMAC 512/512",
}

// coseSummary describes an authentication block given as hex: its COSE
// structure and the algorithm of its protected header.
func coseSummary(h string) string {
	b, err := hex.DecodeString(h)
	if err != nil {
		return h
	}
	size := fmt.Sprintf("%d bytes", len(b))
	n, err := cbornode.Parse(b, 16)
	if err != nil || n.Major != 6 {
		return "not a tagged COSE structure, " + size
	}
	name, ok := coseTagNames[n.Arg]
	if !ok {
		name = fmt.Sprintf("tag %d", n.Arg)
	}
	alg := "alg not in protected header"
	if a := n.Elems[0]; a.Major == 4 && len(a.Elems) > 0 && a.Elems[0].Major == 2 {
		if p, err := cbornode.Parse(a.Elems[0].Str, 8); err == nil && p.Major == 5 {
			for i := 0; i+1 < len(p.Elems); i += 2 {
				if k, ok := p.Elems[i].Int64(); ok && k == 1 {
					if v, ok := p.Elems[i+1].Int64(); ok {
						alg = fmt.Sprintf("alg %d", v)
						if an, ok := coseAlgNames[v]; ok {
							alg = an
						}
					}
				}
			}
		}
	}
	return fmt.Sprintf("%s, %s, %s (not verified)", name, alg, size)
}
