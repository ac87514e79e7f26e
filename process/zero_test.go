package process_test

import (
	"context"
	"errors"
	"testing"

	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// TestZeroValuesAreSafe: a zero or nil Processor refuses work with a typed
// error instead of dereferencing a missing Storage, New refuses a Platform
// without Storage, and zero or negative Limits mean the defaults.
func TestZeroValuesAreSafe(t *testing.T) {
	k := newTestKey(t)
	env := seal(t, k, fullImage(t, 1, []byte("fw")), map[string][]byte{"#fw": []byte("fw")})
	ver, err := verify.New([]*verify.Key{k.anchor}, &verify.Options{Store: verify.NewMemoryStore()})
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]*process.Processor{"zero": {}, "nil": nil} {
		rep, err := p.Install(context.Background(), ver, env)
		if !errors.Is(err, process.ErrOperation) || rep == nil || rep.Committed {
			t.Errorf("%s Processor: %v, report %v", name, err, rep)
		}
		v, err := ver.Verify(env)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Update(context.Background(), v); !errors.Is(err, process.ErrOperation) {
			t.Errorf("%s Processor Update: %v", name, err)
		}
		if _, err := p.Invoke(context.Background(), v); !errors.Is(err, process.ErrOperation) {
			t.Errorf("%s Processor Invoke: %v", name, err)
		}
	}
	if _, err := process.New(process.Platform{}, nil); err == nil {
		t.Error("New accepted a platform without storage")
	}
	// Zero and negative limits are the defaults: a 17-component manifest
	// is over the default capacity of 16 either way.
	ids := make([]suit.ComponentID, 17)
	for i := range ids {
		ids[i] = suit.ComponentID{{byte(i)}}
	}
	m := &suit.Manifest{Version: 1, SequenceNumber: 1, Common: &suit.Common{Components: ids}}
	for _, lim := range []*process.Limits{nil, {}, {MaxComponents: -1, MaxDepth: -1, MaxImageSize: -1, MaxCommands: -1}} {
		p, err := process.New(process.Platform{Storage: &process.MemoryStorage{}, SkipCompatibilityCheckUnsafe: true}, lim)
		if err != nil {
			t.Fatal(err)
		}
		v, err := verify.Verify(seal(t, k, m, nil), []*verify.Key{k.anchor}, &verify.Options{NoRollbackCheckUnsafe: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Update(context.Background(), v); !errors.Is(err, process.ErrComponent) {
			t.Errorf("limits %+v: %v, want ErrComponent (16 components by default)", lim, err)
		}
	}
}
