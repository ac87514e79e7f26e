package text

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/suitkit/suitkit/suit"
)

// textFiles resolves the {"file": path} references of a text form. Paths
// are relative to one directory and may not leave it (os.Root), and each
// file is capped in size before it is read.
type textFiles struct {
	dir      string
	maxSize  int64
	maxTotal int64
	total    int64
	root     *os.Root
	cache    map[string][]byte
}

// Defaults for Options: 64 MiB per referenced file, 256 MiB in all.
const (
	defaultMaxTextFile  = 64 << 20
	defaultMaxTextTotal = 256 << 20
)

func (f *textFiles) close() {
	if f.root != nil {
		f.root.Close()
	}
}

// fromSpec reads the file named by the "file" member of t.
func (f *textFiles) fromSpec(t *tnode, path string) ([]byte, error) {
	v, ok := t.get(tnFile)
	if !ok || v.kind != tnString {
		return nil, textErrf(path, "want hex or {%q: path}", tnFile)
	}
	return f.read(v.s, joinPath(path, tnFile))
}

func (f *textFiles) read(name, path string) ([]byte, error) {
	b, err := f.load(name, path)
	if err != nil {
		return nil, err
	}
	f.total += int64(len(b))
	if f.total > f.maxTotal {
		return nil, &Error{Path: path, Detail: fmt.Sprintf("referenced files exceed %d bytes in all", f.maxTotal), Err: suit.ErrLimit}
	}
	return b, nil
}

// load reads a file once; later references reuse the bytes.
func (f *textFiles) load(name, path string) ([]byte, error) {
	if b, ok := f.cache[name]; ok {
		return b, nil
	}
	if f.root == nil {
		dir := f.dir
		if dir == "" {
			dir = "."
		}
		r, err := os.OpenRoot(dir)
		if err != nil {
			return nil, &Error{Path: path, Detail: "opening the spec directory", Err: err}
		}
		f.root = r
	}
	fh, err := f.root.Open(filepath.FromSlash(name))
	if err != nil {
		return nil, &Error{Path: path, Detail: fmt.Sprintf("file %q", name), Err: err}
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, f.maxSize+1))
	if err != nil {
		return nil, &Error{Path: path, Detail: fmt.Sprintf("reading %q", name), Err: err}
	}
	if int64(len(b)) > f.maxSize {
		return nil, &Error{Path: path, Detail: fmt.Sprintf("file %q is larger than %d bytes", name, f.maxSize), Err: suit.ErrLimit}
	}
	if f.cache == nil {
		f.cache = map[string][]byte{}
	}
	f.cache[name] = b
	return b, nil
}
