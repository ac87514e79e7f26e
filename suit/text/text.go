package text

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/suit/internal/cbornode"
	"github.com/suitkit/suitkit/suit/internal/schema"
)

// Syntax selects a rendering of the text form: [JSON] and [YAML] convert
// both ways, [Tree] is for reading only.
type Syntax int

const (
	// JSON is the JSON rendering of the structural text form.
	JSON Syntax = iota + 1
	// YAML is the YAML rendering of the same tree.
	YAML
	// Tree is an indented outline for people, with the same names,
	// abbreviated values and summarised COSE blocks. [Format] only; it
	// cannot be parsed back.
	Tree
)

// ErrInvalid reports a text form that [Parse] cannot convert.
var ErrInvalid = errors.New("suit: invalid text form")

// Error says where in a text form (a path of member names and [i]
// indices) a problem is. It matches [ErrInvalid], and Err when set (for
// example an fs error for a missing referenced file).
type Error struct {
	Path   string
	Detail string
	Err    error
}

// Error implements error.
func (e *Error) Error() string {
	msg := ErrInvalid.Error()
	if e.Path != "" {
		msg += " at " + e.Path
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns ErrInvalid and the underlying error, if any.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrInvalid, e.Err}
	}
	return []error{ErrInvalid}
}

// Options configures [Parse]. The zero value is usable.
type Options struct {
	// Dir is the directory in which {"file": ...} references are resolved;
	// they cannot name anything outside it. Empty means the current
	// directory.
	Dir string
	// MaxFileSize caps each referenced file. Zero means 64 MiB.
	MaxFileSize int64
	// MaxTotalFileSize caps the bytes taken from referenced files over the
	// whole spec, counting every reference (a file named twice counts
	// twice), so that a spec cannot expand into an unbounded envelope.
	// Zero means 256 MiB.
	MaxTotalFileSize int64
}

// textMaxDepth bounds the nesting that Format follows, counting
// bstr-wrapped layers.
const textMaxDepth = 64

// Format renders an encoded envelope (tagged or not) in the structural
// text form. The envelope must be one deterministically encoded CBOR item;
// Format does not check signatures or SUIT semantics (decode it with
// [suit.Decode] first for that). Bstr-wrapped parts that are not valid
// deterministic CBOR are shown as hex, so the output always converts back
// to the same bytes.
func Format(envelope []byte, f Syntax) ([]byte, error) {
	n, err := cbornode.Parse(envelope, textMaxDepth)
	if err != nil {
		return nil, err
	}
	if !cbornode.Canonical(n) {
		return nil, fmt.Errorf("%w: envelope is not deterministically encoded", suit.ErrNotDeterministic)
	}
	o := &textOut{maxDepth: textMaxDepth}
	t := o.envelope(n)
	if t == nil {
		t = o.raw(n, schema.Any)
	}
	return renderText(t, f)
}

func renderText(t *tnode, f Syntax) ([]byte, error) {
	switch f {
	case JSON:
		var buf bytes.Buffer
		t.writeJSON(&buf, 0)
		buf.WriteByte('\n')
		return buf.Bytes(), nil
	case YAML:
		return writeYAMLText(t)
	case Tree:
		return writeTree(t), nil
	}
	return nil, fmt.Errorf("suit: unknown text format %d", f)
}

// Parse converts a text form (see the package documentation of the
// structural text form above) to an encoded envelope. Errors match
// [ErrInvalid] and are *Error values saying where.
func Parse(spec []byte, f Syntax, opts *Options) ([]byte, error) {
	var t *tnode
	var err error
	switch f {
	case JSON:
		t, err = parseJSONText(spec)
	case YAML:
		t, err = parseYAMLText(spec)
	default:
		return nil, fmt.Errorf("suit: unknown text format %d", f)
	}
	if err != nil {
		return nil, &Error{Detail: err.Error()}
	}
	files := &textFiles{maxSize: defaultMaxTextFile, maxTotal: defaultMaxTextTotal}
	if opts != nil {
		files.dir = opts.Dir
		if opts.MaxFileSize > 0 {
			files.maxSize = opts.MaxFileSize
		}
		if opts.MaxTotalFileSize > 0 {
			files.maxTotal = opts.MaxTotalFileSize
		}
	}
	defer files.close()
	r := &textIn{files: files, severed: map[int64][]byte{}}
	return r.envelope(t)
}
