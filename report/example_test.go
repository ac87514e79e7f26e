package report_test

import (
	"bytes"
	"fmt"

	"github.com/suitkit/suitkit/keys"
	"github.com/suitkit/suitkit/report"
	"github.com/suitkit/suitkit/suit"
)

// A device seals a report with its key; the server verifies it with the
// device's public key, checks it names the manifest and nonce it sent, and
// acts on the outcome.
func Example() {
	deviceKey, _ := keys.GenerateKey(keys.Ed25519)
	manifest := suit.Digest{Algorithm: suit.AlgSHA256, Value: bytes.Repeat([]byte{0x42}, 32)}
	nonce := []byte("server-nonce-17")

	// Device side (process.Processor.SealReport builds the report from a run).
	r := &report.Report{
		Reference: report.Reference{URI: "https://updates.example/fw.suit", Digest: manifest},
		Nonce:     nonce,
		Records:   []report.Entry{},
		Result: report.Result{Code: report.CodeDeferred, Reason: report.ReasonConditionFailed,
			Record: report.Record{ManifestID: []uint64{}, Section: suit.ManifestInstall, Offset: 3,
				Properties: suit.Parameters{suit.ParamUint(suit.ParamMinimumBattery, 120)}}},
	}
	auth, _ := report.KeyAuthenticator(deviceKey, 0)
	sealed, err := report.Seal(r, auth)
	if err != nil {
		fmt.Println(err)
		return
	}

	// Server side.
	pub, _ := deviceKey.PublicOnly()
	got, err := report.Verify(sealed, pub, nil)
	if err != nil {
		fmt.Println("refused:", err)
		return
	}
	if err := got.Check(report.Expected{Digest: manifest, URI: "https://updates.example/fw.suit", Nonce: nonce}); err != nil {
		fmt.Println("refused:", err)
		return
	}
	fmt.Println(got.Outcome(), got.Result.Reason)
	battery, _ := got.Result.Record.Properties.Get(suit.ParamMinimumBattery)
	mwh, _ := battery.Uint()
	fmt.Println("battery", mwh, "mWh")
	// Output:
	// deferred condition-failed
	// battery 120 mWh
}
