package process_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/verify"
)

// minInt64CommandManifest is the manifest of issue 9 item 1: one component
// [h'00'], a shared sequence checking vendor and class, and an install
// sequence whose first command id is -2^63 (3b 7fffffffffffffff, argument
// 0), followed by a vendor check.
const minInt64CommandManifest = "a401010201035834a2028181410004582b8614a20150fa6b4a53d5ad5fdfbe9de663e4d41ffe02501492af1425695e48bf429b2d51f2ab45010f020f144d843b7fffffffffffffff00010f"

// TestMinInt64CommandIDDoesNotCrash is issue 9 item 1: on 9d84ca8 this
// manifest, signed by a trusted key, passed verification and then killed
// the processor with "fatal error: stack overflow" (itoa64 negated
// math.MinInt64 and recursed forever). It must end in a typed error that
// names the command, with nothing installed or committed.
func TestMinInt64CommandIDDoesNotCrash(t *testing.T) {
	mb, err := hex.DecodeString(minInt64CommandManifest)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(mb, []byte{0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}) {
		t.Fatal("fixture lost its -2^63 command id")
	}
	k := newTestKey(t)
	env := sealBytes(t, k, mb, nil)
	store := verify.NewMemoryStore()
	ver, err := verify.New([]*verify.Key{k.anchor}, &verify.Options{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ver.Verify(env); err != nil {
		t.Fatalf("the crash envelope must pass verification (it did on 9d84ca8): %v", err)
	}
	p, st := slotDevice(t)
	rep, err := p.Install(context.Background(), ver, env)
	if !errors.Is(err, process.ErrUnsupported) {
		t.Fatalf("Install: %v, want ErrUnsupported", err)
	}
	var ce *process.CommandError
	if !errors.As(err, &ce) || ce.Command != -1<<63 {
		t.Fatalf("error %v does not locate command -2^63", err)
	}
	if !strings.Contains(err.Error(), "command -9223372036854775808") || !strings.Contains(rep.String(), "-9223372036854775808") {
		t.Fatalf("error or report does not name the command: %v\n%s", err, rep)
	}
	if _, err := rep.MarshalCBOR(); err != nil {
		t.Fatal(err)
	}
	if rep.Committed {
		t.Fatal("sequence committed after a failed install")
	}
	if got, _ := st.Get([][]byte{{0}}); !bytes.Equal(got, process.SlotImage) {
		t.Fatalf("component changed to %q", got)
	}
	// Invoke goes through the same naming code.
	v, err := ver.Verify(env)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Invoke(context.Background(), v); err != nil && !errors.Is(err, process.ErrManifest) && !errors.Is(err, process.ErrUnsupported) {
		t.Fatalf("Invoke: %v", err)
	}
}
