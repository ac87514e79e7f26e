package process_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"github.com/suitkit/suitkit/fetch"
	"github.com/suitkit/suitkit/internal/testdevice"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

func TestFullImageInstallsAndCommitsSequence(t *testing.T) {
	k := newTestKey(t)
	fw := firmware(1, 5000)
	flash := testdevice.New()
	d := newDevice(t, flash, k, process.Platform{}, nil)
	rep, err := d.install(seal(t, k, fullImage(t, 3, fw), map[string][]byte{"#fw": fw}))
	if err != nil {
		t.Fatalf("install: %v\n%s", err, rep)
	}
	got, ok := flash.Get(comp0)
	if !ok || !bytes.Equal(got, fw) {
		t.Fatal("component does not hold the new image")
	}
	if n, ok := flash.Counter(comp0Floor); !ok || n != 3 {
		t.Fatalf("counter = %d, %v; want 3", n, ok)
	}
	if !rep.Committed || rep.Err != nil || rep.Reason() != process.ReasonOK {
		t.Fatalf("report: %+v", rep)
	}
	s := rep.String()
	for _, want := range []string{"suit-directive-fetch", "suit-condition-image-match", "install[1]", "result: success"} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q:\n%s", want, s)
		}
	}
	cb, err := rep.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	var dec map[int]any
	if err := cbor.Unmarshal(cb, &dec); err != nil {
		t.Fatal(err)
	}
	if dec[4] != true || len(dec[3].([]any)) < len(rep.Records) || len(dec[99].([]any)) != 2 {
		t.Fatalf("CBOR report %x", cb)
	}
}

// comp0Floor is the device's anti-rollback floor key of comp0.
var comp0Floor = verify.ComponentFloorKey("", comp0)

func TestRollbackRejected(t *testing.T) {
	k := newTestKey(t)
	v1, v2 := firmware(1, 3000), firmware(2, 3000)
	env1 := seal(t, k, fullImage(t, 1, v1), map[string][]byte{"#fw": v1})
	env2 := seal(t, k, fullImage(t, 2, v2), map[string][]byte{"#fw": v2})
	flash := testdevice.New()
	d := newDevice(t, flash, k, process.Platform{}, nil)
	if rep, err := d.install(env1); err != nil {
		t.Fatalf("v1: %v\n%s", err, rep)
	}
	if rep, err := d.install(env2); err != nil {
		t.Fatalf("v2: %v\n%s", err, rep)
	}
	rep, err := d.install(env1)
	if !errors.Is(err, verify.ErrRollback) {
		t.Fatalf("replay of v1: %v, want verify.ErrRollback", err)
	}
	if rep.Reason() != process.ReasonUnauthorised {
		t.Errorf("reason %v", rep.Reason())
	}
	if got, _ := flash.Get(comp0); !bytes.Equal(got, v2) {
		t.Fatal("rolled-back envelope changed the image")
	}
	// Re-applying the current one (equal sequence) is allowed.
	if _, err := d.install(env2); err != nil {
		t.Fatalf("re-apply v2: %v", err)
	}
}

func TestWrongClassID(t *testing.T) {
	k := newTestKey(t)
	fw := firmware(1, 1000)
	m := fullImage(t, 1, fw)
	m.Common.SharedSequence = seq(compat(otherClass, pDigest(t, fw), pSize(len(fw)))...)
	flash := testdevice.New()
	flash.Set(comp0, []byte("factory image"))
	d := newDevice(t, flash, k, process.Platform{}, nil)
	rep, err := d.install(seal(t, k, m, map[string][]byte{"#fw": fw}))
	if !errors.Is(err, process.ErrConditionFailed) {
		t.Fatalf("err = %v, want ErrConditionFailed", err)
	}
	var ce *process.CommandError
	if !errors.As(err, &ce) || ce.Command != suit.ConditionClassIdentifier || ce.Section != suit.CommonSharedSequence {
		t.Fatalf("failure not located at the class check: %v", err)
	}
	if got, _ := flash.Get(comp0); string(got) != "factory image" {
		t.Fatal("image changed")
	}
	if _, ok := flash.Counter(comp0Floor); ok {
		t.Fatal("sequence number committed for a rejected update")
	}
	if rep.Reason() != process.ReasonConditionFailed {
		t.Errorf("reason %v", rep.Reason())
	}
	// The device with that class accepts it.
	d2 := newDevice(t, testdevice.New(), k, process.Platform{Identity: process.Identity{VendorID: testVendor, ClassID: otherClass}}, nil)
	if _, err := d2.install(seal(t, k, m, map[string][]byte{"#fw": fw})); err != nil {
		t.Fatalf("matching class: %v", err)
	}
}

