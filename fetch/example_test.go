package fetch_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/suitkit/suitkit/fetch"
)

// A MapFetcher answers the URIs a manifest names with local files, here
// for an offline install; unlisted URIs go to a URIFetcher.
func ExampleMapFetcher() {
	dir, _ := os.MkdirTemp("", "mapfetch")
	defer os.RemoveAll(dir)
	local := filepath.Join(dir, "dependent.suit")
	os.WriteFile(local, []byte("envelope bytes"), 0o644)

	f := &fetch.MapFetcher{
		Files: map[string]string{"http://example.com/dependent.suit": local},
		Next:  &fetch.URIFetcher{},
	}
	rc, err := f.Fetch(context.Background(), "http://example.com/dependent.suit", 1<<20)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	fmt.Printf("%s\n", b)
	// Output: envelope bytes
}
