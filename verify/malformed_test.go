package verify

import (
	"errors"
	"testing"

	"github.com/suitkit/suitkit/internal/testshared"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/suit"
)

// TestMalformedWrapsSuitErrors: envelope-level decoding failures match
// ErrMalformed and, unwrapped, the suit codec's own sentinel; nothing is
// returned with the error.
func TestMalformedWrapsSuitErrors(t *testing.T) {
	v := mustVerifier(t, []*Key{ietfKey(t)}, nil)
	ex := testshared.Conformance(t, "example-0.suit")
	nonMinimal := append([]byte{0xd8, 0x6b, 0xb8, 0x02}, ex[3:]...) // map head a2 as b8 02
	cases := map[string]struct {
		data []byte
		suit error
	}{
		"empty":                  {nil, suit.ErrMalformed},
		"truncated":              {ex[:len(ex)-1], suit.ErrMalformed},
		"trailing byte":          {append(append([]byte(nil), ex...), 0x00), suit.ErrMalformed},
		"not deterministic head": {nonMinimal, suit.ErrNotDeterministic},
		"text instead of map":    {[]byte{0x63, 'a', 'b', 'c'}, suit.ErrMalformed},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			res, err := v.Verify(c.data)
			var me *MalformedError
			if res != nil || !errors.Is(err, ErrMalformed) || !errors.Is(err, c.suit) || !errors.As(err, &me) || me.Part != "envelope" {
				t.Fatalf("got %v, want ErrMalformed wrapping %v", err, c.suit)
			}
		})
	}
}

// TestUnknownEnvelopeMemberRejected: an envelope member nothing
// authenticates (here the legacy install key 17) is refused even though
// the signature and digest are valid.
func TestUnknownEnvelopeMemberRejected(t *testing.T) {
	priv, key := newP256(t)
	s := signer{alg: int64(keys.ES256), ec: priv}
	man, _ := testManifest{seq: 1}.encode(t)
	d := suitDigest(t, man)
	env := envelope(t, d, [][]byte{s.block(t, d, nil, nil)}, man, map[any][]byte{17: {0x80}})
	if _, err := mustVerifier(t, []*Key{key}, nil).Verify(env); !errors.Is(err, ErrMalformed) {
		t.Fatalf("got %v, want ErrMalformed", err)
	}
}