// TestMixAndMatchComponentDigest swaps the integrated payload of one signed
// envelope for a payload signed in another: the signature still verifies
// (integrated payloads are outside it) but the component digest does not.
func TestMixAndMatchComponentDigest(t *testing.T) {
	k := newTestKey(t)
	fwA, fwB := firmware(1, 2000), firmware(2, 2000)
	flash := testdevice.New()
	flash.Set(comp0, []byte("factory image"))
	d := newDevice(t, flash, k, process.Platform{}, nil)
	mixed := seal(t, k, fullImage(t, 5, fwA), map[string][]byte{"#fw": fwB})
	_, err := d.install(mixed)
	if !errors.Is(err, process.ErrPayloadMismatch) {
		t.Fatalf("err = %v, want ErrPayloadMismatch", err)
	}
	if got, _ := flash.Get(comp0); string(got) != "factory image" {
		t.Fatal("mismatched payload reached the component")
	}
	// Two components: payloads crossed between them.
	m := twoComponents(t, 6, fwA, fwB)
	crossed := seal(t, k, m, map[string][]byte{"#a": fwB, "#b": fwA})
	if _, err := d.install(crossed); !errors.Is(err, process.ErrPayloadMismatch) {
		t.Fatalf("crossed payloads: %v, want ErrPayloadMismatch", err)
	}
	if _, ok := flash.Get(comp1); ok {
		t.Fatal("component 1 written from a crossed bundle")
	}
	// Partial bundle: the second payload dropped.
	partial := seal(t, k, m, map[string][]byte{"#a": fwA})
	if _, err := d.install(partial); err == nil {
		t.Fatal("partial bundle accepted")
	}
	if _, ok := flash.Counter(comp0Floor); ok {
		t.Fatal("counter committed")
	}
}

// twoComponents installs a into component 0 and b into component 1 with
// one set-component-index true loop.
func twoComponents(t testing.TB, seqNo uint64, a, b []byte) *suit.Manifest {
	return &suit.Manifest{
		Version: 1, SequenceNumber: seqNo,
		Common: &suit.Common{
			Components: []suit.ComponentID{comp0, comp1},
			SharedSequence: seq(append([]suit.Command{indexAll()}, append(compat(testClass),
				suit.Command{ID: suit.DirectiveOverrideMultiple, Multiple: []suit.IndexedParameters{
					{Index: 0, Params: suit.Parameters{pDigest(t, a), pSize(len(a))}},
					{Index: 1, Params: suit.Parameters{pDigest(t, b), pSize(len(b))}},
				}})...)...),
		},
		Install: &suit.SeverableSequence{Sequence: seq(
			index(0), override(pURI("#a")),
			index(1), override(pURI("#b")),
			indexAll(), cmd(suit.DirectiveFetch), cmd(suit.ConditionImageMatch),
		)},
		Validate: seq(indexAll(), cmd(suit.ConditionImageMatch)),
	}
}

