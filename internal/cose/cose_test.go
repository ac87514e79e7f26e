package cose

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"math"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

var detEnc = func() cbor.EncMode {
	m, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		panic(err)
	}
	return m
}()

// TestToBeSignedMatchesIndependentEncoder: the structures equal what
// fxamacker/cbor, an independent encoder, writes for the RFC 9052 arrays.
func TestToBeSignedMatchesIndependentEncoder(t *testing.T) {
	prot := ProtectedAlg(-7)
	payload := bytes.Repeat([]byte{0xab}, 300)
	for _, tc := range []struct {
		ctx  string
		sign []byte
		want []any
	}{
		{ContextSignature1, nil, []any{"Signature1", prot, []byte{}, payload}},
		{ContextMAC0, nil, []any{"MAC0", prot, []byte{}, payload}},
		{ContextMAC, nil, []any{"MAC", prot, []byte{}, payload}},
		{ContextSignature, ProtectedAlg(-8), []any{"Signature", prot, ProtectedAlg(-8), []byte{}, payload}},
		{ContextSignature, nil, []any{"Signature", prot, []byte{}, []byte{}, payload}},
	} {
		want, err := detEnc.Marshal(tc.want)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendToBeSigned(nil, tc.ctx, prot, tc.sign, payload); !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %x\nwant %x", tc.ctx, got, want)
		}
	}
}

// TestProtectedAlgIntegerSlots (issue 9 item 1): the alg slot of a
// protected header encodes every int64, the extremes included, exactly as
// an independent encoder does.
func TestProtectedAlgIntegerSlots(t *testing.T) {
	for _, v := range []int64{0, 1, -1, 23, 24, -24, -25, 255, 256, math.MaxInt32, math.MinInt32, math.MaxInt64, math.MinInt64} {
		want, _ := detEnc.Marshal(map[int]int64{1: v})
		if got := ProtectedAlg(v); !bytes.Equal(got, want) {
			t.Errorf("alg %d: got %x want %x", v, got, want)
		}
		var back map[int]int64
		if err := cbor.Unmarshal(ProtectedAlg(v), &back); err != nil || back[1] != v {
			t.Errorf("alg %d does not decode back: %v %v", v, back, err)
		}
	}
}

func TestECDSAConversionsRoundTrip(t *testing.T) {
	for _, curve := range []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		priv, _ := ecdsa.GenerateKey(curve, rand.Reader)
		size := (curve.Params().BitSize + 7) / 8
		sum := sha256.Sum256([]byte("suitkit"))
		for range 20 {
			der, err := ecdsa.SignASN1(rand.Reader, priv, sum[:])
			if err != nil {
				t.Fatal(err)
			}
			raw, err := DERToRaw(der, size)
			if err != nil || len(raw) != 2*size {
				t.Fatalf("%s: %v", curve.Params().Name, err)
			}
			back, ok := RawToDER(nil, raw[:size], raw[size:])
			if !ok || !bytes.Equal(back, der) {
				t.Fatalf("%s: DER round trip differs:\n%x\n%x", curve.Params().Name, der, back)
			}
			if !ecdsa.VerifyASN1(&priv.PublicKey, sum[:], back) {
				t.Fatal("converted signature does not verify")
			}
		}
	}
	for name, raw := range map[string][2][]byte{
		"zero r":   {make([]byte, 32), bytes.Repeat([]byte{1}, 32)},
		"zero s":   {bytes.Repeat([]byte{1}, 32), make([]byte, 32)},
		"too long": {bytes.Repeat([]byte{1}, 67), bytes.Repeat([]byte{1}, 32)},
		"empty":    {nil, nil},
	} {
		if _, ok := RawToDER(nil, raw[0], raw[1]); ok {
			t.Errorf("%s accepted", name)
		}
	}
	for name, der := range map[string][]byte{
		"empty":      nil,
		"trailing":   {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00},
		"negative r": {0x30, 0x06, 0x02, 0x01, 0xff, 0x02, 0x01, 0x01},
		"zero s":     {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00},
		"too big":    append([]byte{0x30, 0x26, 0x02, 0x21}, append(bytes.Repeat([]byte{1}, 33), 0x02, 0x01, 0x01)...),
	} {
		if _, err := DERToRaw(der, 32); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

// FuzzDERToRaw: a DER signature that converts gives r||s of the asked
// size that converts back to a DER value that converts to the same r||s.
func FuzzDERToRaw(f *testing.F) {
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	sum := sha256.Sum256([]byte("seed"))
	der, _ := ecdsa.SignASN1(rand.Reader, priv, sum[:])
	f.Add(der)
	f.Add([]byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01})
	f.Fuzz(func(t *testing.T, der []byte) {
		raw, err := DERToRaw(der, 32)
		if err != nil {
			return
		}
		if len(raw) != 64 {
			t.Fatalf("raw signature of %d bytes", len(raw))
		}
		back, ok := RawToDER(nil, raw[:32], raw[32:])
		if !ok {
			t.Fatal("converted signature does not convert back")
		}
		again, err := DERToRaw(back, 32)
		if err != nil || !bytes.Equal(again, raw) {
			t.Fatalf("round trip differs: %v", err)
		}
	})
}

// The Enc_structure of a COSE_Encrypt0 with protected header {1: 1}
// (A128GCM): ["Encrypt0", h'a10101', h”], RFC 9052 section 5.3.
func TestAppendEncStructure(t *testing.T) {
	got := AppendEncStructure(nil, ContextEncrypt0, []byte{0xa1, 0x01, 0x01})
	want := []byte{0x83, 0x68, 'E', 'n', 'c', 'r', 'y', 'p', 't', '0', 0x43, 0xa1, 0x01, 0x01, 0x40}
	if string(got) != string(want) {
		t.Fatalf("%x, want %x", got, want)
	}
}
