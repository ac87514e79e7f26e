package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/suit"
)

var (
	rbVendor = []byte{0xfa, 0x6b, 0x4a, 0x53, 0xd5, 0xad, 0x5f, 0xdf, 0xbe, 0x9d, 0xe6, 0x63, 0xe4, 0xd4, 0x1f, 0xfe}
	rbClass  = []byte{0x14, 0x92, 0xaf, 0x14, 0x25, 0x69, 0x5e, 0x48, 0xbf, 0x42, 0x9b, 0x2d, 0x51, 0xf2, 0xab, 0x45}
)

// rbManifest installs fw into component [h'00'] from "#fw". variant
// "" is an ordinary manifest, "mcid" adds a manifest-component-id,
// "try-each" sets vendor and class only inside a try-each of the shared
// sequence.
func rbManifest(t *testing.T, seqNo uint64, fw []byte, variant string) *suit.Manifest {
	t.Helper()
	d, err := suit.ComputeDigest(suit.AlgSHA256, fw)
	if err != nil {
		t.Fatal(err)
	}
	pd, err := suit.ParamDigest(suit.ParamImageDigest, d)
	if err != nil {
		t.Fatal(err)
	}
	compat := &suit.CommandSequence{Commands: []suit.Command{
		{ID: suit.DirectiveOverrideParameters, Params: suit.Parameters{
			suit.ParamBytes(suit.ParamVendorIdentifier, rbVendor), suit.ParamBytes(suit.ParamClassIdentifier, rbClass),
			pd, suit.ParamUint(suit.ParamImageSize, uint64(len(fw)))}},
		{ID: suit.ConditionVendorIdentifier, ReportingPolicy: 15},
		{ID: suit.ConditionClassIdentifier, ReportingPolicy: 15},
	}}
	m := &suit.Manifest{
		Version:        1,
		SequenceNumber: seqNo,
		Common:         &suit.Common{Components: []suit.ComponentID{{{0x00}}}, SharedSequence: compat},
		Install: &suit.SeverableSequence{Sequence: &suit.CommandSequence{Commands: []suit.Command{
			{ID: suit.DirectiveOverrideParameters, Params: suit.Parameters{suit.ParamText(suit.ParamURI, "#fw")}},
			{ID: suit.DirectiveFetch, ReportingPolicy: 15},
			{ID: suit.ConditionImageMatch, ReportingPolicy: 15},
		}}},
	}
	switch variant {
	case "mcid":
		m.ManifestComponentID = &suit.ComponentID{[]byte("fresh"), {0x01}}
	case "try-each":
		m.Common.SharedSequence = &suit.CommandSequence{Commands: []suit.Command{
			{ID: suit.DirectiveTryEach, TryEach: []suit.CommandSequence{*compat, *compat}}}}
	}
	return m
}

