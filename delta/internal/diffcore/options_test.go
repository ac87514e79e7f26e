package diffcore

import (
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// The delta packages (applier, differ, this core, the shared format) keep
// no mutable state between calls: every package-level variable is a
// sentinel error or a table that is never written. Limits and concurrency
// belong to a call (Options, delta.Limits), so concurrent Diff calls do not
// share a semaphore and tests do not flip globals.
func TestNoPackageLevelMutableState(t *testing.T) {
	allowed := []string{
		"ErrMalformed", "ErrUnsupported", "ErrLimit", "ErrOldImageMismatch", "ErrDigestMismatch", "ErrInputTooLarge",
		"ErrBSControls", "bzCRCTable", "streamNames", "diffCodings",
		"lzmaDefault", "lzmaLC0", "lzmaLC1", "lzmaLC3PB0", "lzmaLC1PB1",
	}
	var files []string
	for _, dir := range []string{".", "../format", "../..", "../../differ"} {
		fs, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(fs) == 0 {
			t.Fatalf("no Go files in %s: %v", dir, err)
		}
		files = append(files, fs...)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, sp := range gd.Specs {
				for _, id := range sp.(*ast.ValueSpec).Names {
					if !slices.Contains(allowed, id.Name) {
						t.Errorf("%s: package-level variable %s (state belongs in a call's options or an instance)", fset.Position(id.Pos()), id.Name)
					}
				}
			}
		}
	}
}

// Options.Concurrency sizes each call's own trial semaphore (zero:
// the default), and the patch is the same whatever it is.
func TestDiffConcurrencyPerCall(t *testing.T) {
	for _, tc := range []struct{ conc, trials int }{{0, defaultTrials}, {-3, defaultTrials}, {1, 1}, {5, 5}} {
		cm, err := newCompressor(1<<16, &Options{Concurrency: tc.conc})
		if err != nil {
			t.Fatal(err)
		}
		other, err := newCompressor(1<<16, &Options{Concurrency: tc.conc})
		if err != nil {
			t.Fatal(err)
		}
		if cap(cm.trials) != tc.trials || cm.trials == other.trials {
			t.Errorf("Concurrency %d: %d trial slots (want %d), shared with another call: %v", tc.conc, cap(cm.trials), tc.trials, cm.trials == other.trials)
		}
		cm.close()
		other.close()
	}
	rng := rand.New(rand.NewPCG(5, 6))
	old := coreRandom(rng, 300<<10)
	new := coreMutate(rng, old, 200)
	// Calls with different Concurrency, at the same time, make the same
	// patch (and share nothing: go test -race).
	concs := []int{0, 1, 3}
	patches := make([][]byte, len(concs))
	errs := make([]error, len(concs))
	var wg sync.WaitGroup
	for i, conc := range concs {
		wg.Go(func() {
			var p bytes.Buffer
			errs[i] = Diff(context.Background(), old, new, &p, &Options{FastCompression: true, BlockMemory: MinBlockMemory, Concurrency: conc})
			patches[i] = p.Bytes()
		})
	}
	wg.Wait()
	for i, conc := range concs {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !bytes.Equal(patches[i], patches[0]) {
			t.Fatalf("Concurrency %d changed the patch", conc)
		}
	}
}

// A forced diff coding on a block without diff bytes (test-only option)
// falls back to the byte coding instead of writing an unreadable block.
func TestForcedCodingWithoutDiffBytesApplies(t *testing.T) {
	pairs := [][2][]byte{
		{nil, []byte("only new bytes")},
		{bytes.Repeat([]byte("abcdefgh"), 64), bytes.Repeat([]byte("abcdefgh"), 64)},
	}
	for _, c := range diffCodings {
		for i, p := range pairs {
			_, got := diffApply(t, p[0], p[1], &Options{FastCompression: true, ForceCoding: c.id})
			if !bytes.Equal(got, p[1]) {
				t.Fatalf("coding %d pair %d: output differs", c.id, i)
			}
		}
	}
}
