package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/suitkit/suitkit/hsslms"
	"github.com/suitkit/suitkit/hsslms/hsskey"
	"github.com/suitkit/suitkit/keys"
)

// hssFlags are keygen's HSS-LMS parameters.
type hssFlags struct {
	levels *int
	height *string
	w      *string
	hash   *string
}

// hssOptions turns the flags into parameter sets: --height and --w take
// one value for every level or a comma-separated list, top first.
func (f hssFlags) options() (*hsslms.Options, error) {
	l := *f.levels
	if l < 1 || l > hsslms.MaxLevels {
		return nil, usagef("keygen: --levels must be 1 to %d", hsslms.MaxLevels)
	}
	list := func(flag, s string) ([]int, error) {
		parts := strings.Split(s, ",")
		if len(parts) != 1 && len(parts) != l {
			return nil, usagef("keygen: --%s needs one value or %d (one per level)", flag, l)
		}
		var out []int
		for i := range l {
			v, err := strconv.Atoi(strings.TrimSpace(parts[min(i, len(parts)-1)]))
			if err != nil {
				return nil, usagef("keygen: --%s: %q is not a number", flag, parts[min(i, len(parts)-1)])
			}
			out = append(out, v)
		}
		return out, nil
	}
	hs, err := list("height", *f.height)
	if err != nil {
		return nil, err
	}
	ws, err := list("w", *f.w)
	if err != nil {
		return nil, err
	}
	var family hsslms.Hash
	n := 32
	switch strings.ToLower(*f.hash) {
	case "sha256":
		family = hsslms.SHA256
	case "sha256-192", "sha256/192":
		family, n = hsslms.SHA256, 24
	case "shake", "shake256":
		family = hsslms.SHAKE256
	case "shake-192", "shake256/192", "shake256-192":
		family, n = hsslms.SHAKE256, 24
	default:
		return nil, usagef("keygen: --hash must be sha256, sha256-192, shake or shake-192")
	}
	o := &hsslms.Options{}
	for i := range l {
		lt, ot := hssTypes(family, n, hs[i], ws[i])
		if lt == 0 || ot == 0 {
			return nil, usagef("keygen: level %d: height must be 5, 10, 15, 20 or 25 and w 1, 2, 4 or 8 (got %d, %d)", i, hs[i], ws[i])
		}
		o.LMS, o.OTS = append(o.LMS, lt), append(o.OTS, ot)
	}
	if _, _, err := o.Levels(); err != nil {
		return nil, usagef("keygen: %v", err)
	}
	return o, nil
}

// hssTypes finds the typecodes of a family, size, height and w (0 if
// there are none).
func hssTypes(family hsslms.Hash, n, h, w int) (hsslms.LMSType, hsslms.OTSType) {
	var lt hsslms.LMSType
	var ot hsslms.OTSType
	for t := hsslms.LMS_SHA256_M32_H5; t <= hsslms.LMS_SHAKE_M24_H25; t++ {
		if p, _ := t.Params(); p.Hash == family && p.M == n && p.H == h {
			lt = t
		}
	}
	for t := hsslms.LMOTS_SHA256_N32_W1; t <= hsslms.LMOTS_SHAKE_N24_W8; t++ {
		if p, _ := t.Params(); p.Hash == family && p.N == n && p.W == w {
			ot = t
		}
	}
	return lt, ot
}

// keygenHSS writes a new HSS-LMS key state to out and its public key to
// pub, printing progress on stderr while the top tree is computed.
func keygenHSS(ctx context.Context, f hssFlags, out, pub, format string, kid []byte, force bool, stdout, stderr io.Writer) error {
	o, err := f.options()
	if err != nil {
		return err
	}
	if force {
		return usagef("keygen: an HSS-LMS key state is never overwritten (--force refused): remove it yourself if it was never used")
	}
	start := time.Now()
	var mu sync.Mutex
	last := time.Now()
	tty := isTerminal(stderr)
	progress := func(done, total uint64) {
		mu.Lock()
		defer mu.Unlock()
		if tty && (time.Since(last) > 200*time.Millisecond || done == total) {
			last = time.Now()
			fmt.Fprintf(stderr, "\rkeygen: %d/%d one-time keys of the top tree (%.0f%%), %.1fs", done, total, 100*float64(done)/float64(total), time.Since(start).Seconds())
		}
	}
	k, err := hsskey.Generate(ctx, out, o, &hsskey.Options{Progress: progress})
	if tty {
		fmt.Fprintln(stderr)
	}
	if err != nil {
		return err
	}
	key := &keys.Key{Public: k.Public(), KeyID: kid, Algorithm: keys.HSSLMS}
	if pub != "" {
		var data []byte
		if format == "cose" {
			data, err = key.MarshalCOSEKey()
		} else {
			data, err = key.MarshalPublicPEM()
		}
		if err != nil {
			return err
		}
		if err := writeFile(ctx, pub, data, 0o644, false); err != nil {
			return err
		}
	}
	lt, ot := o.LMS, o.OTS
	var sets []string
	for i := range lt {
		sets = append(sets, lt[i].String()+"/"+ot[i].String())
	}
	fmt.Fprintf(stdout, "wrote HSS-LMS key state %s (%d signatures: %s; generated in %.1fs)\n", out, k.Capacity(), strings.Join(sets, ", "), time.Since(start).Seconds())
	if pub != "" {
		fmt.Fprintf(stdout, "wrote public key %s (%s)\n", pub, keygenDescribe(format, keys.HSSLMS, false))
	}
	return nil
}
