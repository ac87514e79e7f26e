package process_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/delta/differ"
	"github.com/suitkit/suitkit/internal/testdevice"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// Issue 9 item 10: content that no authenticated digest covers is never
// installed. A signature covers the manifest; integrated payloads, fetched
// payloads, another component's content and a patch's output are only
// authenticated by the image-digest the manifest sets for the component
// that receives them.

// undigestedFetch is a signed one-component manifest whose install
// sequence fetches "#fw" with no image-digest anywhere.
func undigestedFetch(seqNo uint64) *suit.Manifest {
	return &suit.Manifest{
		Version: 1, SequenceNumber: seqNo,
		Common:  &suit.Common{Components: []suit.ComponentID{comp0}, SharedSequence: seq(compat(testClass)...)},
		Install: &suit.SeverableSequence{Sequence: seq(override(pURI("#fw")), cmd(suit.DirectiveFetch))},
	}
}

// swapIntegrated replaces an integrated payload of a signed envelope, as
// anyone who handles the envelope can: the signature does not cover it.
func swapIntegrated(t *testing.T, env []byte, key string, payload []byte) []byte {
	t.Helper()
	e, err := suit.Decode(env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := e.Integrated[key]; !ok {
		t.Fatalf("envelope has no payload %q", key)
	}
	e.Integrated[key] = payload
	out, err := e.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSwappedIntegratedPayloadWithoutDigestRefused is the attack of issue
// 9 item 10: on 9d84ca8 the manifest verified, and process installed the
// attacker's payload and committed the sequence number.
func TestSwappedIntegratedPayloadWithoutDigestRefused(t *testing.T) {
	k := newTestKey(t)
	genuine, evil := firmware(1, 3000), firmware(666, 3000)
	env := swapIntegrated(t, seal(t, k, undigestedFetch(5), map[string][]byte{"#fw": genuine}), "#fw", evil)

	flash := testdevice.New()
	flash.Set(comp0, []byte("factory"))
	d := newDevice(t, flash, k, process.Platform{}, nil)
	if _, err := d.ver.Verify(env); err != nil {
		t.Fatalf("the swapped envelope must still verify (the payload is not signed): %v", err)
	}
	rep, err := d.install(env)
	if !errors.Is(err, process.ErrUnauthenticatedContent) {
		t.Fatalf("install: %v, want ErrUnauthenticatedContent\n%s", err, rep)
	}
	var ce *process.CommandError
	if !errors.As(err, &ce) || ce.Command != suit.DirectiveFetch || ce.Component != 0 || ce.Section != suit.ManifestInstall {
		t.Fatalf("error does not locate the fetch: %#v", ce)
	}
	for _, want := range []string{"[h'00']", "image-digest", "#fw"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if got, _ := flash.Get(comp0); string(got) != "factory" {
		t.Fatalf("component changed to %d bytes", len(got))
	}
	if _, ok := flash.Counter(verify.IdentityOf(undigestedFetch(5))); ok || rep.Committed {
		t.Fatal("the sequence number was committed")
	}
	if rep.Reason() != process.ReasonUnauthorised {
		t.Errorf("report reason %v, want unauthorised", rep.Reason())
	}
	// The genuine payload is refused too: what is missing is the digest
	// in the manifest, not a property of the bytes.
	if _, err := d.install(seal(t, k, undigestedFetch(6), map[string][]byte{"#fw": genuine})); !errors.Is(err, process.ErrUnauthenticatedContent) {
		t.Fatalf("genuine payload without digest: %v", err)
	}
	// With the digest in the manifest the swap is caught as a mismatch
	// and the genuine payload installs.
	digested := fullImage(t, 7, genuine)
	swapped := swapIntegrated(t, seal(t, k, digested, map[string][]byte{"#fw": genuine}), "#fw", evil)
	if _, err := d.install(swapped); !errors.Is(err, process.ErrPayloadMismatch) {
		t.Fatalf("swapped payload with digest: %v, want ErrPayloadMismatch", err)
	}
	if got, _ := flash.Get(comp0); string(got) != "factory" {
		t.Fatal("component changed by a mismatching payload")
	}
	if rep, err := d.install(seal(t, k, digested, map[string][]byte{"#fw": genuine})); err != nil {
		t.Fatalf("genuine digested install: %v\n%s", err, rep)
	}
	if got, _ := flash.Get(comp0); !bytes.Equal(got, genuine) {
		t.Fatal("genuine image not installed")
	}
}

// countingFetcher serves content for any URI and counts the requests.
type countingFetcher struct {
	content []byte
	asked   int
}

func (f *countingFetcher) Fetch(_ context.Context, _ string, max int64) (io.ReadCloser, error) {
	f.asked++
	return io.NopCloser(io.LimitReader(bytes.NewReader(f.content), max+1)), nil
}

// TestEveryInstallPathNeedsAnImageDigest runs each directive that puts
// content into a component (fetch of an integrated or a remote payload,
// copy, swap, apply-delta, and copy in the load sequence of the Invoke
// procedure) once without and once with the receiving component's
// image-digest. Without it the directive is refused before anything is
// fetched or staged and both components keep their content; with it the
// same manifest installs. write is the exception: its content is part of
// the signed manifest.
func TestEveryInstallPathNeedsAnImageDigest(t *testing.T) {
	old := firmware(10, 6000)
	img := firmware(11, 6000)
	patch := new(bytes.Buffer)
	if err := differ.Diff(context.Background(), old, img, patch, nil); err != nil {
		t.Fatal(err)
	}
	src1 := func(extra ...suit.Parameter) suit.Command {
		return override(append([]suit.Parameter{suit.ParamUint(suit.ParamSourceComponent, 1)}, extra...)...)
	}
	cases := []struct {
		name string
		// cmds install into component 0; digest is the parameter that
		// authenticates the content component 0 receives.
		cmds       func(digest ...suit.Parameter) []suit.Command
		integrated map[string][]byte
		comp1      []byte // component 1 before the run; nil for none
		want       []byte // component 0 after a run with the digest
		invoke     bool   // the commands are the load sequence
	}{
		{"fetch integrated", func(dg ...suit.Parameter) []suit.Command {
			return []suit.Command{index(0), override(append(dg, pURI("#fw"))...), cmd(suit.DirectiveFetch)}
		}, map[string][]byte{"#fw": img}, nil, img, false},
		{"fetch remote", func(dg ...suit.Parameter) []suit.Command {
			return []suit.Command{index(0), override(append(dg, pURI("https://example.com/fw"))...), cmd(suit.DirectiveFetch)}
		}, nil, nil, img, false},
		{"copy", func(dg ...suit.Parameter) []suit.Command {
			return []suit.Command{index(0), src1(dg...), cmd(suit.DirectiveCopy)}
		}, nil, img, img, false},
		{"swap", func(dg ...suit.Parameter) []suit.Command {
			return []suit.Command{index(0), src1(dg...), cmd(suit.DirectiveSwap)}
		}, nil, img, img, false},
		{"apply-delta", func(dg ...suit.Parameter) []suit.Command {
			return []suit.Command{
				index(1), override(pDigest(t, patch.Bytes()), pURI("#patch")), cmd(suit.DirectiveFetch),
				index(0), src1(dg...), cmd(suit.DirectiveApplyDelta)}
		}, map[string][]byte{"#patch": patch.Bytes()}, nil, img, false},
		{"copy in load", func(dg ...suit.Parameter) []suit.Command {
			return []suit.Command{index(0), src1(dg...), cmd(suit.DirectiveCopy)}
		}, nil, img, img, true},
	}
	k := newTestKey(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, withDigest := range []bool{false, true} {
				var dg []suit.Parameter
				if withDigest {
					dg = []suit.Parameter{pDigest(t, c.want)}
				}
				m := &suit.Manifest{Version: 1, SequenceNumber: 1,
					Common: &suit.Common{Components: []suit.ComponentID{comp0, comp1},
						SharedSequence: seq(append([]suit.Command{indexAll()}, compat(testClass)...)...)}}
				if c.invoke {
					m.Load = seq(c.cmds(dg...)...)
				} else {
					m.Install = &suit.SeverableSequence{Sequence: seq(c.cmds(dg...)...)}
				}
				flash := testdevice.New()
				flash.Set(comp0, old)
				if c.comp1 != nil {
					flash.Set(comp1, c.comp1)
				}
				f := &countingFetcher{content: img}
				d := newDevice(t, flash, k, process.Platform{Fetcher: f}, nil)
				v, err := d.ver.Verify(seal(t, k, m, c.integrated))
				if err != nil {
					t.Fatal(err)
				}
				run := d.proc.Update
				if c.invoke {
					run = d.proc.Invoke
				}
				rep, err := run(context.Background(), v)
				got0, _ := flash.Get(comp0)
				if !withDigest {
					if !errors.Is(err, process.ErrUnauthenticatedContent) {
						t.Fatalf("without digest: %v, want ErrUnauthenticatedContent\n%s", err, rep)
					}
					if !bytes.Equal(got0, old) {
						t.Error("without digest: component 0 changed")
					}
					if got1, _ := flash.Get(comp1); c.comp1 != nil && !bytes.Equal(got1, c.comp1) {
						t.Error("without digest: component 1 changed")
					}
					if f.asked != 0 {
						t.Errorf("without digest: the fetcher was asked %d times", f.asked)
					}
					continue
				}
				if err != nil {
					t.Fatalf("with digest: %v\n%s", err, rep)
				}
				if !bytes.Equal(got0, c.want) {
					t.Error("with digest: component 0 does not hold the image")
				}
			}
		})
	}
}

// TestWriteNeedsNoImageDigest: write's content is a parameter of the
// authenticated manifest, so it installs without an image-digest; a
// digest, when set, is still checked.
func TestWriteNeedsNoImageDigest(t *testing.T) {
	if _, flash, err := runInstall(t, process.Platform{}, override(pContent([]byte("signed"))), cmd(suit.DirectiveWrite)); err != nil {
		t.Fatalf("write without digest: %v", err)
	} else if got, _ := flash.Get(comp0); string(got) != "signed" {
		t.Fatalf("component = %q", got)
	}
	_, flash, err := runInstall(t, process.Platform{}, override(pContent([]byte("signed")), pDigest(t, []byte("other"))), cmd(suit.DirectiveWrite))
	if !errors.Is(err, process.ErrPayloadMismatch) {
		t.Fatalf("write against a wrong digest: %v", err)
	}
	if got, _ := flash.Get(comp0); string(got) != "factory" {
		t.Fatal("component changed")
	}
}

// TestSwapChecksIncomingContent: swap gives the current component the
// source's content, which must match the current component's digest; on a
// mismatch neither component changes.
func TestSwapChecksIncomingContent(t *testing.T) {
	k := newTestKey(t)
	m := &suit.Manifest{Version: 1, SequenceNumber: 1,
		Common: &suit.Common{Components: []suit.ComponentID{comp0, comp1}, SharedSequence: seq(append([]suit.Command{indexAll()}, compat(testClass)...)...)},
		Install: &suit.SeverableSequence{Sequence: seq(
			index(0), override(suit.ParamUint(suit.ParamSourceComponent, 1), pDigest(t, []byte("expected"))), cmd(suit.DirectiveSwap))}}
	flash := testdevice.New()
	flash.Set(comp0, []byte("A"))
	flash.Set(comp1, []byte("planted"))
	d := newDevice(t, flash, k, process.Platform{}, nil)
	if _, err := d.install(seal(t, k, m, nil)); !errors.Is(err, process.ErrPayloadMismatch) {
		t.Fatalf("swap of mismatching content: %v, want ErrPayloadMismatch", err)
	}
	if a, _ := flash.Get(comp0); string(a) != "A" {
		t.Error("component 0 changed")
	}
	if b, _ := flash.Get(comp1); string(b) != "planted" {
		t.Error("component 1 changed")
	}
}

// TestUndigestedFetchInTryEachAborts: a refused fetch is a failed
// directive, not a failed condition, so it ends the procedure even inside
// try-each instead of falling through to the next alternative.
func TestUndigestedFetchInTryEachAborts(t *testing.T) {
	fw := firmware(3, 500)
	k := newTestKey(t)
	m := &suit.Manifest{Version: 1, SequenceNumber: 1,
		Common: &suit.Common{Components: []suit.ComponentID{comp0}, SharedSequence: seq(compat(testClass)...)},
		Install: &suit.SeverableSequence{Sequence: seq(tryEach(false,
			seq(override(pURI("#fw")), cmd(suit.DirectiveFetch)),
			seq(override(pContent([]byte("second"))), cmd(suit.DirectiveWrite))))}}
	flash := testdevice.New()
	flash.Set(comp0, []byte("factory"))
	d := newDevice(t, flash, k, process.Platform{}, nil)
	if _, err := d.install(seal(t, k, m, map[string][]byte{"#fw": fw})); !errors.Is(err, process.ErrUnauthenticatedContent) {
		t.Fatalf("err = %v, want ErrUnauthenticatedContent", err)
	}
	if got, _ := flash.Get(comp0); string(got) != "factory" {
		t.Fatalf("component = %q", got)
	}
}

// TestAllowUnauthenticatedContentUnsafe: the documented opt-out for a
// development board installs a payload no digest covers.
func TestAllowUnauthenticatedContentUnsafe(t *testing.T) {
	k := newTestKey(t)
	fw := firmware(4, 2000)
	flash := testdevice.New()
	d := newDevice(t, flash, k, process.Platform{AllowUnauthenticatedContentUnsafe: true}, nil)
	if rep, err := d.install(seal(t, k, undigestedFetch(1), map[string][]byte{"#fw": fw})); err != nil {
		t.Fatalf("%v\n%s", err, rep)
	}
	if got, _ := flash.Get(comp0); !bytes.Equal(got, fw) {
		t.Fatal("payload not installed under the opt-out")
	}
}
