package verify

import (
	"bytes"
	"maps"
	"testing"
)

// FuzzParseState: the anti-rollback state file is read back from storage
// that an attacker may be able to write. Parsing never panics, a state it
// accepts re-encodes to one that parses to the same floors, and a state
// accepted under a device key no longer parses once the key differs.
func FuzzParseState(f *testing.F) {
	key := bytes.Repeat([]byte{0x42}, 32)
	floors := map[string]Floor{
		"component|0001":             {Sequence: 10, Manifest: "sha256:00ff"},
		"scope|":                     {Sequence: 1},
		string([]byte{0, 0xff, ' '}): {Sequence: 1<<64 - 2, Manifest: "sha256:abcd"},
	}
	f.Add(formatState(floors, nil), false)
	f.Add(formatState(floors, key), true)
	f.Add(formatState(map[string]Floor{}, nil), false)
	f.Add([]byte(stateMagicV1+"\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, keyed bool) {
		k := []byte(nil)
		if keyed {
			k = key
		}
		m, err := parseState(data, k)
		if err != nil {
			if m != nil {
				t.Fatalf("error %v with a result", err)
			}
			return
		}
		again, err := parseState(formatState(m, k), k)
		if err != nil {
			t.Fatalf("re-encoded state does not parse: %v", err)
		}
		if !maps.Equal(m, again) {
			t.Fatalf("round trip changed the floors:\n%v\n%v", m, again)
		}
		if keyed && !bytes.HasPrefix(data, []byte(stateMagicV1)) {
			other := bytes.Repeat([]byte{0x43}, 32)
			if _, err := parseState(data, other); err == nil {
				t.Fatal("a keyed state parses under another key")
			}
		}
	})
}
