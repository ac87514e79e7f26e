package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/suitkit/suitkit/encryption"
	"github.com/suitkit/suitkit/fetch"
	"github.com/suitkit/suitkit/host"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/profile"
	"github.com/suitkit/suitkit/report"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

func init() {
	register(&command{name: "process", summary: "verify an envelope and install it on a directory-backed device", run: runProcess})
}

// processStateFile is the default anti-rollback state file inside the
// device directory.
const processStateFile = "rollback.state"

func runProcess(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("process", stdout, "suitkit process [--key PUB ...] [--mac-key FILE ...] [--state FILE] [--state-key FILE] --device DIR [--vendor-id UUID] [--class-id UUID] [--device-id UUID] [--fetch URI=FILE ...] [--decrypt-key FILE ...] [--unsafe-skip-compatibility-check] [--report FILE [--report-key KEY] [--nonce HEX]] [--json] ENVELOPE",
		"Verifies ENVELOPE, checks and (after success) commits its sequence number, and runs its update procedure on DIR: component [h'00'] is the file DIR/comp.00. Payloads come from the envelope (\"#name\"), from local files given with --fetch, over http(s), or as file:// URIs inside ENVELOPE's directory.",
		"Exit status: 0 installed, 1 rejected, 2 usage, I/O or configuration error.")
	var keys, macKeys, fetches, decryptKeys multiFlag
	fs.Var(&fetches, "fetch", "serve `URI=FILE`: a fetch of exactly URI reads local FILE instead (offline installs, test vectors); repeatable")
	fs.Var(&keys, "key", "trusted public key file (PEM or COSE_Key); repeatable")
	fs.Var(&macKeys, "mac-key", "trusted HMAC key file (raw secret or COSE_Key); repeatable")
	state := fs.String("state", "", "anti-rollback state file (default DIR/"+processStateFile+")")
	stateKey := fs.String("state-key", "", "device secret `FILE` (raw, 32+ bytes, or a symmetric COSE_Key) binding the state file with HMAC-SHA256; without it only a checksum guards the state")
	device := fs.String("device", "", "device directory: one file per component, optional device.json identity")
	vendor := fs.String("vendor-id", "", "device vendor UUID (overrides DIR/device.json)")
	class := fs.String("class-id", "", "device class UUID (overrides DIR/device.json)")
	devID := fs.String("device-id", "", "device identifier UUID (overrides DIR/device.json)")
	limFlags := addDecodeLimits(fs)
	maxImage := sizeFlag(fs, "max-image-size", "largest image fetched, copied or patched when the manifest gives no image size (`SIZE`; default 256MiB)")
	reportFile := fs.String("report", "", "write the run's SUIT_Report to `FILE` (sealed with --report-key; written whether or not the install succeeded)")
	reportKey := fs.String("report-key", "", "the device's report key `FILE`: a private PEM or COSE_Key (COSE_Sign1) or a MAC secret (COSE_Mac0)")
	nonceHex := fs.String("nonce", "", "the server's nonce (`HEX`) to put in the report")
	fs.Var(&decryptKeys, "decrypt-key", "the device's decryption key `FILE` for encrypted payloads: an ECDH private key (PEM or COSE_Key; P-256 or X25519) or a key-encryption key (16, 24 or 32 raw bytes, or a symmetric COSE_Key); repeatable")
	skipCompat := fs.Bool("unsafe-skip-compatibility-check", false, "accept manifests that do not check both the vendor and the class identifier (the firmware-encryption draft's examples); never on a device in the field")
	profName := profileFlag(fs, "verification and processing (digests, signatures, encryption)")
	reportEnc := fs.String("report-encryption-key", "", "encrypt the report (COSE_Encrypt0, AES-GCM) with the raw 16-, 24- or 32-byte key in `FILE` shared with the server")
	asJSON := fs.Bool("json", false, "print the run (records, result, installed components) as one JSON object on stdout, on rejection too")
	maxPatchMem := sizeFlag(fs, "max-patch-memory", "working memory a delta patch may ask for: raise it for patches made with diff --block-memory above 16MiB (`SIZE`; default 16MiB)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("process: want exactly one ENVELOPE, got %d arguments", len(pos))
	}
	if *device == "" {
		return usagef("process: --device DIR is required")
	}
	if len(keys)+len(macKeys) == 0 {
		return usagef("process: at least one --key or --mac-key is required")
	}
	if (*reportKey != "" || *nonceHex != "" || *reportEnc != "") && *reportFile == "" {
		return usagef("--report-key, --report-encryption-key and --nonce need --report FILE")
	}
	if *reportEnc != "" && *reportKey == "" {
		return usagef("--report-encryption-key needs --report-key (an encrypted report must also be authenticated)")
	}
	cfg := deviceConfig{dir: *device, state: *state, skipCompat: *skipCompat}
	if cfg.profile, err = parseProfile(*profName); err != nil {
		return err
	}
	var nonce []byte
	if *nonceHex != "" {
		if nonce, err = hex.DecodeString(*nonceHex); err != nil || len(nonce) == 0 {
			return usagef("--nonce %q is not a non-empty hex string", *nonceHex)
		}
	}
	if *reportKey != "" {
		if cfg.reportAuth, err = loadReportKey(*reportKey); err != nil {
			return err
		}
	}
	if cfg.decryptKeys, err = loadDecryptKeys(decryptKeys); err != nil {
		return err
	}
	if *reportEnc != "" {
		if cfg.reportEnc, err = loadContentKey("--report-encryption-key", *reportEnc); err != nil {
			return err
		}
	}
	if cfg.fetchFiles, err = parseFetchMap("process", fetches); err != nil {
		return err
	}
	if cfg.stateKey, err = loadStateKey("process", *stateKey); err != nil {
		return err
	}
	if cfg.limits, err = limFlags.limits("process"); err != nil {
		return err
	}
	// --max-components and --max-sequence-depth also say what this device
	// supports; unset, the processor keeps its own defaults.
	cfg.procLimits = &process.Limits{MaxComponents: int(limFlags.components), MaxDepth: int(limFlags.seqDepth), MaxImageSize: *maxImage, MaxPatchMemory: *maxPatchMem}
	if cfg.keys, err = loadTrustKeys("process", keys, macKeys); err != nil {
		return err
	}
	cfg.identity, err = host.LoadIdentity(*device)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		s   string
		dst *[]byte
		n   string
	}{{*vendor, &cfg.identity.VendorID, "vendor-id"}, {*class, &cfg.identity.ClassID, "class-id"}, {*devID, &cfg.identity.DeviceID, "device-id"}} {
		if f.s == "" {
			continue
		}
		u, err := suit.ParseUUID(f.s)
		if err != nil {
			return usagef("process: --%s: invalid UUID %q", f.n, f.s)
		}
		*f.dst = u.Bytes()
	}
	data, err := readFileMax(pos[0], maxEnvelope(cfg.limits))
	if err != nil {
		return err
	}
	cfg.fileRoot = filepath.Dir(pos[0]) // "-": file:// URIs resolve in the working directory
	rep, err := cfg.install(ctx, data)
	info := stdout
	if *asJSON {
		info = stderr // stdout carries the one JSON object
	}
	if rep != nil && !*asJSON {
		fmt.Fprint(stdout, rep.String())
	}
	if *reportFile != "" && rep != nil {
		if werr := writeReport(ctx, *reportFile, rep, nonce, cfg.reportAuth, cfg.reportEnc); werr != nil {
			return werr
		}
		fmt.Fprintf(info, "report written to %s\n", *reportFile)
	}
	var comps []componentJSON
	if err == nil {
		if comps, err = deviceComponents(*device); err != nil {
			return err
		}
	}
	if *asJSON {
		writeJSON(stdout, processResult(pos[0], rep, err, comps))
	}
	if err != nil {
		return processExit(fmt.Errorf("%s: %w", pos[0], err))
	}
	if !*asJSON {
		fmt.Fprintf(stdout, "device %s:\n", *device)
		for _, c := range comps {
			fmt.Fprintf(stdout, "  %-24s %8d bytes  %s\n", c.File, c.Size, c.Digest)
		}
	}
	return nil
}

