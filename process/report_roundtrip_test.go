package process_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/suitkit/suitkit/internal/testdevice"
	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/report"
	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/verify"
)

// Device signs, server verifies: a SUIT_Report round trip for each kind of
// outcome, and tampered or misdirected reports refused.

type reportDevice struct {
	*device
	key *keys.Key // the device's report key (private)
}

func newReportDevice(t *testing.T, k testKey, pf process.Platform, alg keys.Algorithm) *reportDevice {
	t.Helper()
	dk, err := keys.GenerateKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	a, err := report.KeyAuthenticator(dk, 0)
	if err != nil {
		t.Fatal(err)
	}
	pf.ReportAuthenticator = a
	return &reportDevice{device: newDevice(t, testdevice.New(), k, pf, nil), key: dk}
}

func (d *reportDevice) run(t *testing.T, env, nonce []byte) ([]byte, error) {
	t.Helper()
	rep, err := d.install(env)
	sealed, serr := d.proc.SealReport(rep, nonce)
	if serr != nil {
		t.Fatalf("SealReport: %v", serr)
	}
	return sealed, err
}

// expect is what the server knows about an envelope it sent.
func expect(t *testing.T, env, nonce []byte) report.Expected {
	t.Helper()
	e, err := suit.Decode(env, nil)
	if err != nil {
		t.Fatal(err)
	}
	uri := ""
	if e.Manifest.ReferenceURI != nil {
		uri = *e.Manifest.ReferenceURI
	}
	return report.Expected{Digest: e.Authentication.Digest, URI: uri, Nonce: nonce}
}

// serverOpen verifies and checks a report as an update server does.
func serverOpen(t *testing.T, sealed []byte, pub *keys.Key, want report.Expected) *report.Report {
	t.Helper()
	r, err := report.Verify(sealed, pub, nil)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if err := r.Check(want); err != nil {
		t.Fatalf("Check: %v", err)
	}
	return r
}

