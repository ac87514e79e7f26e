// Package testkeys makes keys of any algorithm for tests, including
// HSS-LMS, whose keys are stateful files that keys.GenerateKey does not
// make.
package testkeys

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/suitkit/suitkit/hsslms"
	"github.com/suitkit/suitkit/hsslms/hsskey"
	"github.com/suitkit/suitkit/keys"
)

// HSSOptions are the small parameter sets test keys use: two levels of
// height 5 (1024 signatures), w=8.
var HSSOptions = &hsslms.Options{
	LMS: []hsslms.LMSType{hsslms.LMS_SHA256_M32_H5, hsslms.LMS_SHA256_M32_H5},
	OTS: []hsslms.OTSType{hsslms.LMOTS_SHA256_N32_W8, hsslms.LMOTS_SHA256_N32_W8},
}

// Generate returns a new private key for alg: keys.GenerateKey, or for
// HSS-LMS a state file in a temporary directory of t.
func Generate(t testing.TB, alg keys.Algorithm) (*keys.Key, error) {
	t.Helper()
	if !alg.IsHSSLMS() {
		return keys.GenerateKey(alg)
	}
	dir := t.TempDir()
	k, err := hsskey.Generate(context.Background(), filepath.Join(dir, "key.hss"), HSSOptions, &hsskey.Options{WitnessDir: filepath.Join(dir, "witness")})
	if err != nil {
		return nil, err
	}
	return &keys.Key{Signer: k, Public: k.Public(), Algorithm: keys.HSSLMS}, nil
}