// processJSON is process --json's output: the run's records and result,
// and after a successful install the device's components.
type processJSON struct {
	File       string              `json:"file"`
	Installed  bool                `json:"installed"`
	Digest     string              `json:"manifest-digest,omitempty"`
	Sequence   *uint64             `json:"sequence-number,omitempty"`
	Committed  bool                `json:"committed"`
	Records    []processRecordJSON `json:"records"`
	Error      string              `json:"error,omitempty"`
	Reason     string              `json:"report-reason,omitempty"`
	Components []componentJSON     `json:"components,omitempty"`
}

type processRecordJSON struct {
	Section   string `json:"section"`
	Offset    int    `json:"offset"`
	Depth     int    `json:"depth,omitempty"`
	Command   string `json:"command"`
	Component uint64 `json:"component"`
	Outcome   string `json:"outcome"`
	Error     string `json:"error,omitempty"`
}

type componentJSON struct {
	File   string `json:"file"`
	Size   int64  `json:"size"`
	Digest string `json:"digest"`
}

func processResult(file string, rep *process.Report, err error, comps []componentJSON) processJSON {
	j := processJSON{File: file, Installed: err == nil, Records: []processRecordJSON{}, Components: comps}
	if err != nil {
		j.Error = errorText(err)
	}
	if rep == nil {
		return j
	}
	if len(rep.Digest) > 0 {
		j.Digest = suit.Digest{Algorithm: rep.DigestAlg, Value: rep.Digest}.String()
		seq := rep.Sequence
		j.Sequence = &seq
	}
	j.Committed = rep.Committed
	if rep.Err != nil {
		j.Reason = rep.Reason().String()
	}
	for _, r := range rep.Records {
		rj := processRecordJSON{Section: sectionText(r.Section), Offset: r.Offset, Depth: r.Depth, Command: suit.CommandName(r.Command),
			Component: r.Component, Outcome: r.Outcome.String()}
		if rj.Command == "" {
			rj.Command = fmt.Sprint(r.Command)
		}
		if r.Err != nil {
			rj.Error = errorText(r.Err)
		}
		j.Records = append(j.Records, rj)
	}
	return j
}

