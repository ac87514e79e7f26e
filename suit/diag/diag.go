package diag

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/suitkit/suitkit/suit/internal/cbornode"
	"github.com/suitkit/suitkit/suit/internal/schema"
)

// Options controls [Format].
type Options struct {
	// Indent, when not empty, puts every array element and map entry on its
	// own line, indented by this string per level. Empty means one line.
	Indent string
	// EmbeddedCBOR prints a byte string whose content is exactly one
	// well-formed CBOR array, map or tagged item as <<item>>, the way the
	// SUIT draft shows bstr-wrapped structures. Other byte strings (and any
	// byte string whose content is an integer, a string or a simple value,
	// such as the component identifier h'00') stay h'...'.
	EmbeddedCBOR bool
	// Annotate adds the SUIT names as comments, reading the item as a
	// SUIT envelope: "/ suit-manifest / 3: << {...} >>", commands as
	// "/ suit-condition-vendor-identifier / 1, 15", and UUIDs and digest
	// algorithms spelt out after their values. Annotations are comments
	// only: without them the output is the same as without Annotate.
	Annotate bool
	// MaxDepth bounds nesting, counted across embedded layers too.
	// Zero selects 64.
	MaxDepth int
}

// Format renders one CBOR data item in the diagnostic notation of RFC 8949
// section 8 (with the extended notation <<...>> for embedded CBOR when
// opts.EmbeddedCBOR is set). data must hold exactly one well-formed item
// with definite lengths; otherwise Format returns an error that wraps the
// walker's malformed-CBOR error. opts may be nil. Format never panics.
func Format(data []byte, opts *Options) (string, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = cbornode.DefaultDepth
	}
	n, err := cbornode.Parse(data, o.MaxDepth)
	if err != nil {
		return "", fmt.Errorf("diag: %w", err)
	}
	p := &diagPrinter{opts: o}
	top := schema.Any
	if o.Annotate {
		top = kEnvelopeD
	}
	p.item(n, 0, top)
	return p.b.String(), nil
}

type diagPrinter struct {
	opts Options
	b    strings.Builder
}

func (p *diagPrinter) newline(level int) {
	if p.opts.Indent == "" {
		return
	}
	p.b.WriteByte('\n')
	for i := 0; i < level; i++ {
		p.b.WriteString(p.opts.Indent)
	}
}

func (p *diagPrinter) sep() {
	if p.opts.Indent == "" {
		p.b.WriteString(", ")
	} else {
		p.b.WriteByte(',')
	}
}

// item prints n; level is the nesting level used for depth accounting and
// indentation, and k the SUIT kind expected here (kAny when unknown or
// when not annotating).
func (p *diagPrinter) item(n *cbornode.Node, level int, k schema.Kind) {
	if n.Major == 4 && (k == schema.SeverableSeq || k == schema.SeverableText || k == schema.SeverableBytes) {
		k = schema.Digest // a severed element: its digest
	}
	switch n.Major {
	case 0:
		p.b.WriteString(strconv.FormatUint(n.Arg, 10))
	case 1:
		p.b.WriteString(cbornode.NegativeString(n.Arg))
	case 2:
		p.bstr(n, level, k)
	case 3:
		p.b.WriteString(cbornode.Quote(n.Str))
	case 4:
		p.array(n.Elems, level, k)
	case 5:
		p.mapItem(n.Elems, level, k)
	case 6:
		p.b.WriteString(strconv.FormatUint(n.Arg, 10))
		p.b.WriteByte('(')
		inner := schema.Any
		if k == kEnvelopeD && n.Arg == 107 {
			inner = kEnvelopeD
		} else if k == kEnvelopeD && n.Arg == 1070 {
			inner = kManifestD
		}
		p.item(n.Elems[0], level, inner)
		p.b.WriteByte(')')
	case 7:
		p.b.WriteString(diagSimple(n))
	}
	if p.opts.Annotate {
		p.b.WriteString(diagTrailing(n, k))
	}
}

