package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/report"
	"github.com/suitkit/suitkit/suit"
)

func init() {
	register(&command{name: "report", summary: "show or verify a SUIT_Report a device wrote (process --report)", run: runReport})
}

// maxReportFile caps a report file read from disk.
const maxReportFile = 16 << 20

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub := "show|verify"
	if len(args) > 0 && (args[0] == "show" || args[0] == "verify") {
		sub, args = args[0], args[1:]
	}
	fs := newFlagSet("report", stdout, "suitkit report show|verify [--key PUB | --mac-key FILE] [--decrypt-key FILE] [--envelope ENVELOPE] [--nonce HEX] [--json] FILE",
		"show prints a report (sealed or bare); with a key it is verified first. verify needs the device's key and checks the signature or MAC, and with --envelope and --nonce that the report is about that manifest and that run.",
		"Exit status: 0 ok, 1 report rejected (malformed, not authenticated, mismatch), 2 usage, I/O or configuration error.")
	keyFile := fs.String("key", "", "the device's public key `FILE` (PEM or COSE_Key): verify the COSE_Sign1")
	macFile := fs.String("mac-key", "", "the device's MAC secret `FILE` (raw or COSE_Key): verify the COSE_Mac0")
	envFile := fs.String("envelope", "", "the `ENVELOPE` the server sent: the report must name its manifest (digest, URI)")
	nonceHex := fs.String("nonce", "", "the nonce (`HEX`) the server gave the device: the report must carry it")
	asJSON := fs.Bool("json", false, "print JSON instead of a tree")
	decFile := fs.String("decrypt-key", "", "the raw AES-GCM key `FILE` of an encrypted report (process --report-encryption-key)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if sub == "show|verify" {
		return usagef("want a subcommand: show or verify")
	}
	if len(pos) != 1 {
		return usagef("%s: want exactly one FILE, got %d arguments", sub, len(pos))
	}
	if *keyFile != "" && *macFile != "" {
		return usagef("%s: give --key or --mac-key, not both", sub)
	}
	var key *keys.Key
	switch {
	case *keyFile != "":
		data, err := readKeyFile("--key", *keyFile)
		if err != nil {
			return err
		}
		if key, err = keys.ParseKey(data); err != nil {
			return ioErrorf("--key %s: %v", *keyFile, keyFileError(err))
		}
		if key.IsSymmetric() {
			return ioErrorf("--key %s is a symmetric key: pass it with --mac-key", *keyFile)
		}
		if key, err = key.PublicOnly(); err != nil {
			return ioErrorf("--key %s: %v", *keyFile, err)
		}
	case *macFile != "":
		data, err := readKeyFile("--mac-key", *macFile)
		if err != nil {
			return err
		}
		if key, err = keys.ParseMACKey(data); err != nil {
			return ioErrorf("--mac-key %s: %v", *macFile, macKeyError(err))
		}
	case sub == "verify":
		return usagef("verify: --key or --mac-key (the device's key) is required")
	}
	var ck *report.ContentKey
	if *decFile != "" {
		if ck, err = loadContentKey("--decrypt-key", *decFile); err != nil {
			return err
		}
	}
	var want *report.Expected
	if *envFile != "" || *nonceHex != "" {
		want = &report.Expected{}
		if *nonceHex != "" {
			if want.Nonce, err = hex.DecodeString(*nonceHex); err != nil || len(want.Nonce) == 0 {
				return usagef("%s: --nonce %q is not a non-empty hex string", sub, *nonceHex)
			}
		}
		if *envFile != "" {
			data, err := readFileMax(*envFile, maxEnvelope(nil))
			if err != nil {
				return err
			}
			e, err := suit.Decode(data, nil)
			if err != nil || e.Authentication == nil {
				return usagef("%s: --envelope %s: not a SUIT envelope with an authentication wrapper (%v)", sub, *envFile, err)
			}
			want.Digest = e.Authentication.Digest
			if e.Manifest != nil && e.Manifest.ReferenceURI != nil {
				want.URI = *e.Manifest.ReferenceURI
			}
		} else if key == nil {
			return usagef("%s: --nonce needs the device's key", sub)
		}
	}
	data, err := readFileMax(pos[0], maxReportFile)
	if err != nil {
		return err
	}
	name := pos[0]
	var rep *report.Report
	var sealed *report.Sealed
	verified := false
	if len(data) > 0 && data[0]>>5 == 5 { // a bare SUIT_Report map
		if key != nil {
			return rejected(fmt.Errorf("%s: %w: a bare SUIT_Report, not sealed: nothing to verify", name, report.ErrUnauthenticated))
		}
		if rep, err = report.Decode(data, nil); err != nil {
			return rejected(fmt.Errorf("%s: %w", name, err))
		}
	} else {
		if sealed, err = report.Parse(data, nil); err != nil {
			return rejected(fmt.Errorf("%s: %w", name, err))
		}
		switch {
		case key != nil:
			if rep, err = report.VerifyEncrypted(data, key, ck, nil); err != nil {
				return rejected(fmt.Errorf("%s: %w", name, err))
			}
			verified = true
		case sealed.Encrypted:
			return usagef("%s is encrypted: give the device's key and --decrypt-key", name)
		default:
			if rep, err = report.Decode(sealed.Payload, nil); err != nil {
				return rejected(fmt.Errorf("%s: %w", name, err))
			}
		}
	}
	if want != nil {
		if want.Digest.Value == nil {
			want.Digest = rep.Reference.Digest // only the nonce is checked
		}
		if err := rep.Check(*want); err != nil {
			return rejected(fmt.Errorf("%s: %w", name, err))
		}
	}
	if !verified {
		fmt.Fprintln(stderr, "suitkit report: note: report NOT verified (give the device's --key or --mac-key)")
	}
	if *asJSON {
		out, err := json.MarshalIndent(reportJSON(rep, sealed, verified), "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", out)
		return err
	}
	_, err = io.WriteString(stdout, reportTree(rep, sealed, verified))
	return err
}

