package keys

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"math"
	"sort"
	"testing"

	"github.com/suitkit/suitkit/internal/cose"
)

// TestCOSEKeyIntegerSlots (issue 9 item 1): every integer slot of a
// COSE_Key - kty, alg, crv and a label - is tried with 0, +-1, MaxInt64,
// MinInt64, 2^64-1 and -2^64 on an otherwise valid P-256 public key.
// Nothing panics; the key is refused with ErrKey or ErrAlgorithm, except
// where the value is the valid one.
func TestCOSEKeyIntegerSlots(t *testing.T) {
	g, _ := GenerateKey(ES256)
	point, _ := g.Public.(*ecdsa.PublicKey).Bytes()
	x, y := cose.AppendBstr(nil, point[1:33]), cose.AppendBstr(nil, point[33:])
	base := map[int64][]byte{cose.KeyKty: cose.AppendInt(nil, cose.KtyEC2), cose.KeyCrv: cose.AppendInt(nil, cose.CrvP256), cose.KeyX: x, cose.KeyY: y}
	encode := func(m map[int64][]byte, extraKey, extraVal []byte) []byte {
		type pair struct{ k, v []byte }
		var ps []pair
		for k, v := range m {
			ps = append(ps, pair{cose.AppendInt(nil, k), v})
		}
		if extraKey != nil {
			ps = append(ps, pair{extraKey, extraVal})
		}
		sort.Slice(ps, func(i, j int) bool { return bytes.Compare(ps[i].k, ps[j].k) < 0 })
		out := []byte{0xa0 | byte(len(ps))}
		for _, p := range ps {
			out = append(append(out, p.k...), p.v...)
		}
		return out
	}
	if k, err := ParseCOSEKey(encode(base, nil, nil)); err != nil || !k.Public.(*ecdsa.PublicKey).Equal(g.Public) {
		t.Fatalf("base key refused: %v", err)
	}
	ff := bytes.Repeat([]byte{0xff}, 8)
	values := []struct {
		name string
		enc  []byte
	}{
		{"0", cose.AppendInt(nil, 0)}, {"1", cose.AppendInt(nil, 1)}, {"-1", cose.AppendInt(nil, -1)},
		{"MaxInt64", cose.AppendInt(nil, math.MaxInt64)}, {"MinInt64", cose.AppendInt(nil, math.MinInt64)},
		{"MaxUint64", append([]byte{0x1b}, ff...)}, {"-2^64", append([]byte{0x3b}, ff...)},
	}
	for _, v := range values {
		for _, slot := range []int64{cose.KeyKty, cose.KeyAlg, cose.KeyCrv} {
			m := map[int64][]byte{}
			for k, b := range base {
				m[k] = b
			}
			m[slot] = v.enc
			k, err := ParseCOSEKey(encode(m, nil, nil))
			if slot == cose.KeyCrv && v.name == "1" { // P-256: the valid value
				if err != nil {
					t.Errorf("crv 1 (P-256) refused: %v", err)
				}
				continue
			}
			if k != nil || (!errors.Is(err, ErrKey) && !errors.Is(err, ErrAlgorithm)) {
				t.Errorf("label %d = %s: key %v, err %v; want a typed refusal", slot, v.name, k, err)
			}
		}
		// As a label: unknown labels are refused, and so is a second kty
		// or crv.
		k, err := ParseCOSEKey(encode(base, v.enc, []byte{0x00}))
		if k != nil || !errors.Is(err, ErrKey) {
			t.Errorf("label %s: key %v, err %v; want ErrKey", v.name, k, err)
		}
		// The same slots reached through the MAC loader are refused too.
		if _, err := ParseMACKey(encode(base, v.enc, []byte{0x00})); !errors.Is(err, ErrKey) {
			t.Errorf("MAC loader, label %s: %v", v.name, err)
		}
	}
}
