package main

import (
	"flag"
	"strings"

	"github.com/suitkit/suitkit/profile"
)

// profileFlag adds --profile to fs.
func profileFlag(fs *flag.FlagSet, what string) *string {
	return fs.String("profile", "", "restrict "+what+" to one MTI algorithm profile `NAME` (draft-ietf-suit-mti): "+strings.Join(profile.Names(), ", "))
}

// parseProfile returns the named profile, nil for "", a usage error for an
// unknown name.
func parseProfile(name string) (*profile.Profile, error) {
	if name == "" {
		return nil, nil
	}
	p, err := profile.ByName(name)
	if err != nil {
		return nil, usagef("--profile: %v", err)
	}
	return p, nil
}

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
