package fetch

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"

	"github.com/suitkit/suitkit/process"
)

// MapFetcher is a process.Fetcher that serves URIs from local files: each
// URI listed in Files is answered with the content of its file, whatever
// its scheme, and nothing goes over the network. It lets tests,
// conformance vectors and offline installs process manifests that fetch
// from addresses such as http://example.com/fw.bin. The zero value
// refuses every URI. Its fields are read, never written, so one
// MapFetcher may serve concurrent runs.
type MapFetcher struct {
	// Files maps a URI, compared byte for byte with the manifest's
	// suit-parameter-uri, to the path of a local file.
	Files map[string]string
	// Next, when set, serves the URIs Files does not list; nil refuses
	// them with an error matching process.ErrUnsupported.
	Next process.Fetcher
}

// Fetch implements process.Fetcher. A listed URI whose file is larger than
// max fails with an error matching process.ErrLimit before anything is
// read; a missing or unreadable file fails with process.ErrOperation.
func (f *MapFetcher) Fetch(ctx context.Context, uri string, max int64) (io.ReadCloser, error) {
	name, ok := f.Files[uri]
	if !ok {
		if f.Next != nil {
			return f.Next.Fetch(ctx, uri, max)
		}
		return nil, errf(process.ErrUnsupported, "no local file for URI %q", uri)
	}
	if err := ctx.Err(); err != nil {
		return nil, errf(process.ErrOperation, "%v", err)
	}
	file, err := os.Open(name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, errf(process.ErrOperation, "local file %s: %v", name, err)
	}
	st, err := file.Stat()
	if err != nil || !st.Mode().IsRegular() {
		file.Close()
		return nil, errf(process.ErrOperation, "local file %s is not a regular file", name)
	}
	if st.Size() > max {
		file.Close()
		return nil, errf(process.ErrLimit, "local file %s has %d bytes, more than the limit %d", name, st.Size(), max)
	}
	return capped(file, max), nil
}