// sectionText names a manifest section as the text report does.
func sectionText(s int64) string {
	if s == suit.CommonSharedSequence {
		return "shared"
	}
	if n := suit.ManifestKeyName(s); n != "" {
		return strings.TrimPrefix(n, "suit-")
	}
	return fmt.Sprint(s)
}

// processExit maps a processing error to the CLI's exit status: a failed
// storage or network operation is an I/O error (2), everything else means
// the envelope was rejected (1).
func processExit(err error) error {
	if errors.Is(err, process.ErrOperation) && !errors.Is(err, process.ErrPayloadMismatch) {
		return err
	}
	if errors.Is(err, verify.ErrStoreCorrupt) || errors.Is(err, process.ErrLocked) {
		return err // the device, not the envelope, is the problem
	}
	return rejected(err)
}

// deviceConfig is a directory-backed device: its storage, identity, trust
// anchors and anti-rollback state.
type deviceConfig struct {
	dir      string
	state    string
	stateKey []byte // binds the state file (HMAC); nil: checksum only
	keys     []*verify.Key
	identity process.Identity
	fileRoot string // file:// URIs resolve here; "" refuses them
	// fetchFiles maps URIs to local files served instead of the network.
	fetchFiles map[string]string
	// decryptKeys decrypt encrypted payloads.
	decryptKeys []encryption.RecipientKey
	// skipCompat accepts manifests without vendor and class checks.
	skipCompat bool
	// reportAuth seals SUIT_Reports; nil writes them bare. reportEnc,
	// when set, encrypts them first.
	reportAuth report.Authenticator
	reportEnc  *report.ContentKey
	// profile restricts verification and processing to one MTI profile.
	profile *profile.Profile
	// limits and procLimits are the decoder's and the processor's
	// limits; nil means the defaults.
	limits     *suit.Limits
	procLimits *process.Limits
}

