package suitkit

import (
	"os/exec"
	"strings"
	"testing"
)

// deviceRule names a package a device build links and the import paths
// that must never be in its import closure.
type deviceRule struct {
	pkg       string
	forbidden []string
}

// hostOnly are packages that only build tools, servers and the CLI need: text
// forms, the builder, the differ, network clients and the signing side.
var hostOnly = []string{
	"go.yaml.in/yaml/v3",
	"encoding/json",
	"net/http",
	"github.com/suitkit/suitkit/suit/text",
	"github.com/suitkit/suitkit/suit/diag",
	"github.com/suitkit/suitkit/build",
	"github.com/suitkit/suitkit/sign",
	"github.com/suitkit/suitkit/fetch",
	"github.com/suitkit/suitkit/host",
	"github.com/suitkit/suitkit/hsslms/hsskey", // HSS-LMS key state: signing only
}

// generalCBOR is a general-purpose CBOR library: verification reads its
// few CBOR structures (envelope, COSE blocks, COSE_Keys) with suitkit's own
// strict readers on internal/cbor, so it does not link one.
const generalCBOR = "github.com/fxamacker/cbor/v2"

// differOnly is the differ: suffix array, matcher, block builder and the
// zstd, LZMA2 and bzip2 compressors. Only hosts make patches; the applier
// (package delta) does not import it.
var differOnly = []string{
	"github.com/suitkit/suitkit/delta/differ",
	"github.com/suitkit/suitkit/delta/internal/diffcore",
}

// patchOnly is what applying a delta patch needs and verification does not.
var patchOnly = []string{
	"github.com/suitkit/suitkit/delta",
	"github.com/klauspost/compress/zstd",
	"github.com/ulikunitz/xz/lzma",
	"compress/bzip2",
}

// TestDeviceImportClosure keeps the device side small: what verifies a
// manifest, and the engine that processes one, must not pull in a YAML or
// JSON parser, diagnostic notation, the builder, the signer or an HTTP
// client (their init functions would run on the device, and a security
// review of verification would have to cover them). Verification does not
// apply patches, so it does not link the patch decoders either; the
// applier (delta) and the processor do not import the differ.
func TestDeviceImportClosure(t *testing.T) {
	rules := []deviceRule{
		{"github.com/suitkit/suitkit/suit", append(append([]string{}, hostOnly...), patchOnly...)},
		{"github.com/suitkit/suitkit/keys", append(append([]string{generalCBOR}, hostOnly...), patchOnly...)},
		{"github.com/suitkit/suitkit/verify", append(append([]string{generalCBOR}, hostOnly...), patchOnly...)},
		{"github.com/suitkit/suitkit/encryption", append(append([]string{generalCBOR}, hostOnly...), patchOnly...)},
		{"github.com/suitkit/suitkit/report", append(append([]string{generalCBOR}, hostOnly...), patchOnly...)},
		{"github.com/suitkit/suitkit/process", append(append([]string{}, hostOnly...), differOnly...)},
		{"github.com/suitkit/suitkit/delta", append(append([]string{}, hostOnly...), differOnly...)},
	}
	for _, r := range rules {
		deps := goListDeps(t, r.pkg)
		for _, f := range r.forbidden {
			if deps[f] {
				t.Errorf("%s imports %s (directly or indirectly); a device build must not", r.pkg, f)
			}
		}
	}
}

// TestHostAdaptersStayOutOfEachOther checks that the directory device does
// not drag in the HTTP fetcher: an agent that only installs from local files
// should not link net/http.
func TestHostAdaptersStayOutOfEachOther(t *testing.T) {
	deps := goListDeps(t, "github.com/suitkit/suitkit/host")
	for _, f := range []string{"net/http", "github.com/suitkit/suitkit/fetch", "go.yaml.in/yaml/v3"} {
		if deps[f] {
			t.Errorf("host imports %s", f)
		}
	}
}

func goListDeps(t *testing.T, pkg string) map[string]bool {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", pkg).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, ee.Stderr)
		}
		t.Skipf("go tool not available: %v", err)
	}
	deps := make(map[string]bool)
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		deps[line] = true
	}
	if !deps[pkg] {
		t.Fatalf("go list -deps %s did not list the package itself", pkg)
	}
	return deps
}

// TestDeviceBinaryLinksNoHostCode builds testdata/deviceagent, the smallest
// program that verifies and installs updates (delta patches included), and
// reads its symbol table: the applier, but no differ, no suffix array, no
// compressor, and none of the host-side packages (the import rules above
// keep the differ's packages out; this also catches the encoders of the
// compression libraries, which share a package with their decoders). Apply and the
// decoders must be there, so the check cannot pass on an empty binary.
func TestDeviceBinaryLinksNoHostCode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := t.TempDir() + "/deviceagent"
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/deviceagent").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command("go", "tool", "nm", bin).Output()
	if err != nil {
		t.Fatalf("go tool nm: %v", err)
	}
	syms := string(out)
	for _, must := range []string{
		" T github.com/suitkit/suitkit/delta.Apply",
		" T github.com/suitkit/suitkit/process.(*Processor).Install",
		" T github.com/suitkit/suitkit/verify.(*Verifier).Verify",
		" T github.com/suitkit/suitkit/hsslms.(*PublicKey).Verify",
	} {
		if !strings.Contains(syms, must) {
			t.Errorf("device binary lacks %q: the check below would prove nothing", strings.TrimPrefix(must, " T "))
		}
	}
	for _, never := range []string{
		"github.com/suitkit/suitkit/delta/differ.",
		"github.com/suitkit/suitkit/delta/internal/diffcore.",
		"github.com/klauspost/compress/zstd.(*Encoder)",
		"github.com/klauspost/compress/zstd.NewWriter",
		"github.com/ulikunitz/xz/lzma.(*Writer2)",
		"github.com/ulikunitz/xz/lzma.Writer2Config",
		"go.yaml.in/yaml",
		"net/http.",
		"github.com/suitkit/suitkit/sign.",
		"github.com/suitkit/suitkit/build.",
		"github.com/suitkit/suitkit/suit/text.",
		"github.com/suitkit/suitkit/suit/diag.",
		"github.com/suitkit/suitkit/fetch.",
		// HSS-LMS verification shares its package with key generation
		// and one-time signing; only verification may be linked.
		"github.com/suitkit/suitkit/hsslms.NewTree",
		"github.com/suitkit/suitkit/hsslms.(*PrivateKey).SignIndex",
		"github.com/suitkit/suitkit/hsslms.otsSign",
		"github.com/suitkit/suitkit/hsslms/hsskey.",
	} {
		if strings.Contains(syms, never) {
			t.Errorf("device binary links %s", never)
		}
	}
}
