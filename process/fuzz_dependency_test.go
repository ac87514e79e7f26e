package process_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

var (
	fuzzDepOnce sync.Once
	fuzzDepKey  testKey
)

// processSentinelsExt are the sentinels every processing error matches
// one of (the verify ones for a root refused before any command ran).
var processSentinelsExt = []error{process.ErrConditionFailed, process.ErrUnsupported, process.ErrParameterUnset,
	process.ErrComponent, process.ErrLimit, process.ErrOperation, process.ErrPayloadMismatch,
	process.ErrUnauthenticatedContent, process.ErrNoContent, process.ErrMissingSequence, process.ErrDeferred,
	process.ErrExpired, process.ErrManifest, process.ErrLocked, process.ErrSuperseded, process.ErrDependency,
	verify.ErrUnauthenticated, verify.ErrMalformed, verify.ErrRollback, verify.ErrUnauthorizedComponent,
	verify.ErrMissingPayload, verify.ErrSeveredMismatch, verify.ErrUnsupportedAlgorithm, suit.ErrDigestMismatch}

// FuzzDependencyTree processes a two-manifest tree in which one manifest
// is the fuzzer's: with mode even, data is the dependency's manifest and
// a fixed dependent declares its digest, fetches it, authenticates it with
// dependency-integrity and processes it in dependency-resolution and
// install; with mode odd, data is the dependent's manifest and the fixed
// dependency is served integrated ("#dep.suit") and at depURI. Both are
// signed with a trusted key, so the fuzzer reaches the dependency
// commands, the tree limits and the authority checks. Properties: no
// panic, a report whose error is the returned one and matches a sentinel,
// and no anti-rollback floor raised unless the whole tree succeeded.
func FuzzDependencyTree(f *testing.F) {
	fuzzDepOnce.Do(func() { fuzzDepKey = prefixKey(f) })
	k := fuzzDepKey
	fixedDep := writer(3, compRadio, "radio v3")
	depBytes, err := fixedDep.Encode()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(byte(0), depBytes)
	depEnv := sealBytes(f, k, depBytes, nil)
	for _, integ := range []bool{true, false} {
		for _, uri := range []string{depURI, "#dep.suit"} {
			rb, err := dependent(f, 7, depEnv, uri, integ, "app v7").Encode()
			if err != nil {
				f.Fatal(err)
			}
			f.Add(byte(1), rb)
		}
	}
	// The draft's examples: their manifests, as dependent and as dependency.
	if dir := testshared.Find("conformance/trust-domains"); dir != "" {
		for _, n := range []string{"example0_dependent.suit", "example1_process.suit", "example2_integrated.suit"} {
			if b, err := os.ReadFile(filepath.Join(dir, n)); err == nil {
				if e, err := suit.Parse(b, nil); err == nil {
					f.Add(byte(0), e.ManifestBytes)
					f.Add(byte(1), e.ManifestBytes)
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, mode byte, data []byte) {
		if len(data) > 8<<10 {
			return
		}
		var root []byte
		files := uriFiles{}
		integrated := map[string][]byte{}
		if mode%2 == 0 {
			dep := sealBytes(t, k, data, nil)
			rm, err := dependent(t, 7, dep, depURI, true, "app v7").Encode()
			if err != nil {
				t.Fatal(err)
			}
			files[depURI] = dep
			root = sealBytes(t, k, rm, nil)
		} else {
			files[depURI] = depEnv
			files["http://example.com/dependent.suit"] = depEnv
			integrated["#dep.suit"] = depEnv
			integrated["#dependent.suit"] = depEnv
			root = sealBytes(t, k, data, integrated)
		}
		d := newDepDevice(t, files, &process.Limits{MaxDependencyDepth: 2, MaxManifests: 3, MaxCommands: 2048}, k)
		rep, err := d.proc.Install(context.Background(), d.ver, root)
		if rep == nil {
			t.Fatal("nil report")
		}
		if rep.Err != err {
			t.Fatalf("report error %v, returned %v", rep.Err, err)
		}
		_ = rep.String()
		if err != nil {
			matched := false
			for _, s := range processSentinelsExt {
				matched = matched || errors.Is(err, s)
			}
			if !matched {
				t.Fatalf("error matches no sentinel: %v", err)
			}
			if fl := d.store.Floors(); len(fl) != 0 {
				t.Fatalf("the tree failed (%v) but floors were raised: %v", err, fl)
			}
		}
	})
}
