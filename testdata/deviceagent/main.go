// Command deviceagent is the smallest program that does what a device does:
// load a trust anchor, verify an envelope and install it (delta patches
// included) into directory storage. layering_test.go builds it and reads
// its symbol table to prove that nothing host-side is linked into a device.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/suitkit/suitkit/host"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/verify"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "deviceagent:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 3 {
		return fmt.Errorf("usage: deviceagent PUB.pem DIR ENVELOPE")
	}
	pem, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	k, err := keys.ParsePublicKey(pem)
	if err != nil {
		return err
	}
	anchor, err := verify.NewKey(k.Public, nil)
	if err != nil {
		return err
	}
	ver, err := verify.New([]*verify.Key{anchor}, nil)
	if err != nil {
		return err
	}
	storage, err := host.OpenDirStorage(args[1])
	if err != nil {
		return err
	}
	id, err := host.LoadIdentity(args[1])
	if err != nil {
		return err
	}
	proc, err := process.New(process.Platform{Identity: id, Storage: storage}, nil)
	if err != nil {
		return err
	}
	env, err := os.ReadFile(args[2])
	if err != nil {
		return err
	}
	_, err = proc.Install(context.Background(), ver, env)
	return err
}