// jsonReport is the --json form of a report.
type jsonReport struct {
	Container *jsonContainer `json:"container,omitempty"`
	Verified  bool           `json:"verified"`
	Outcome   string         `json:"outcome"`
	Reference struct {
		URI    string     `json:"manifest-uri"`
		Digest jsonDigest `json:"manifest-digest"`
	} `json:"reference"`
	Nonce   string       `json:"nonce,omitempty"`
	Result  jsonResult   `json:"result"`
	Records []jsonRecord `json:"records"`
}

type jsonContainer struct {
	Type      string `json:"type"`
	Algorithm string `json:"alg"`
	KeyID     string `json:"kid,omitempty"`
	Encrypted bool   `json:"encrypted,omitempty"`
}

type jsonDigest struct {
	Algorithm string `json:"alg"`
	Value     string `json:"value"`
}

type jsonResult struct {
	Success bool        `json:"success"`
	Code    int64       `json:"code,omitempty"`
	Reason  string      `json:"reason,omitempty"`
	Record  *jsonRecord `json:"record,omitempty"`
}

type jsonRecord struct {
	Kind       string         `json:"kind"` // "record" or "system"
	ManifestID []uint64       `json:"manifest-id,omitempty"`
	Section    string         `json:"section,omitempty"`
	Offset     *uint64        `json:"offset,omitempty"`
	Component  any            `json:"component"`
	Properties map[string]any `json:"properties"`
}

func digestJSON(d suit.Digest) jsonDigest {
	n := suit.DigestAlgorithmName(d.Algorithm)
	if n == "" {
		n = fmt.Sprint(d.Algorithm)
	}
	return jsonDigest{Algorithm: n, Value: hex.EncodeToString(d.Value)}
}

func sectionName(s int64) string {
	if s == suit.CommonSharedSequence {
		return "suit-shared-sequence"
	}
	if n := suit.ManifestKeyName(s); n != "" {
		return n
	}
	return fmt.Sprint(s)
}

func recordJSON(r *report.Record) *jsonRecord {
	off := r.Offset
	return &jsonRecord{Kind: "record", ManifestID: r.ManifestID, Section: sectionName(r.Section), Offset: &off,
		Component: r.Component, Properties: propsJSON(r.Properties)}
}

func propsJSON(ps suit.Parameters) map[string]any {
	m := make(map[string]any, len(ps))
	for _, p := range ps {
		name := suit.ParameterName(p.Key)
		if name == "" {
			name = fmt.Sprint(p.Key)
		}
		m[name] = propValue(p)
	}
	return m
}

// propValue renders a property for people: numbers, text, hex, a digest
// or version, or the hex of the CBOR item.
func propValue(p suit.Parameter) any {
	switch p.Key {
	case suit.ParamImageDigest:
		if d, err := p.Digest(); err == nil {
			return digestJSON(d)
		}
	case suit.ParamVersion:
		if v, err := p.Version(); err == nil {
			return v.String()
		}
	}
	if v, err := p.Uint(); err == nil {
		return v
	}
	if v, err := p.Int(); err == nil {
		return v
	}
	if s, err := p.Text(); err == nil {
		return s
	}
	if b, err := p.Bytes(); err == nil {
		return hex.EncodeToString(b)
	}
	return map[string]string{"cbor-hex": hex.EncodeToString(p.Value)}
}

func componentText(c suit.ComponentID) []string {
	out := make([]string, len(c))
	for i, b := range c {
		out[i] = hex.EncodeToString(b)
	}
	return out
}

