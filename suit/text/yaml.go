package text

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// toYAML converts a text-form tree to a YAML node.
func (t *tnode) toYAML() *yaml.Node {
	switch t.kind {
	case tnNull:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	case tnBool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(t.b)}
	case tnNumber:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: t.s}
	case tnString:
		n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t.s}
		switch {
		case strings.Contains(t.s, "\n") && yamlLiteralOK(t.s):
			n.Style = yaml.LiteralStyle
		case strings.Contains(t.s, "\n") || !yamlLiteralOK(t.s+"x"):
			n.Style = yaml.DoubleQuotedStyle
		}
		return n
	case tnArray:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		if len(t.elems) > 0 && t.scalarLine() {
			n.Style = yaml.FlowStyle
		}
		for _, e := range t.elems {
			n.Content = append(n.Content, e.toYAML())
		}
		return n
	}
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for i, k := range t.keys {
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, t.elems[i].toYAML())
	}
	return n
}

// yamlLiteralOK reports whether a multi-line string survives a literal
// block scalar unchanged: printable characters only, no leading blank, no
// trailing spaces on any line. Others are left to the encoder's quoting.
func yamlLiteralOK(s string) bool {
	if s == "" || s[0] == ' ' || s[0] == '\n' {
		return false
	}
	for _, line := range strings.Split(s, "\n") {
		if strings.HasSuffix(line, " ") {
			return false
		}
		for _, r := range line {
			if r < 0x20 || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029 || r == 0xfeff {
				return false
			}
		}
	}
	return true
}

func writeYAMLText(t *tnode) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(t.toYAML()); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// parseYAMLText reads one YAML document into a text-form tree. Anchors and
// aliases are refused (they allow exponential expansion), as are duplicate
// keys and non-scalar keys.
func parseYAMLText(data []byte) (*tnode, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, errors.New("more than one YAML document")
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, errors.New("empty YAML document")
	}
	return yamlValue(doc.Content[0], 0)
}

func yamlValue(n *yaml.Node, depth int) (*tnode, error) {
	if depth > tnMaxDepth {
		return nil, errors.New("YAML nested too deeply")
	}
	switch n.Kind {
	case yaml.AliasNode:
		return nil, fmt.Errorf("line %d: YAML aliases are not supported", n.Line)
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return tNull(), nil
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err != nil {
				return nil, fmt.Errorf("line %d: %v", n.Line, err)
			}
			return tBool(b), nil
		case "!!int":
			s := strings.ReplaceAll(n.Value, "_", "")
			neg := strings.HasPrefix(s, "-")
			mag := strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
			if neg && mag == "18446744073709551616" {
				return tNum("-" + mag), nil // -2^64, the smallest CBOR integer
			}
			v, err := strconv.ParseUint(mag, 0, 64)
			if err != nil {
				return nil, fmt.Errorf("line %d: integer %q: %v", n.Line, n.Value, err)
			}
			lit := strconv.FormatUint(v, 10)
			if neg && v != 0 {
				lit = "-" + lit
			}
			return tNum(lit), nil
		case "!!str", "!!binary", "!!timestamp":
			return tStr(n.Value), nil
		case "!!float":
			return nil, fmt.Errorf("line %d: floating-point values are not used in SUIT", n.Line)
		}
		return nil, fmt.Errorf("line %d: unsupported YAML tag %s", n.Line, n.ShortTag())
	case yaml.SequenceNode:
		a := tArr()
		for _, c := range n.Content {
			e, err := yamlValue(c, depth+1)
			if err != nil {
				return nil, err
			}
			a.elems = append(a.elems, e)
		}
		return a, nil
	case yaml.MappingNode:
		o := tObj()
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: mapping keys must be scalars", k.Line)
			}
			if k.ShortTag() == "!!merge" {
				return nil, fmt.Errorf("line %d: YAML merge keys are not supported", k.Line)
			}
			if seen[k.Value] {
				return nil, fmt.Errorf("line %d: duplicate key %q", k.Line, k.Value)
			}
			seen[k.Value] = true
			v, err := yamlValue(n.Content[i+1], depth+1)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k.Value, err)
			}
			o.set(k.Value, v)
		}
		return o, nil
	}
	return nil, fmt.Errorf("line %d: unsupported YAML node", n.Line)
}
