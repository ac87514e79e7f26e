package atomicfile_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/suitkit/suitkit/internal/atomicfile"
)

func ExampleWriteFile() {
	dir, err := os.MkdirTemp("", "atomicfile")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "counter")
	for _, v := range []string{"1", "2"} {
		if err := atomicfile.WriteFile(p, []byte(v), 0o644); err != nil {
			panic(err)
		}
	}
	b, _ := os.ReadFile(p)
	fmt.Println(string(b))
	// Output: 2
}
