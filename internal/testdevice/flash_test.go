package testdevice

import (
	"errors"
	"testing"

	"github.com/suitkit/suitkit/verify"
)

func TestPowerLossStopsEverythingUntilReboot(t *testing.T) {
	f := New()
	id := [][]byte{{0}}
	f.Set(id, []byte("old"))
	f.FailAt(2, true)
	st, err := f.Stage(id)
	if err != nil {
		t.Fatal(err)
	}
	page := make([]byte, PageSize)
	if _, err := st.Write(page); err != nil {
		t.Fatalf("first page: %v", err)
	}
	if n, err := st.Write(page); !errors.Is(err, ErrPowerLoss) || n != 0 {
		t.Fatalf("second page: %d, %v", n, err)
	}
	if err := st.Commit(); !errors.Is(err, ErrPowerLoss) {
		t.Fatalf("commit after power loss: %v", err)
	}
	if _, err := f.Open(id); !errors.Is(err, ErrPowerLoss) {
		t.Fatalf("open after power loss: %v", err)
	}
	if err := f.Raise([]string{"x"}, verify.Floor{Sequence: 1}); !errors.Is(err, ErrPowerLoss) {
		t.Fatalf("counter after power loss: %v", err)
	}
	f.Reboot()
	if got, _ := f.Get(id); string(got) != "old" {
		t.Fatalf("staged data became visible: %q", got)
	}
	if _, ok := f.Counter("x"); ok {
		t.Fatal("counter written during power loss")
	}
	// In-place mode: a torn page corrupts the image (the control case).
	g := New()
	g.Set(id, []byte("old"))
	g.InPlaceUnsafe()
	g.FailAt(1, true)
	st, _ = g.Stage(id)
	st.Write([]byte("newnew"))
	g.Reboot()
	if got, _ := g.Get(id); string(got) != "new" {
		t.Fatalf("in-place torn write left %q, want the half page \"new\"", got)
	}
	if g.Boots() != 1 || g.Ops() != 0 {
		t.Fatalf("boots %d ops %d", g.Boots(), g.Ops())
	}
}

func TestCounterRefusesLowerValue(t *testing.T) {
	f := New()
	if err := f.Raise([]string{"id"}, verify.Floor{Sequence: 5}); err != nil {
		t.Fatal(err)
	}
	if err := f.Raise([]string{"id"}, verify.Floor{Sequence: 4}); err == nil {
		t.Fatal("lower counter accepted")
	}
	if v, ok, err := f.Floor("id"); v.Sequence != 5 || !ok || err != nil {
		t.Fatalf("Floor = %d %v %v", v.Sequence, ok, err)
	}
}