// install verifies data, runs the update procedure on the device and
// commits the sequence number on success.
func (c *deviceConfig) install(ctx context.Context, data []byte) (*process.Report, error) {
	storage, err := host.OpenDirStorage(c.dir)
	if err != nil {
		return nil, err
	}
	state := c.state
	if state == "" {
		state = filepath.Join(c.dir, processStateFile)
	}
	store, err := verify.OpenFileStore(state, &verify.FileStoreOptions{Key: c.stateKey})
	if err != nil {
		return nil, err
	}
	ver, err := verify.New(c.keys, &verify.Options{Store: store, Limits: c.limits, Profile: c.profile})
	if err != nil {
		return nil, err
	}
	proc, err := process.New(process.Platform{
		Identity: c.identity,
		Storage:  storage,
		Fetcher:  &fetch.MapFetcher{Files: c.fetchFiles, Next: &fetch.URIFetcher{FileRoot: c.fileRoot}},
		// The CLI's directory device has nothing to wait for: it refuses,
		// so the install is deferred rather than blocking.
		Waiter:                       refusingWaiter{},
		ReportAuthenticator:          c.reportAuth,
		DecryptionKeys:               c.decryptKeys,
		SkipCompatibilityCheckUnsafe: c.skipCompat,
		ReportEncryption:             c.reportEnc,
		Profile:                      c.profile,
	}, c.procLimits)
	if err != nil {
		return nil, err
	}
	return proc.Install(ctx, ver, data)
}

// deviceComponents lists the device's components with size and SHA-256,
// hashing each file as it reads it.
func deviceComponents(dir string) ([]componentJSON, error) {
	s, err := host.OpenDirStorage(dir)
	if err != nil {
		return nil, err
	}
	ids, err := s.Components()
	if err != nil {
		return nil, err
	}
	var out []componentJSON
	for _, id := range ids {
		p, _ := s.Path(id)
		f, err := os.Open(p)
		if err != nil {
			return nil, fileError(p, err)
		}
		d, n, err := suit.DigestReader(suit.AlgSHA256, f)
		f.Close()
		if err != nil {
			return nil, fileError(p, err)
		}
		out = append(out, componentJSON{File: filepath.Base(p), Size: n, Digest: d.String()})
	}
	return out, nil
}

// parseFetchMap turns --fetch URI=FILE flags into a URI → file map. The
// URI ends at the last '=' (URIs may carry '=' in a query, file names
// rarely do); each FILE must be a readable regular file.
func parseFetchMap(cmd string, flags []string) (map[string]string, error) {
	if len(flags) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(flags))
	for _, f := range flags {
		i := strings.LastIndexByte(f, '=')
		if i <= 0 || i == len(f)-1 {
			return nil, usagef("%s: --fetch %q: want URI=FILE", cmd, f)
		}
		uri, file := f[:i], f[i+1:]
		if _, dup := m[uri]; dup {
			return nil, usagef("%s: --fetch: URI %q given twice", cmd, uri)
		}
		st, err := os.Stat(file)
		if err != nil {
			return nil, err
		}
		if !st.Mode().IsRegular() {
			return nil, fmt.Errorf("%s: --fetch %s: %s is not a regular file", cmd, uri, file)
		}
		m[uri] = file
	}
	return m, nil
}

// refusingWaiter is the CLI device's suit-directive-wait: it cannot wait
// for events, so it defers the update (exit 1, "deferred").
type refusingWaiter struct{}

func (refusingWaiter) Wait(context.Context, [][]byte, suit.WaitInfo) error {
	return fmt.Errorf("%w: this device does not wait for events; run the update again later", process.ErrDeferred)
}

// writeReport writes the run's SUIT_Report to path: sealed by auth, or
// bare (and said so) without a key.
func writeReport(ctx context.Context, path string, rep *process.Report, nonce []byte, auth report.Authenticator, enc *report.ContentKey) error {
	var out []byte
	var err error
	switch {
	case auth != nil && enc != nil:
		out, err = report.SealEncrypted(rep.SUIT(nonce), auth, enc)
	case auth != nil:
		out, err = report.Seal(rep.SUIT(nonce), auth)
	default:
		out, err = rep.SUIT(nonce).Encode()
	}
	if err != nil {
		return ioErrorf("--report %s: %w", path, err)
	}
	return writeFile(ctx, path, out, 0o644, true)
}
