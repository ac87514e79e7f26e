package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/suit"
)

// TestProcessRefusesSwappedPayloadWithoutDigest is issue 9 item 10 through
// the CLI: an envelope signed with `suitkit sign` whose manifest fetches
// "#fw" with no image-digest, and whose integrated payload was then
// replaced (the signature does not cover it). `suitkit verify` accepts it,
// as it must: the manifest is authentic. On 9d84ca8 `suitkit process`
// installed the replaced payload and exited 0; it must exit 1 saying why,
// leave the component as it was and commit no sequence number.
func TestProcessRefusesSwappedPayloadWithoutDigest(t *testing.T) {
	dir := t.TempDir()
	vendor, class := demoVendor.Bytes(), demoClass.Bytes()
	m := &suit.Manifest{
		Version: 1, SequenceNumber: 7,
		Common: &suit.Common{
			Components: []suit.ComponentID{{{0x00}}},
			SharedSequence: &suit.CommandSequence{Commands: []suit.Command{
				{ID: suit.DirectiveOverrideParameters, Params: suit.Parameters{
					suit.ParamBytes(suit.ParamVendorIdentifier, vendor), suit.ParamBytes(suit.ParamClassIdentifier, class)}},
				{ID: suit.ConditionVendorIdentifier, ReportingPolicy: 15},
				{ID: suit.ConditionClassIdentifier, ReportingPolicy: 15},
			}},
		},
		Install: &suit.SeverableSequence{Sequence: &suit.CommandSequence{Commands: []suit.Command{
			{ID: suit.DirectiveOverrideParameters, Params: suit.Parameters{suit.ParamText(suit.ParamURI, "#fw")}},
			{ID: suit.DirectiveFetch, ReportingPolicy: 2},
		}}},
	}
	mb, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	d, err := suit.ComputeDigest(suit.AlgSHA256, suit.BstrItem(mb))
	if err != nil {
		t.Fatal(err)
	}
	unsigned, err := (&suit.Envelope{Tagged: true, Authentication: &suit.Authentication{Digest: d}, ManifestBytes: mb,
		Integrated: map[string][]byte{"#fw": demoFirmware(4096, 1)}}).Encode()
	if err != nil {
		t.Fatal(err)
	}
	in, signed, swapped := filepath.Join(dir, "fw-unsigned.suit"), filepath.Join(dir, "fw.suit"), filepath.Join(dir, "fw-swapped.suit")
	if err := os.WriteFile(in, unsigned, 0o644); err != nil {
		t.Fatal(err)
	}
	key, pub := signCLIKeygen(t, dir, "ES256")
	if code, _, errOut := runSuitkit("sign", "--key", key, "--in", in, "--out", signed); code != 0 {
		t.Fatalf("sign: exit %d: %s", code, errOut)
	}
	// The attacker replaces the integrated payload of the signed envelope.
	data, err := os.ReadFile(signed)
	if err != nil {
		t.Fatal(err)
	}
	env, err := suit.Decode(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	evil := []byte("attacker's firmware")
	env.Integrated["#fw"] = evil
	if data, err = env.Encode(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(swapped, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runSuitkit("verify", "--key", pub, swapped); code != 0 {
		t.Fatalf("verify of the authentic manifest: exit %d\n%s%s", code, out, errOut)
	}

	dev := filepath.Join(dir, "dev")
	if err := os.MkdirAll(dev, 0o755); err != nil {
		t.Fatal(err)
	}
	comp := filepath.Join(dev, "comp.00")
	if err := os.WriteFile(comp, []byte("factory image"), 0o644); err != nil {
		t.Fatal(err)
	}
	ids := []string{"--vendor-id", demoVendor.String(), "--class-id", demoClass.String()}
	for _, envFile := range []string{swapped, signed} { // the untouched payload has no digest either
		code, out, errOut := runSuitkit(append(append([]string{"process", "--key", pub, "--device", dev}, ids...), envFile)...)
		if code != 1 || !strings.HasPrefix(errOut, "suitkit ") || !strings.Contains(errOut, "image-digest") {
			t.Fatalf("process %s: exit %d, stderr %q; want exit 1 naming the missing image-digest\n%s", filepath.Base(envFile), code, errOut, out)
		}
		if got, _ := os.ReadFile(comp); string(got) != "factory image" {
			t.Fatalf("process %s: the component now holds %q", filepath.Base(envFile), got)
		}
		if st, err := os.ReadFile(filepath.Join(dev, processStateFile)); err == nil && len(st) > 0 {
			t.Fatalf("process %s: the sequence number was committed:\n%s", filepath.Base(envFile), st)
		}
	}
}