func reportJSON(r *report.Report, s *report.Sealed, verified bool) *jsonReport {
	j := &jsonReport{Verified: verified, Outcome: r.Outcome().String(), Records: []jsonRecord{}}
	if s != nil {
		j.Container = &jsonContainer{Type: "COSE_Sign1", Algorithm: s.Algorithm.String(), Encrypted: s.Encrypted}
		if s.MAC {
			j.Container.Type = "COSE_Mac0"
		}
		if s.KeyID != nil {
			j.Container.KeyID = hex.EncodeToString(s.KeyID)
		}
	}
	j.Reference.URI = r.Reference.URI
	j.Reference.Digest = digestJSON(r.Reference.Digest)
	if r.Nonce != nil {
		j.Nonce = hex.EncodeToString(r.Nonce)
	}
	j.Result.Success = r.Result.Success
	if !r.Result.Success {
		j.Result.Code, j.Result.Reason, j.Result.Record = r.Result.Code, r.Result.Reason.String(), recordJSON(&r.Result.Record)
	}
	for _, e := range r.Records {
		if e.Record != nil {
			j.Records = append(j.Records, *recordJSON(e.Record))
		} else {
			j.Records = append(j.Records, jsonRecord{Kind: "system", Component: componentText(e.System.Component), Properties: propsJSON(e.System.Properties)})
		}
	}
	return j
}

func reportTree(r *report.Report, s *report.Sealed, verified bool) string {
	var b strings.Builder
	if s != nil {
		kind := "COSE_Sign1"
		if s.MAC {
			kind = "COSE_Mac0"
		}
		state := "NOT verified"
		if verified {
			state = "verified"
		}
		if s.Encrypted {
			kind += " over COSE_Encrypt0"
		}
		fmt.Fprintf(&b, "SUIT_Report in %s (%v), %s\n", kind, s.Algorithm, state)
	} else {
		b.WriteString("SUIT_Report (bare, not authenticated)\n")
	}
	d := digestJSON(r.Reference.Digest)
	fmt.Fprintf(&b, "  manifest:  %s:%s\n", d.Algorithm, d.Value)
	if r.Reference.URI != "" {
		fmt.Fprintf(&b, "  uri:       %s\n", r.Reference.URI)
	}
	if r.Nonce != nil {
		fmt.Fprintf(&b, "  nonce:     %x\n", r.Nonce)
	}
	fmt.Fprintf(&b, "  outcome:   %s\n", r.Outcome())
	if !r.Result.Success {
		fmt.Fprintf(&b, "  result:    %s (code %d) at %s\n", r.Result.Reason, r.Result.Code, recordText(&r.Result.Record))
	}
	fmt.Fprintf(&b, "  records:   %d\n", len(r.Records))
	for _, e := range r.Records {
		if e.Record != nil {
			fmt.Fprintf(&b, "    record  %s\n", recordText(e.Record))
		} else {
			fmt.Fprintf(&b, "    system  component %v %s\n", componentText(e.System.Component), propsText(e.System.Properties))
		}
	}
	return b.String()
}

func recordText(r *report.Record) string {
	where := fmt.Sprintf("%s+%d component %d", sectionName(r.Section), r.Offset, r.Component)
	if len(r.ManifestID) > 0 {
		where = fmt.Sprintf("manifest %v %s", r.ManifestID, where)
	}
	if len(r.Properties) > 0 {
		where += " " + propsText(r.Properties)
	}
	return where
}

func propsText(ps suit.Parameters) string {
	parts := make([]string, 0, len(ps))
	for _, p := range ps {
		name := strings.TrimPrefix(suit.ParameterName(p.Key), "suit-parameter-")
		if name == "" {
			name = fmt.Sprint(p.Key)
		}
		v := propValue(p)
		if d, ok := v.(jsonDigest); ok {
			v = d.Algorithm + ":" + d.Value
		}
		parts = append(parts, fmt.Sprintf("%s=%v", name, v))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// loadReportKey reads the device key that seals reports (--report-key): a
// private PEM or COSE_Key signs (COSE_Sign1), a MAC secret (raw or
// symmetric COSE_Key) MACs (COSE_Mac0).
func loadReportKey(path string) (report.Authenticator, error) {
	data, err := readKeyFile("--report-key", path)
	if err != nil {
		return nil, err
	}
	k, err := keys.ParseKey(data)
	if errors.Is(err, keys.ErrKeyType) {
		k, err = keys.ParseMACKey(data)
	}
	if err != nil {
		return nil, ioErrorf("--report-key %s: %v", path, err)
	}
	if !k.IsPrivate() {
		return nil, ioErrorf("--report-key %s is a public key; sealing a report needs the device's private key", path)
	}
	a, err := report.KeyAuthenticator(k, 0)
	if err != nil {
		return nil, ioErrorf("--report-key %s: %v", path, err)
	}
	return a, nil
}

// loadContentKey reads a raw AES-GCM key (16, 24 or 32 bytes: A128GCM,
// A192GCM, A256GCM) for encrypted reports.
func loadContentKey(flag, path string) (*report.ContentKey, error) {
	data, err := readKeyFile(flag, path)
	if err != nil {
		return nil, err
	}
	alg := map[int]int64{16: report.A128GCM, 24: report.A192GCM, 32: report.A256GCM}[len(data)]
	if alg == 0 {
		return nil, ioErrorf("%s %s: want a raw 16-, 24- or 32-byte AES key, the file has %d bytes", flag, path, len(data))
	}
	return &report.ContentKey{Algorithm: alg, Key: data}, nil
}
