package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/verify"
)

// Input helpers shared by the subcommands that read envelopes and keys
// (sign, sever, verify, process, create, demo).

// stdin is what an input named "-" reads (tests replace it), and
// dataStdout what an output named "-" writes: the standard output of the
// command line being run (set by runContext). stdinTaken says whether "-"
// was read already: standard input can be read once per command line.
var (
	stdin      io.Reader = os.Stdin
	dataStdout io.Writer = os.Stdout
	stdinTaken bool
)

// stdinName is how messages name an input or output "-".
const stdinName = "standard input"

// readFileMax reads at most max bytes of a file, or of standard input when
// path is "-"; a larger file is rejected (exit 1), a missing or unreadable
// one or a directory is an I/O error (exit 2).
func readFileMax(path string, max int64) ([]byte, error) {
	if path == "-" {
		return readStdin(max)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode()&fs.ModeType == fs.ModeDir {
		return nil, ioErrorf("%s is a directory", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fileError(path, err)
	}
	if int64(len(b)) > max {
		return nil, rejected(fmt.Errorf("%s: larger than %d bytes", path, max))
	}
	return b, nil
}

// readStdin reads at most max bytes of standard input ("-").
func readStdin(max int64) ([]byte, error) {
	if stdinTaken {
		return nil, usagef("standard input (-) is named twice; it can be read only once")
	}
	stdinTaken = true
	b, err := io.ReadAll(io.LimitReader(stdin, max+1))
	if err != nil {
		return nil, ioErrorf("%s: %v", stdinName, err)
	}
	if int64(len(b)) > max {
		return nil, rejected(fmt.Errorf("%s: larger than %d bytes", stdinName, max))
	}
	return b, nil
}

// writeJSON prints v as one indented JSON object and a newline.
func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// errorText is err as the one line a JSON result carries, in the words
// of the stderr line (without package prefixes).
func errorText(err error) string {
	return dropPackagePrefixes(oneLine(err.Error()))
}

// fileError says what went wrong with path, once: "fw.bin: no such file or
// directory" rather than "open fw.bin: open fw.bin: ...". It exits 2.
func fileError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &exitError{code: exitUsage, err: fmt.Errorf("%s: %w", path, err)}
}

// readKeyFile reads a key file given with flag (--key, --mac-key, ...); a
// missing, unreadable or empty file exits 2.
func readKeyFile(flag, path string) ([]byte, error) {
	data, err := readFileMax(path, keys.MaxKeyFileSize)
	if err != nil {
		return nil, ioErrorf("%s %v", flag, err)
	}
	if len(data) == 0 {
		return nil, ioErrorf("%s %s: the file is empty", flag, path)
	}
	return data, nil
}

// loadTrustKeys reads the --key and --mac-key trust anchors of command
// cmd; a key that cannot be used is a usage error (exit 2).
func loadTrustKeys(cmd string, keys, macKeys []string) ([]*verify.Key, error) {
	var trust []*verify.Key
	for _, f := range []struct {
		flag  string
		names []string
		mac   bool
	}{{"--key", keys, false}, {"--mac-key", macKeys, true}} {
		for _, name := range f.names {
			k, err := loadTrustKey(f.flag, name, f.mac)
			if err != nil {
				return nil, err
			}
			trust = append(trust, k)
		}
	}
	return trust, nil
}

// loadTrustKey reads one trust anchor, named after its file: a PEM or
// COSE_Key public key (a private key file is accepted too: only its public
// half is used; a COSE_Key's alg binds the key to that algorithm), or for
// mac an HMAC secret as a symmetric COSE_Key or the raw bytes of the file.
// The kinds are kept apart: a public or private key file is never taken
// as a MAC secret (anyone holding the public key could forge), and a file
// that is not a key file is not taken for a public key.
func loadTrustKey(flag, path string, mac bool) (*verify.Key, error) {
	data, err := readKeyFile(flag, path)
	if err != nil {
		return nil, err
	}
	if mac {
		k, err := keys.ParseMACKey(data)
		if err != nil {
			return nil, ioErrorf("%s %s: %v", flag, path, macKeyError(err))
		}
		b := &verify.Binding{Name: path}
		if k.Algorithm != 0 {
			b.Algorithms = []keys.Algorithm{k.Algorithm}
		}
		vk, err := verify.NewMACKey(k.Secret, b)
		if err != nil {
			return nil, ioErrorf("%s %s: %v", flag, path, err)
		}
		return vk, nil
	}
	k, err := keys.ParseKey(data)
	if err != nil {
		return nil, ioErrorf("%s %s: %v", flag, path, keyFileError(err))
	}
	if k.IsSymmetric() {
		return nil, ioErrorf("%s %s: a symmetric key: pass it with --mac-key", flag, path)
	}
	b := &verify.Binding{Name: path}
	if k.Algorithm != 0 {
		b.Algorithms = []keys.Algorithm{k.Algorithm}
	}
	vk, err := verify.NewKey(k.Public, b)
	if err != nil {
		return nil, ioErrorf("%s %s: %v", flag, path, err)
	}
	return vk, nil
}

// loadStateKey reads the device secret that binds the anti-rollback state
// (--state-key): a raw secret of at least 32 bytes or a symmetric
// COSE_Key, checked like a MAC key (a public or private key file is
// refused). A bad file is a usage error.
func loadStateKey(cmd, path string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	data, err := readKeyFile("--state-key", path)
	if err != nil {
		return nil, err
	}
	k, err := keys.ParseMACKey(data)
	if err != nil {
		return nil, ioErrorf("--state-key %s: %v", path, err)
	}
	return k.Secret, nil
}

// keyFileError explains a --key file that keys.ParseKey refused; one that
// is neither PEM nor a COSE_Key is most likely a raw HMAC secret.
func keyFileError(err error) error {
	if errors.Is(err, keys.ErrKeyType) {
		return fmt.Errorf("%w; a raw HMAC secret is passed with --mac-key", err)
	}
	return err
}

// macKeyError explains a --mac-key file that keys.ParseMACKey refused; one
// of the wrong kind is an asymmetric key, which belongs to --key.
func macKeyError(err error) error {
	if errors.Is(err, keys.ErrKeyType) {
		return fmt.Errorf("%w; an asymmetric key is passed with --key", err)
	}
	return err
}
