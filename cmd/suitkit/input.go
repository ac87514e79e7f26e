package main

import (
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

// readFileMax reads at most max bytes of a file; a larger file is rejected
// (exit 1), a missing or unreadable one or a directory is an I/O error
// (exit 2).
func readFileMax(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode()&fs.ModeType == fs.ModeDir {
		return nil, fmt.Errorf("%s is a directory", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if int64(len(b)) > max {
		return nil, rejected(fmt.Errorf("%s: larger than %d bytes", path, max))
	}
	return b, nil
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
			k, err := loadTrustKey(name, f.mac)
			if err != nil {
				return nil, usagef("%s: %s %s: %v", cmd, f.flag, name, err)
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
func loadTrustKey(path string, mac bool) (*verify.Key, error) {
	data, err := readFileMax(path, keys.MaxKeyFileSize)
	if err != nil {
		return nil, err
	}
	if mac {
		k, err := keys.ParseMACKey(data)
		if err != nil {
			return nil, macKeyError(err)
		}
		b := &verify.Binding{Name: path}
		if k.Algorithm != 0 {
			b.Algorithms = []keys.Algorithm{k.Algorithm}
		}
		return verify.NewMACKey(k.Secret, b)
	}
	k, err := keys.ParseKey(data)
	if err != nil {
		return nil, keyFileError(err)
	}
	if k.IsSymmetric() {
		return nil, errors.New("a symmetric key: pass it with --mac-key")
	}
	b := &verify.Binding{Name: path}
	if k.Algorithm != 0 {
		b.Algorithms = []keys.Algorithm{k.Algorithm}
	}
	return verify.NewKey(k.Public, b)
}

// loadStateKey reads the device secret that binds the anti-rollback state
// (--state-key): a raw secret of at least 32 bytes or a symmetric
// COSE_Key, checked like a MAC key (a public or private key file is
// refused). A bad file is a usage error.
func loadStateKey(cmd, path string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	data, err := readFileMax(path, keys.MaxKeyFileSize)
	if err != nil {
		return nil, err
	}
	k, err := keys.ParseMACKey(data)
	if err != nil {
		return nil, usagef("%s: --state-key %s: %v", cmd, path, err)
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
