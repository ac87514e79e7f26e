package text

import (
	"bytes"
	"strings"
	"testing"

	"github.com/suitkit/suitkit/suit"
)

// umSpec uses every update-management element (also a FuzzFormat seed).
const umSpec = `{
  "suit-manifest": {
    "suit-manifest-version": 1,
    "suit-manifest-sequence-number": 3,
    "suit-common": {"suit-components": [["00"], ["01"]]},
    "suit-set-version": {"cbor": [1, 2, -1, 3]},
    "suit-coswid": {"cbor": {"0": "tag-id", "12": 0}},
    "suit-validate": [
      {"suit-directive-override-multiple": {
        "0": {"suit-parameter-use-before": 1900000000, "suit-parameter-minimum-battery": 500,
              "suit-parameter-update-priority": -1,
              "suit-parameter-version": {"cbor": [2, [1, 0]]},
              "suit-parameter-wait-info": {"cbor": {"1": -1, "4": [{"bstr": "687562"}, [[2, [2, 1]]]], "8": 3600}},
              "suit-parameter-component-metadata": {"cbor": {"1": 5, "5": 1, "6": {"tag": 1, "value": 1700000000},
                  "8": {"tag": 37, "value": {"bstr": "fa6b4a53d5ad5fdfbe9de663e4d41ffe"}}}}},
        "1": {"suit-parameter-image-size": 4}
      }},
      {"suit-directive-copy-params": {"0": [4, 26, 28]}},
      {"suit-condition-use-before": 15},
      {"suit-condition-minimum-battery": 15},
      {"suit-condition-update-authorized": 15},
      {"suit-condition-version": 15},
      {"suit-directive-wait": 15},
      {"suit-condition-image-not-match": 0}
    ],
    "suit-text": {
      "en-US": {"suit-text-manifest-description": "update", "suit-text-components": [
        {"suit-component-identifier": ["00"], "suit-text-version-required": ">=1.2.5,<2", "suit-text-current-version": "1.3.0"}]},
      "fr-FR": {"suit-text-manifest-description": "mise a jour"}
    }
  }
}`

// Every update-management element in the text form: it parses into an
// envelope the strict codec accepts with the typed values, and formats
// back to the same bytes.
func TestTextUpdateManagementRoundTrip(t *testing.T) {
	data, err := Parse([]byte(umSpec), JSON, nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err := suit.Decode(data, nil)
	if err != nil {
		t.Fatalf("built envelope does not decode: %v", err)
	}
	m := e.Manifest
	om := m.Validate.Commands[0].Multiple
	if len(om) != 2 {
		t.Fatalf("override-multiple %+v", om)
	}
	w, _ := om[0].Params.Get(suit.ParamWaitInfo)
	wi, err := w.WaitInfo()
	if err != nil || wi.Authorization == nil || *wi.Authorization != -1 || wi.OtherDevice == nil || *wi.TimeOfDayUTC != 3600 {
		t.Fatalf("wait-info %+v %v", wi, err)
	}
	mp, _ := om[0].Params.Get(suit.ParamComponentMetadata)
	md, err := mp.ComponentMetadata()
	if err != nil || *md.DefaultPermissions != 5 || *md.ModificationTime != 1700000000 || len(md.Creator) != 19 {
		t.Fatalf("metadata %+v %v", md, err)
	}
	if cp := m.Validate.Commands[1].Copy; len(cp) != 1 || len(cp[0].Keys) != 3 {
		t.Fatalf("copy-params %+v", cp)
	}
	if len(m.Text.Text.Languages) != 2 {
		t.Fatalf("languages %+v", m.Text.Text.Languages)
	}
	if v, ok := m.Text.Text.Languages[0].ComponentLookup(suit.ComponentID{{0}}, suit.TextVersionRequired); !ok || v != ">=1.2.5,<2" {
		t.Fatalf("version-required %q", v)
	}
	out, err := Format(data, JSON)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"suit-directive-override-multiple", "suit-directive-copy-params", "suit-condition-update-authorized",
		"suit-directive-wait", "suit-parameter-wait-info", "suit-text-version-required", "fr-FR"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("text form lacks %s", want)
		}
	}
	tree, err := Format(data, Tree)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"suit-set-version: 1.2.-1.3", "suit-parameter-version: >= 1.0",
		"suit-parameter-wait-info: wait for authorization (priority -1), device 687562 at >= 2.1, time of day 01:00:00 UTC",
		"suit-parameter-component-metadata: default permissions r-x (0x5), regular file, modified 2023-11-14T22:13:20Z, creator d82550fa6b4a53"} {
		if !strings.Contains(string(tree), want) {
			t.Errorf("tree lacks %q:\n%s", want, tree)
		}
	}
	back, err := Parse(out, JSON, nil)
	if err != nil || !bytes.Equal(back, data) {
		t.Fatalf("text form does not round-trip: %v\n%s", err, out)
	}
}