func (p *diagPrinter) array(elems []*cbornode.Node, level int, k schema.Kind) {
	p.b.WriteByte('[')
	if len(elems) == 0 {
		p.b.WriteByte(']')
		return
	}
	pairs := k == kSequenceD && len(elems)%2 == 0
	for i := 0; i < len(elems); i++ {
		if i > 0 {
			p.sep()
		}
		ek := diagElemKind(k, i)
		if pairs {
			// A command: "/ name / id, argument" on one line.
			p.newline(level + 1)
			id, _ := elems[i].Int64()
			p.comment(schema.Command.ByKey, id, elems[i])
			p.item(elems[i], level+1, schema.Any)
			p.sep()
			if p.opts.Indent != "" {
				p.b.WriteByte(' ')
			}
			i++
			ek = schema.Any
			if p.opts.Annotate && elems[i-1].IsInt() {
				ek = schema.Command.Kind(id)
			}
			p.item(elems[i], level+1, ek)
			continue
		}
		p.newline(level + 1)
		p.item(elems[i], level+1, ek)
	}
	p.newline(level)
	p.b.WriteByte(']')
}

func (p *diagPrinter) mapItem(elems []*cbornode.Node, level int, k schema.Kind) {
	p.b.WriteByte('{')
	if len(elems) == 0 {
		p.b.WriteByte('}')
		return
	}
	names := diagMapSchema(k)
	for i := 0; i+1 < len(elems); i += 2 {
		if i > 0 {
			p.sep()
		}
		p.newline(level + 1)
		key, vk := elems[i], schema.Any
		if names != nil {
			if id, ok := key.Int64(); ok {
				p.comment(names.ByKey, id, key)
				vk = names.Kind(id)
			}
		}
		if p.opts.Annotate {
			vk = diagValueKind(k, key, vk)
		}
		p.item(key, level+1, schema.Any)
		p.b.WriteString(": ")
		p.item(elems[i+1], level+1, vk)
	}
	p.newline(level)
	p.b.WriteByte('}')
}

// comment writes "/ name / " for a known key when annotating.
func (p *diagPrinter) comment(names map[int64]schema.Field, id int64, key *cbornode.Node) {
	if !p.opts.Annotate || !key.IsInt() {
		return
	}
	if f, ok := names[id]; ok {
		p.b.WriteString("/ " + f.Name + " / ")
	}
}

func (p *diagPrinter) bstr(n *cbornode.Node, level int, k schema.Kind) {
	if p.opts.EmbeddedCBOR && len(n.Str) > 0 {
		if item := diagEmbedded(n.Str, p.opts.MaxDepth-level-1); item != nil {
			p.b.WriteString("<< ")
			p.item(item, level, diagBstrInner(k))
			p.b.WriteString(" >>")
			return
		}
	}
	p.b.WriteString("h'")
	p.b.WriteString(hex.EncodeToString(n.Str))
	p.b.WriteByte('\'')
}

// diagEmbedded returns the item embedded in a byte string when the content
// is exactly one well-formed array, map or tag; otherwise nil.
func diagEmbedded(content []byte, depth int) *cbornode.Node {
	if depth <= 0 || len(content) == 0 {
		return nil
	}
	if m := content[0] >> 5; m != 4 && m != 5 && m != 6 {
		return nil
	}
	n, err := cbornode.Parse(content, depth)
	if err != nil {
		return nil
	}
	return n
}

func diagSimple(n *cbornode.Node) string {
	switch n.AI {
	case 20:
		return "false"
	case 21:
		return "true"
	case 22:
		return "null"
	case 23:
		return "undefined"
	case 25:
		return diagFloat(halfToFloat(uint16(n.Arg)))
	case 26:
		return diagFloat(float64(math.Float32frombits(uint32(n.Arg))))
	case 27:
		return diagFloat(math.Float64frombits(n.Arg))
	}
	return "simple(" + strconv.FormatUint(n.Arg, 10) + ")"
}

func diagFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// halfToFloat converts an IEEE 754 binary16 value.
func halfToFloat(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	frac := float64(h & 0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(frac, -24)
	case 31:
		if frac == 0 {
			return math.Inf(int(sign))
		}
		return math.NaN()
	}
	return sign * math.Ldexp(1+frac/1024, exp-15)
}
