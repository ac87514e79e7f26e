package process_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/suitkit/suitkit/encryption"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// FuzzDecryptingStage feeds arbitrary integrated payloads to a signed
// manifest that fetches and decrypts them (every content algorithm; the
// CTR ones with the plaintext's image digest). The payload is outside the
// signature, as a real attacker's would be. Property: the install either
// succeeds with exactly the authentic plaintext in the component, or fails
// with ErrDecrypt, ErrPayloadMismatch or ErrLimit and leaves the old
// content; nothing panics.
func FuzzDecryptingStage(f *testing.F) {
	k := newTestKey(f)
	kek := bytes.Repeat([]byte{7}, 16)
	plain := bytes.Repeat([]byte("new image "), 50)
	type target struct {
		env *suit.Envelope
	}
	var targets []target
	for i, alg := range encryption.ContentAlgorithms() {
		ct, info, err := encryption.Encrypt(plain, &encryption.EncryptOptions{Alg: alg, Recipients: []encryption.To{{KEK: kek}}})
		if err != nil {
			f.Fatal(err)
		}
		raw, err := info.Encode()
		if err != nil {
			f.Fatal(err)
		}
		d, _ := suit.ComputeDigest(suit.AlgSHA256, plain)
		dp, _ := suit.ParamDigest(suit.ParamImageDigest, d)
		ps := suit.Parameters{suit.ParamBytes(suit.ParamEncryptionInfo, raw), suit.ParamText(suit.ParamURI, "#fw")}
		if !alg.IsAEAD() {
			ps = append(suit.Parameters{dp}, ps...)
		}
		m := &suit.Manifest{
			SequenceNumber: 1,
			Common:         &suit.Common{Components: []suit.ComponentID{comp0}},
			Install: &suit.SeverableSequence{Sequence: &suit.CommandSequence{Commands: []suit.Command{
				{ID: suit.DirectiveOverrideParameters, Params: ps},
				{ID: suit.DirectiveFetch, ReportingPolicy: 2},
			}}},
		}
		env, err := suit.Decode(seal(f, k, m, map[string][]byte{"#fw": ct}), nil)
		if err != nil {
			f.Fatal(err)
		}
		targets = append(targets, target{env})
		f.Add(uint8(i), ct)
		bad := bytes.Clone(ct)
		bad[len(bad)/2] ^= 4
		f.Add(uint8(i), bad)
		f.Add(uint8(i), ct[:len(ct)/2])
	}
	f.Fuzz(func(t *testing.T, which uint8, payload []byte) {
		tg := targets[int(which)%len(targets)]
		env := *tg.env
		env.Integrated = map[string][]byte{"#fw": payload}
		data, err := env.Encode()
		if err != nil {
			t.Fatal(err)
		}
		st := &process.MemoryStorage{}
		st.Set(comp0, []byte("old image"))
		p, err := process.New(process.Platform{Storage: st, DecryptionKeys: []encryption.RecipientKey{&encryption.KEK{Key: kek}}, SkipCompatibilityCheckUnsafe: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		v, err := verify.New([]*verify.Key{k.anchor}, &verify.Options{Store: verify.NewMemoryStore()})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Install(context.Background(), v, data)
		got, _ := st.Get(comp0)
		if err == nil {
			if !bytes.Equal(got, plain) {
				t.Fatalf("installed %d bytes that are not the authentic plaintext", len(got))
			}
			return
		}
		if !errors.Is(err, process.ErrDecrypt) && !errors.Is(err, process.ErrPayloadMismatch) && !errors.Is(err, process.ErrLimit) {
			t.Fatalf("unexpected error: %v", err)
		}
		if string(got) != "old image" {
			t.Fatalf("failed install changed the component: %v", err)
		}
	})
}