func TestMultiComponent(t *testing.T) {
	k := newTestKey(t)
	a, b := firmware(1, 1500), firmware(2, 2500)
	flash := testdevice.New()
	d := newDevice(t, flash, k, process.Platform{}, nil)
	m := twoComponents(t, 1, a, b)
	rep, err := d.install(seal(t, k, m, map[string][]byte{"#a": a, "#b": b}))
	if err != nil {
		t.Fatalf("%v\n%s", err, rep)
	}
	ga, _ := flash.Get(comp0)
	gb, _ := flash.Get(comp1)
	if !bytes.Equal(ga, a) || !bytes.Equal(gb, b) {
		t.Fatal("components not installed")
	}
	// The fetch ran once per component.
	fetches := map[uint64]bool{}
	for _, r := range rep.Records {
		if r.Command == suit.DirectiveFetch {
			fetches[r.Component] = true
		}
	}
	if !fetches[0] || !fetches[1] {
		t.Fatalf("fetch records: %v", fetches)
	}

	// Without set-component-index first, a multi-component sequence fails.
	m2 := twoComponents(t, 2, a, b)
	m2.Validate = seq(cmd(suit.ConditionImageMatch))
	if _, err := d.install(seal(t, k, m2, map[string][]byte{"#a": a, "#b": b})); !errors.Is(err, process.ErrComponent) {
		t.Fatalf("missing set-component-index: %v, want ErrComponent", err)
	}
	// Out-of-range index.
	m3 := twoComponents(t, 2, a, b)
	m3.Validate = seq(index(2), cmd(suit.ConditionImageMatch))
	if _, err := d.install(seal(t, k, m3, map[string][]byte{"#a": a, "#b": b})); !errors.Is(err, process.ErrComponent) {
		t.Fatalf("index out of range: %v, want ErrComponent", err)
	}
	// More components than the device supports.
	small := newDevice(t, testdevice.New(), k, process.Platform{}, &process.Limits{MaxComponents: 1})
	if _, err := small.install(seal(t, k, twoComponents(t, 1, a, b), map[string][]byte{"#a": a, "#b": b})); !errors.Is(err, process.ErrComponent) {
		t.Fatalf("too many components: %v, want ErrComponent", err)
	}
	// An array index selects the listed components.
	m4 := twoComponents(t, 3, a, b)
	m4.Validate = seq(suit.Command{ID: suit.DirectiveSetComponentIndex, Index: suit.ComponentIndex{List: []uint64{1, 0}}}, cmd(suit.ConditionImageMatch))
	rep, err = d.install(seal(t, k, m4, map[string][]byte{"#a": a, "#b": b}))
	if err != nil {
		t.Fatalf("array index: %v\n%s", err, rep)
	}
}

// endlessFetcher streams zeros forever and counts what was read.
type endlessFetcher struct{ read int64 }

func (f *endlessFetcher) Fetch(_ context.Context, _ string, _ int64) (io.ReadCloser, error) {
	return io.NopCloser(readerFunc(func(p []byte) (int, error) {
		clear(p)
		f.read += int64(len(p))
		return len(p), nil
	})), nil
}

type readerFunc func([]byte) (int, error)

func (r readerFunc) Read(p []byte) (int, error) { return r(p) }