func publicOf(t *testing.T, k *keys.Key) *keys.Key {
	t.Helper()
	if k.IsSymmetric() {
		return k
	}
	p, err := k.PublicOnly()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func withURI(m *suit.Manifest, uri string) *suit.Manifest {
	m.ReferenceURI = &uri
	return m
}

func TestReportRoundTripSuccess(t *testing.T) {
	for _, alg := range []keys.Algorithm{keys.ES256, keys.Ed25519, keys.HMAC256} {
		t.Run(alg.String(), func(t *testing.T) {
			k := newTestKey(t)
			fw := firmware(1, 500)
			env := seal(t, k, withURI(fullImage(t, 1, fw), "https://updates.example/fw-1.suit"), map[string][]byte{"#fw": fw})
			d := newReportDevice(t, k, process.Platform{}, alg)
			nonce := []byte{1, 2, 3, 4, 5, 6, 7, 8}
			sealed, err := d.run(t, env, nonce)
			if err != nil {
				t.Fatal(err)
			}
			r := serverOpen(t, sealed, publicOf(t, d.key), expect(t, env, nonce))
			if r.Outcome() != report.Installed || !r.Result.Success {
				t.Fatalf("outcome %v", r.Outcome())
			}
			// Policy 15 on image-match: a record with the measured digest
			// and a system-property claim for the component.
			var rec *report.Record
			for _, e := range r.Records {
				if e.Record != nil && e.Record.Section == suit.ManifestInstall {
					rec = e.Record
				}
			}
			if rec == nil {
				t.Fatalf("no install record in %+v", r.Records)
			}
			p, ok := rec.Properties.Get(suit.ParamImageDigest)
			if !ok {
				t.Fatalf("install record properties %+v", rec.Properties)
			}
			dg, _ := p.Digest()
			if want := sum(fw); !bytes.Equal(dg.Value, want[:]) {
				t.Errorf("measured digest %x", dg.Value)
			}
			sys := r.SystemProperties()
			if len(sys) != 1 || !sys[0].Component.Equal(comp0) {
				t.Fatalf("system properties %+v", sys)
			}
			if v, ok := sys[0].Properties.Get(suit.ParamVendorIdentifier); !ok || !bytes.Equal(v.Value[1:], testVendor) {
				t.Errorf("vendor claim %+v", v)
			}
			// The byte offset of install's third command (image-match) is
			// where its id sits in the sequence's encoding.
			e, _ := suit.Decode(env, nil)
			ins := e.Manifest.Install.Sequence
			if off := ins.CommandOffsets(); rec.Offset != uint64(off[len(off)-1]) {
				t.Errorf("section offset %d, want %d", rec.Offset, off[len(off)-1])
			}
		})
	}
}

func TestReportRoundTripFailedCondition(t *testing.T) {
	k := newTestKey(t)
	fw := firmware(1, 200)
	m := fullImage(t, 1, fw)
	m.Common.SharedSequence = seq(compat(otherClass, pDigest(t, fw), pSize(len(fw)))...)
	env := seal(t, k, m, map[string][]byte{"#fw": fw})
	d := newReportDevice(t, k, process.Platform{}, keys.ES256)
	sealed, err := d.run(t, env, []byte("n1"))
	if !errors.Is(err, process.ErrConditionFailed) {
		t.Fatal(err)
	}
	r := serverOpen(t, sealed, publicOf(t, d.key), expect(t, env, []byte("n1")))
	if r.Outcome() != report.ConditionFailed || r.Result.Reason != report.ReasonConditionFailed || r.Result.Code != report.CodeConditionFailed {
		t.Fatalf("result %+v", r.Result)
	}
	// The failing record is the class check in the shared sequence, and
	// it carries the device's actual class identifier.
	if r.Result.Record.Section != suit.CommonSharedSequence {
		t.Errorf("result record %+v", r.Result.Record)
	}
	if p, ok := r.Result.Record.Properties.Get(suit.ParamClassIdentifier); !ok || !bytes.Equal(p.Value[1:], testClass) {
		t.Errorf("result record properties %+v", r.Result.Record.Properties)
	}
}

func TestReportRoundTripDeferral(t *testing.T) {
	k := newTestKey(t)
	fw := firmware(1, 200)
	m := fullImage(t, 1, fw)
	m.Install.Sequence.Commands = append([]suit.Command{override(suit.ParamUint(suit.ParamMinimumBattery, 1000)), cmd(suit.ConditionMinimumBattery)},
		m.Install.Sequence.Commands...)
	env := seal(t, k, m, map[string][]byte{"#fw": fw})
	d := newReportDevice(t, k, process.Platform{Battery: func() (uint64, error) { return 10, nil }}, keys.Ed25519)
	sealed, err := d.run(t, env, []byte("n2"))
	if !errors.Is(err, process.ErrDeferred) {
		t.Fatal(err)
	}
	r := serverOpen(t, sealed, publicOf(t, d.key), expect(t, env, []byte("n2")))
	if r.Outcome() != report.Deferred || r.Result.Code != report.CodeDeferred {
		t.Fatalf("result %+v outcome %v", r.Result, r.Outcome())
	}
	if p, ok := r.Result.Record.Properties.Get(suit.ParamMinimumBattery); !ok {
		t.Errorf("no battery property in %+v", r.Result.Record)
	} else if v, _ := p.Uint(); v != 10 {
		t.Errorf("reported battery %d, want the measured 10", v)
	}
}

func TestReportRoundTripRollback(t *testing.T) {
	k := newTestKey(t)
	v1, v2 := firmware(1, 300), firmware(2, 300)
	env1 := seal(t, k, withURI(fullImage(t, 1, v1), "https://u.example/1"), map[string][]byte{"#fw": v1})
	env2 := seal(t, k, fullImage(t, 2, v2), map[string][]byte{"#fw": v2})
	d := newReportDevice(t, k, process.Platform{}, keys.ES256)
	if _, err := d.run(t, env2, nil); err != nil {
		t.Fatal(err)
	}
	sealed, err := d.run(t, env1, []byte("n3"))
	if !errors.Is(err, verify.ErrRollback) {
		t.Fatal(err)
	}
	r := serverOpen(t, sealed, publicOf(t, d.key), expect(t, env1, []byte("n3")))
	if r.Outcome() != report.Rejected || r.Result.Reason != report.ReasonUnauthorised {
		t.Fatalf("result %+v", r.Result)
	}
}

func TestReportTamperedOrMisdirectedRefused(t *testing.T) {
	k := newTestKey(t)
	fw := firmware(1, 100)
	env := seal(t, k, fullImage(t, 1, fw), map[string][]byte{"#fw": fw})
	for _, alg := range []keys.Algorithm{keys.ES256, keys.HMAC256} {
		d := newReportDevice(t, k, process.Platform{}, alg)
		sealed, err := d.run(t, env, []byte("nonce"))
		if err != nil {
			t.Fatal(err)
		}
		pub := publicOf(t, d.key)
		// Every single-bit change is refused: in the headers or signature
		// as unauthenticated, elsewhere as malformed or unauthenticated;
		// never accepted.
		for i := range sealed {
			bad := bytes.Clone(sealed)
			bad[i] ^= 0x01
			if _, err := report.Verify(bad, pub, nil); err == nil {
				t.Fatalf("%v: flipping byte %d accepted", alg, i)
			} else if !errors.Is(err, report.ErrUnauthenticated) && !errors.Is(err, report.ErrMalformed) && !errors.Is(err, report.ErrLimit) {
				t.Fatalf("%v: byte %d: untyped error %v", alg, i, err)
			}
		}
		// Another device's key.
		other := newReportDevice(t, k, process.Platform{}, alg)
		if _, err := report.Verify(sealed, publicOf(t, other.key), nil); !errors.Is(err, report.ErrUnauthenticated) {
			t.Errorf("%v: other key: %v", alg, err)
		}
		r, err := report.Verify(sealed, pub, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := expect(t, env, []byte("nonce"))
		stale := want
		stale.Nonce = []byte("other")
		if err := r.Check(stale); !errors.Is(err, report.ErrMismatch) {
			t.Errorf("stale nonce: %v", err)
		}
		wrong := want
		wrong.Digest.Value = bytes.Repeat([]byte{7}, 32)
		if err := r.Check(wrong); !errors.Is(err, report.ErrMismatch) {
			t.Errorf("other manifest: %v", err)
		}
	}
}

func TestReportRoundTripEncrypted(t *testing.T) {
	k := newTestKey(t)
	fw := firmware(1, 100)
	env := seal(t, k, fullImage(t, 1, fw), map[string][]byte{"#fw": fw})
	ck := &report.ContentKey{Algorithm: report.A256GCM, Key: bytes.Repeat([]byte{5}, 32)}
	d := newReportDevice(t, k, process.Platform{ReportEncryption: ck}, keys.ES256)
	sealed, err := d.run(t, env, []byte("n4"))
	if err != nil {
		t.Fatal(err)
	}
	pub := publicOf(t, d.key)
	if _, err := report.Verify(sealed, pub, nil); !errors.Is(err, report.ErrEncrypted) {
		t.Fatalf("Verify without the content key: %v", err)
	}
	r, err := report.VerifyEncrypted(sealed, pub, ck, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Check(expect(t, env, []byte("n4"))); err != nil || r.Outcome() != report.Installed {
		t.Fatalf("check %v outcome %v", err, r.Outcome())
	}
}

// Records of commands in a dependency name it with their manifest-id
// path; the root's records have the empty path.
func TestReportManifestIDOfDependencies(t *testing.T) {
	vendor, maker := prefixKey(t, compRadio), prefixKey(t, compApp)
	dep := seal(t, vendor, writer(3, compRadio, "radio v3"), nil)
	d := newDepDevice(t, uriFiles{depURI: dep}, nil, vendor, maker)
	env := seal(t, maker, dependent(t, 7, dep, depURI, true, "app v7"), nil)
	rep, err := d.proc.Install(context.Background(), d.ver, env)
	if err != nil {
		t.Fatal(err)
	}
	b, err := rep.SUIT(nil).Encode()
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.Decode(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	root, inDep := 0, 0
	for _, e := range r.Records {
		if e.Record == nil {
			continue
		}
		if len(e.Record.ManifestID) == 0 {
			root++
		} else {
			inDep++
		}
	}
	if root == 0 || inDep == 0 {
		t.Fatalf("records: %d in the root, %d in dependencies; want both (%d process records)", root, inDep, len(rep.Records))
	}
}