// rbEnvelope writes m with fw integrated as "#fw", signed by the CLI with
// key, to dir/name and returns its path.
func rbEnvelope(t *testing.T, dir, name, key string, m *suit.Manifest, fw []byte) string {
	t.Helper()
	mb, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	d, err := suit.ComputeDigest(suit.AlgSHA256, suit.BstrItem(mb))
	if err != nil {
		t.Fatal(err)
	}
	db, err := d.Encode()
	if err != nil {
		t.Fatal(err)
	}
	env := &suit.Envelope{Tagged: true, Authentication: &suit.Authentication{DigestBytes: db, Digest: d}, ManifestBytes: mb,
		Integrated: map[string][]byte{"#fw": fw}}
	unsigned, err := env.Encode()
	if err != nil {
		t.Fatal(err)
	}
	in, out := filepath.Join(dir, name+"-unsigned.suit"), filepath.Join(dir, name+".suit")
	if err := os.WriteFile(in, unsigned, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runSuitkit("sign", "--key", key, "--in", in, "--out", out); code != 0 {
		t.Fatalf("sign %s: exit %d: %s", name, code, errOut)
	}
	return out
}

// TestProcessCLIRollbackBypassesRefused is issue 9 item 8 through
// `suitkit process --state`: after sequence 10 is installed, an old
// (sequence 3), validly signed manifest that adds a manifest-component-id,
// or sets vendor/class inside a try-each, is refused with exit 1, and the
// device keeps image 10 and its state file unchanged. On 9d84ca8 both
// exited 0, installed image 3 and added a second line to the state.
func TestProcessCLIRollbackBypassesRefused(t *testing.T) {
	for _, variant := range []string{"mcid", "try-each"} {
		t.Run(variant, func(t *testing.T) {
			dir := t.TempDir()
			key, pub := signCLIKeygen(t, dir, "ES256")
			img10, img3 := bytes.Repeat([]byte("image ten "), 300), bytes.Repeat([]byte("image three "), 250)
			new10 := rbEnvelope(t, dir, "v10", key, rbManifest(t, 10, img10, ""), img10)
			old3 := rbEnvelope(t, dir, "v3-"+variant, key, rbManifest(t, 3, img3, variant), img3)
			dev, state := filepath.Join(dir, "dev"), filepath.Join(dir, "state")
			run := func(env string) (int, string, string) {
				return runSuitkit("process", "--key", pub, "--device", dev, "--state", state,
					"--vendor-id", "fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe", "--class-id", "1492af14-2569-5e48-bf42-9b2d51f2ab45", env)
			}
			if code, out, errOut := run(new10); code != 0 {
				t.Fatalf("sequence 10: exit %d\n%s%s", code, out, errOut)
			}
			before, err := os.ReadFile(state)
			if err != nil {
				t.Fatal(err)
			}
			code, out, errOut := run(old3)
			if code != 1 || !strings.Contains(errOut, "rollback") {
				t.Fatalf("old manifest (%s): exit %d, stderr %q, want 1 and a rollback\n%s", variant, code, errOut, out)
			}
			got, _ := os.ReadFile(filepath.Join(dev, "comp.00"))
			if !bytes.Equal(got, img10) {
				t.Fatalf("the device holds %s, want image 10", describeImage(got, img10, img3))
			}
			if after, _ := os.ReadFile(state); !bytes.Equal(after, before) {
				t.Fatalf("the state file changed:\n%s\nwas\n%s", after, before)
			}
		})
	}
}

func describeImage(got, img10, img3 []byte) string {
	switch {
	case bytes.Equal(got, img3):
		return "image 3"
	case bytes.Equal(got, img10):
		return "image 10"
	}
	return fmt.Sprintf("%d bytes, sha256 %x", len(got), sha256.Sum256(got))
}

// TestProcessCLIStateKey (issue 9 item 11): with --state-key the state
// file is bound to the device secret. Rewriting it with a lower floor and
// a fresh checksum (all an unkeyed file has) makes the next run exit 2
// with "not authentic", and the old image is not installed; the same
// edit without a key is accepted, which is what the docs say. A public
// key or a short secret is refused as a state key (exit 2). verify
// --state --state-key reads the keyed state.
func TestProcessCLIStateKey(t *testing.T) {
	dir := t.TempDir()
	key, pub := signCLIKeygen(t, dir, "ES256")
	secret := filepath.Join(dir, "state.key")
	if err := os.WriteFile(secret, bytes.Repeat([]byte{0x7e}, 32), 0o600); err != nil {
		t.Fatal(err)
	}
	img10, img3 := bytes.Repeat([]byte("ten "), 500), bytes.Repeat([]byte("three "), 400)
	new10 := rbEnvelope(t, dir, "v10", key, rbManifest(t, 10, img10, ""), img10)
	old3 := rbEnvelope(t, dir, "v3", key, rbManifest(t, 3, img3, ""), img3)
	dev, state := filepath.Join(dir, "dev"), filepath.Join(dir, "state")
	run := func(env string, extra ...string) (int, string, string) {
		args := append([]string{"process", "--key", pub, "--device", dev, "--state", state,
			"--vendor-id", "fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe", "--class-id", "1492af14-2569-5e48-bf42-9b2d51f2ab45"}, extra...)
		return runSuitkit(append(args, env)...)
	}
	if code, out, errOut := run(new10, "--state-key", secret); code != 0 {
		t.Fatalf("keyed install: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := runSuitkit("verify", "--key", pub, "--state", state, "--state-key", secret, old3); code != 1 || !strings.Contains(errOut, "rollback") {
		t.Errorf("verify with the keyed state: exit %d %q", code, errOut)
	}
	if code, _, _ := runSuitkit("verify", "--key", pub, "--state", state, old3); code != 2 {
		t.Errorf("verify of a keyed state without the key: exit %d, want 2", code)
	}
	good, _ := os.ReadFile(state)
	// The attacker lowers every floor to 0 and recomputes the checksum.
	lines := strings.Split(strings.TrimSuffix(string(good), "\n"), "\n")
	var b strings.Builder
	b.WriteString(lines[0] + "\n")
	for _, l := range lines[1 : len(lines)-1] {
		f := strings.Fields(l)
		b.WriteString(f[0] + " 0 " + f[2] + "\n")
	}
	sum := sha256.Sum256([]byte(b.String()))
	forged := b.String() + fmt.Sprintf("sha256 %x\n", sum)
	os.WriteFile(state, []byte(forged), 0o600)
	code, _, errOut := run(old3, "--state-key", secret)
	if code != 2 || !strings.Contains(errOut, "not authentic") {
		t.Fatalf("forged state with the key: exit %d %q, want 2 and not authentic", code, errOut)
	}
	if got, _ := os.ReadFile(filepath.Join(dev, "comp.00")); !bytes.Equal(got, img10) {
		t.Fatalf("the device holds %s, want image 10", describeImage(got, img10, img3))
	}
	if code, _, _ := run(old3); code != 0 {
		t.Errorf("forged state without a key: exit %d; the checksum alone cannot catch it", code)
	}
	for _, bad := range []string{pub, filepath.Join(dir, "short")} {
		os.WriteFile(filepath.Join(dir, "short"), []byte("0123456789"), 0o600)
		if code, _, errOut := run(new10, "--state-key", bad); code != 2 || !strings.Contains(errOut, "--state-key") {
			t.Errorf("--state-key %s: exit %d %q, want 2", filepath.Base(bad), code, errOut)
		}
	}
}