// TestEndlessDataFromFetch: a server (or mirror) that never stops sending.
// The processor reads at most image-size+1 bytes (or its own cap when the
// manifest sets no size) and fails; the component keeps its old image.
func TestEndlessDataFromFetch(t *testing.T) {
	k := newTestKey(t)
	fw := firmware(1, 3000)
	m := fullImage(t, 1, fw)
	m.Install = &suit.SeverableSequence{Sequence: seq(override(pURI("https://updates.example/fw.bin")), cmd(suit.DirectiveFetch), cmd(suit.ConditionImageMatch))}
	env := seal(t, k, m, nil)

	f := &endlessFetcher{}
	flash := testdevice.New()
	flash.Set(comp0, []byte("old"))
	d := newDevice(t, flash, k, process.Platform{Fetcher: f}, nil)
	if _, err := d.install(env); !errors.Is(err, process.ErrLimit) {
		t.Fatalf("err = %v, want ErrLimit", err)
	}
	// io.Copy reads in 32 KiB chunks, but the cap trims each read to what
	// is left, so at most image-size+1 bytes are requested.
	if f.read > int64(len(fw))+1 {
		t.Fatalf("read %d bytes for a %d-byte image", f.read, len(fw))
	}
	if got, _ := flash.Get(comp0); string(got) != "old" {
		t.Fatal("component changed")
	}

	// Without image-size the device limit applies.
	m2 := fullImage(t, 2, fw)
	m2.Common.SharedSequence = seq(compat(testClass, pDigest(t, fw))...)
	m2.Install = m.Install
	f2 := &endlessFetcher{}
	d2 := newDevice(t, testdevice.New(), k, process.Platform{Fetcher: f2}, &process.Limits{MaxImageSize: 100000})
	if _, err := d2.install(seal(t, k, m2, nil)); !errors.Is(err, process.ErrLimit) {
		t.Fatalf("no image-size: err = %v, want ErrLimit", err)
	}
	if f2.read > 100001 {
		t.Fatalf("read %d bytes with a 100000-byte device limit", f2.read)
	}

	// Over HTTP on 127.0.0.1 with the shipped URIFetcher.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 4096)
		for i := 0; i < 1<<14; i++ {
			if _, err := w.Write(buf); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	m3 := fullImage(t, 3, fw)
	m3.Install = &suit.SeverableSequence{Sequence: seq(override(pURI(srv.URL+"/fw.bin")), cmd(suit.DirectiveFetch), cmd(suit.ConditionImageMatch))}
	d3 := newDevice(t, testdevice.New(), k, process.Platform{Fetcher: &fetch.URIFetcher{Client: srv.Client()}}, nil)
	if _, err := d3.install(seal(t, k, m3, nil)); !errors.Is(err, process.ErrLimit) {
		t.Fatalf("HTTP: err = %v, want ErrLimit", err)
	}
}

// flakyFetcher serves data but breaks the connection after cut bytes on
// the first request.
type flakyFetcher struct {
	data  []byte
	cut   int
	calls int
}

func (f *flakyFetcher) Fetch(_ context.Context, _ string, _ int64) (io.ReadCloser, error) {
	f.calls++
	if f.calls == 1 {
		return io.NopCloser(io.MultiReader(bytes.NewReader(f.data[:f.cut]), readerFunc(func([]byte) (int, error) {
			return 0, errors.New("connection reset by peer")
		}))), nil
	}
	return io.NopCloser(bytes.NewReader(f.data)), nil
}

// TestNetworkInterruptionDuringFetch (threats P7): partial data is never
// installed; the next attempt fetches again and succeeds.
func TestNetworkInterruptionDuringFetch(t *testing.T) {
	k := newTestKey(t)
	fw := firmware(1, 10000)
	m := fullImage(t, 1, fw)
	m.Install = &suit.SeverableSequence{Sequence: seq(override(pURI("https://updates.example/fw.bin")), cmd(suit.DirectiveFetch), cmd(suit.ConditionImageMatch))}
	env := seal(t, k, m, nil)
	f := &flakyFetcher{data: fw, cut: 6000}
	flash := testdevice.New()
	flash.Set(comp0, []byte("old"))
	d := newDevice(t, flash, k, process.Platform{Fetcher: f}, nil)
	if _, err := d.install(env); !errors.Is(err, process.ErrOperation) {
		t.Fatalf("interrupted fetch: %v, want ErrOperation", err)
	}
	if got, _ := flash.Get(comp0); string(got) != "old" {
		t.Fatal("partial payload installed")
	}
	if rep, err := d.install(env); err != nil {
		t.Fatalf("retry: %v\n%s", err, rep)
	}
	if got, _ := flash.Get(comp0); !bytes.Equal(got, fw) {
		t.Fatal("retry did not install the image")
	}
}
