package suit

import (
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ParseDigestAlgorithm parses a digest algorithm name, case-insensitively
// and with or without the dash ("sha-256", "SHA256", "shake128"), or a
// COSE algorithm number ("-16"). An unknown name gives an error matching
// ErrUnsupported.
func ParseDigestAlgorithm(s string) (int64, error) {
	t := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "")
	for alg, name := range digestNames {
		if t == strings.ReplaceAll(name, "-", "") {
			return alg, nil
		}
	}
	if v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
		if _, ok := lookupDigestAlg(v); ok {
			return v, nil
		}
	}
	return 0, fmt.Errorf("%w: digest algorithm %q (want sha-256, sha-384, sha-512, shake128 or shake256)", ErrUnsupported, s)
}

// String formats d the one way suitkit prints a digest everywhere (CLI
// output, reports, errors): the algorithm's name (DigestAlgorithmName, or
// "alg-N" for an unknown one), a colon and the value in lower-case hex:
// "sha-256:ba7816bf...".
func (d Digest) String() string {
	name := DigestAlgorithmName(d.Algorithm)
	if name == "" {
		name = "alg" + strconv.FormatInt(d.Algorithm, 10)
	}
	return name + ":" + hex.EncodeToString(d.Value)
}

// DigestReader computes the SUIT digest, with the COSE digest algorithm
// alg, of everything r yields until io.EOF, without holding it in memory,
// and returns it with the number of bytes read. An unknown algorithm gives
// an error matching ErrUnsupported; a read error is returned as is.
func DigestReader(alg int64, r io.Reader) (Digest, int64, error) {
	h, err := NewHasher(alg)
	if err != nil {
		return Digest{}, 0, err
	}
	n, err := io.Copy(h, r)
	if err != nil {
		return Digest{}, n, err
	}
	return h.Digest(), n, nil
}
