package process

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/suit"
)

// genSeeds are deterministic pseudo-random generator programs: with the
// generator they make deep manifests (see TestGeneratorReachesCommands).
func genSeeds(n int) [][]byte {
	r := rand.New(rand.NewPCG(9, 4))
	out := make([][]byte, n)
	for i := range out {
		b := make([]byte, 32+r.IntN(400))
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		out[i] = b
	}
	return out
}

// FuzzProcessGenerated is the structure-aware processing target (issue 9
// item 4): the input is a program for the generator in gen_test.go, which
// builds a valid manifest with arbitrary commands and parameters, signs and
// verifies it and runs Update and Invoke on memory storage. The
// properties are those of runGenerated: the model round-trips through the
// encoder and the strict decoder byte for byte; what verify accepts,
// process runs without panicking and ends in success or an error matching
// one of its sentinels; a command that did not succeed changed no stored
// component; a failed directive fails the procedure. Unlike
// FuzzProcessManifest (raw bytes), nearly every input reaches command
// execution.
func FuzzProcessGenerated(f *testing.F) {
	f.Add([]byte{})
	for _, s := range genSeeds(24) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		runGenerated(data, t.Fatalf)
	})
}

// TestGeneratorReachesCommands proves the generator reaches deep: most
// inputs verify and execute commands beyond the shared sequence, every
// command the processor implements succeeds at least once, and the
// extreme command ids (among them -2^63, the crash of issue 9 item 1) are
// executed, so the generator finds that crash within a few hundred inputs
// (a fraction of a second of fuzzing). The same inputs check every
// property of runGenerated.
func TestGeneratorReachesCommands(t *testing.T) {
	const n = 1500
	var verified, deep, odd, succeeded, minRuns int
	firstMin, firstMinParam := -1, -1
	ok := map[int64]int{}
	ran := map[int64]bool{}
	for i, data := range genSeeds(n) {
		out := runGenerated(data, t.Fatalf)
		if !out.Verified {
			continue
		}
		verified++
		isDeep, isOdd := false, false
		for _, rec := range out.Records {
			ran[rec.Command] = true
			if rec.Section != suit.CommonSharedSequence {
				isDeep = true
			}
			if rec.Outcome == OK {
				ok[rec.Command]++
			}
			if suit.CommandName(rec.Command) == "" {
				isOdd = true
			}
			if rec.Command == math.MinInt64 {
				if firstMin < 0 {
					firstMin = i
				}
				minRuns++
			}
			if rec.Err != nil && strings.Contains(rec.Err.Error(), "parameter -9223372036854775808") && firstMinParam < 0 {
				firstMinParam = i
			}
		}
		if isDeep {
			deep++
		}
		if out.Errs[0] == nil {
			succeeded++
		}
		if isOdd {
			odd++
		}
	}
	frac := func(k int) float64 { return float64(k) / float64(n) }
	t.Logf("%d inputs: %.1f%% verified, %.1f%% executed a command beyond the shared sequence, %.1f%% an unregistered command id, %.1f%% installed successfully; command -2^63 executed %d times, first at input %d; parameter key -2^63 first at input %d",
		n, 100*frac(verified), 100*frac(deep), 100*frac(odd), 100*frac(succeeded), minRuns, firstMin, firstMinParam)
	if frac(verified) < 0.85 {
		t.Errorf("only %.1f%% of generated envelopes verified", 100*frac(verified))
	}
	if frac(deep) < 0.55 {
		t.Errorf("only %.1f%% of inputs reached command execution beyond the shared sequence", 100*frac(deep))
	}
	if frac(odd) < 0.15 {
		t.Errorf("only %.1f%% of inputs executed an unregistered command id", 100*frac(odd))
	}
	// Every command the processor implements succeeded at least once.
	for _, id := range []int64{
		suit.ConditionVendorIdentifier, suit.ConditionClassIdentifier, suit.ConditionDeviceIdentifier,
		suit.ConditionImageMatch, suit.ConditionImageNotMatch, suit.ConditionComponentSlot, suit.ConditionCheckContent,
		suit.ConditionUseBefore, suit.ConditionMinimumBattery, suit.ConditionVersion,
		suit.DirectiveSetComponentIndex, suit.DirectiveOverrideParameters, suit.DirectiveSetParameters,
		suit.DirectiveOverrideMultiple, suit.DirectiveCopyParams, suit.DirectiveTryEach, suit.DirectiveRunSequence,
		suit.DirectiveFetch, suit.DirectiveCopy, suit.DirectiveWrite, suit.DirectiveSwap, suit.DirectiveUnlink,
		suit.DirectiveInvoke, suit.DirectiveApplyDelta,
	} {
		if ok[id] == 0 {
			t.Errorf("%s never succeeded", suit.CommandName(id))
		}
	}
	// The extreme and unregistered ids were executed.
	for _, id := range []int64{0, -1, math.MaxInt64, math.MinInt64, suit.ConditionAbort} {
		if !ran[id] {
			t.Errorf("command %d never executed", id)
		}
	}
	if firstMin < 0 || firstMinParam < 0 {
		t.Errorf("command id -2^63 (first at input %d) or parameter key -2^63 (first at input %d) never processed", firstMin, firstMinParam)
	}
}

// TestWriteGeneratedSeeds writes generated manifests into the committed
// corpus of the raw-bytes target FuzzProcessManifest, so that its
// mutations start from deep manifests. Run with SUITKIT_WRITE_SEEDS=1.
func TestWriteGeneratedSeeds(t *testing.T) {
	if os.Getenv("SUITKIT_WRITE_SEEDS") == "" {
		t.Skip("set SUITKIT_WRITE_SEEDS=1 to rewrite testdata/fuzz/FuzzProcessManifest/gen-*")
	}
	pool, _, err := genSetup()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzProcessManifest")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, data := range genSeeds(24) {
		mb, err := generate(data, pool).Manifest.Encode()
		if err != nil {
			t.Fatal(err)
		}
		body := "go test fuzz v1\n[]byte(" + strconv.Quote(string(mb)) + ")\n"
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("gen-%02d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
