//go:build linux

package verify

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"runtime"
	"syscall"
	"testing"
	"unsafe"

	"github.com/suitkit/suitkit/internal/cose"
	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/suit"
)

// threadCPUNanos returns the calling OS thread's CPU time
// (CLOCK_THREAD_CPUTIME_ID), which, unlike wall time, is not inflated when
// other processes compete for the cores.
func threadCPUNanos() int64 {
	var ts syscall.Timespec
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 3, uintptr(unsafe.Pointer(&ts)), 0)
	return ts.Nano()
}

// BenchmarkCPUTimeExample2 reports the thread CPU time per operation of
// Verify on example 2 ("verify-cpu-ns/op") and of the bare P-256
// verification it contains ("p256-cpu-ns/op"), interleaved in the same
// run. Their difference is what Verify costs beyond the public-key
// operation, measured robustly on a busy machine.
func BenchmarkCPUTimeExample2(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	data := testshared.Conformance(b, "example-2.suit")
	v := mustVerifier(b, []*Key{ietfKey(b)}, &Options{Store: NewMemoryStore()})
	env, _ := suit.Parse(data, nil)
	sigs, _ := parseBlock(env.Authentication.Blocks[0], nil)
	digest := sha256.Sum256(sigs[0].toBeSigned(nil, env.Authentication.DigestBytes))
	der, _ := cose.RawToDER(nil, sigs[0].val[:32], sigs[0].val[32:])
	pub := ietfKey(b).Public().(*ecdsa.PublicKey)
	var tv, tp int64
	for b.Loop() {
		t0 := threadCPUNanos()
		if _, err := v.Verify(data); err != nil {
			b.Fatal(err)
		}
		t1 := threadCPUNanos()
		if !ecdsa.VerifyASN1(pub, digest[:], der) {
			b.Fatal("P-256 verify failed")
		}
		tv += t1 - t0
		tp += threadCPUNanos() - t1
	}
	b.ReportMetric(float64(tv)/float64(b.N), "verify-cpu-ns/op")
	b.ReportMetric(float64(tp)/float64(b.N), "p256-cpu-ns/op")
	b.ReportMetric(float64(tv-tp)/float64(b.N), "overhead-cpu-ns/op")
}
