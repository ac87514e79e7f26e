package main

import (
	"context"
	"errors"
	"testing"

	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/verify"
)

// TestTwoSignersOneUpdate: the example's update installs both parts, each
// manifest's floor is committed, and the vendor's manifest cannot write the
// application.
func TestTwoSignersOneUpdate(t *testing.T) {
	if err := run(); err != nil {
		t.Fatal(err)
	}
	vendor, err := newParty(radio)
	if err != nil {
		t.Fatal(err)
	}
	maker, err := newParty(app)
	if err != nil {
		t.Fatal(err)
	}
	env, err := update(vendor, maker, radio, []byte("r"), []byte("a"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := newDevice(vendor, maker)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := d.proc.Install(context.Background(), d.ver, env)
	if err != nil || !rep.Committed || len(rep.Dependencies) != 1 || rep.Dependencies[0].Sequence() != 5 {
		t.Fatalf("install: %v, committed %v, %d dependencies\n%s", err, rep.Committed, len(rep.Dependencies), rep)
	}
	// The vendor's key may write only the radio, whatever the maker's
	// manifest names.
	if err := vendorWritesApp(vendor, maker); !errors.Is(err, process.ErrDependency) || !errors.Is(err, verify.ErrUnauthorizedComponent) {
		t.Fatalf("vendor writing the app: %v", err)
	}
}
