package build

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/suitkit/suitkit/delta/differ"
	"github.com/suitkit/suitkit/encryption"
	"github.com/suitkit/suitkit/suit"
)

// DefaultPatchURI is the integrated-payload key of a delta patch carried in
// the envelope.
const DefaultPatchURI = "#patch"

// patchComponentSuffix is appended to the target component identifier to
// name the temporary component that holds the patch, so that a key
// authorised for the target's prefix also covers it.
const patchComponentSuffix = "suitkit-patch"

// DeltaUpdate describes a delta update: the device holds Old in Component
// and must end with New. Build makes the patch (differ.Diff) and the
// manifest together.
//
// The manifest (see also the package documentation of process) has two
// components, the target and a temporary patch component, and runs:
//
//	shared:   set-component-index 0, override {vendor, class},
//	          check vendor, check class
//	install:  set-component-index 0
//	          try-each [
//	            << override {digest New, size New}, image-match >>   ; already done (resume)
//	            << override {digest Old, size Old}, image-match,     ; authenticated precursor
//	               set-component-index 1,
//	               override {digest patch, size patch, uri}, fetch, image-match,
//	               set-component-index 0,
//	               override {digest New, size New, source-component 1},
//	               suitkit-directive-apply-delta (-257), image-match >> ]
//	          set-component-index 1, unlink                         ; drop the patch
//	validate: set-component-index 0, override {digest New, size New}, image-match
//
// A device whose image is neither Old nor New fails the try-each before the
// patch is even fetched (RFC 9124 REQ.SEC.AUTH.PRECURSOR); a device that
// lost power after the new image was committed finds it in place on the
// re-run.
type DeltaUpdate struct {
	// VendorID and ClassID are checked by the shared sequence; both are
	// required.
	VendorID, ClassID suit.UUID
	// Sequence is the manifest sequence number.
	Sequence uint64
	// Component is the target; nil means [h'00'].
	Component suit.ComponentID
	// PatchComponent holds the patch while it is applied; nil means
	// Component followed by "suitkit-patch".
	PatchComponent suit.ComponentID
	// PatchURI is where the device fetches the patch; "" means the patch
	// is integrated in the envelope under DefaultPatchURI.
	PatchURI string
	// Encrypt, when set, encrypts the patch for these recipients
	// (draft-ietf-suit-firmware-encryption; see Build).
	Encrypt *encryption.EncryptOptions
	// Options tunes differ.Diff; nil for the defaults.
	Options *differ.Options
}

// Build diffs oldImage against newImage and returns an unsigned envelope
// holding the delta manifest (ManifestBytes and Manifest set; the patch in
// Integrated unless PatchURI is set) and the patch. With Encrypt set, the
// patch is encrypted (package encryption), the returned and integrated
// patch is the ciphertext, and the manifest's patch fetch carries the
// encryption info, so the device decrypts the patch while staging it and
// checks the plaintext patch's digest. Sign the envelope with
// sign.Authenticate before shipping it.
func (u *DeltaUpdate) Build(oldImage, newImage []byte) (*suit.Envelope, []byte, error) {
	var buf bytes.Buffer
	if err := differ.Diff(context.Background(), oldImage, newImage, &buf, u.Options); err != nil {
		return nil, nil, fmt.Errorf("suit: delta update: %w", err)
	}
	patch := buf.Bytes()
	var info []byte
	payload := patch
	if u.Encrypt != nil {
		ct, ei, err := encryption.Encrypt(patch, u.Encrypt)
		if err != nil {
			return nil, nil, fmt.Errorf("suit: delta update: encrypt the patch: %w", err)
		}
		if info, err = ei.Encode(); err != nil {
			return nil, nil, err
		}
		payload = ct
	}
	m, err := u.manifest(oldImage, newImage, patch, info)
	if err != nil {
		return nil, nil, err
	}
	mb, err := m.Encode()
	if err != nil {
		return nil, nil, err
	}
	env := &suit.Envelope{Tagged: true, ManifestBytes: mb, Manifest: m}
	if u.PatchURI == "" {
		env.Integrated = map[string][]byte{DefaultPatchURI: payload}
	}
	return env, payload, nil
}

// Manifest returns the delta manifest for a patch already made from
// oldImage to newImage (not encrypted; see Build).
func (u *DeltaUpdate) Manifest(oldImage, newImage, patch []byte) (*suit.Manifest, error) {
	return u.manifest(oldImage, newImage, patch, nil)
}

// manifest builds the delta manifest; info, when set, is the patch's
// encryption info.
func (u *DeltaUpdate) manifest(oldImage, newImage, patch, info []byte) (*suit.Manifest, error) {
	if u.VendorID == (suit.UUID{}) || u.ClassID == (suit.UUID{}) {
		return nil, errors.New("suit: delta update: VendorID and ClassID are required (a delta must only reach the devices it was made for)")
	}
	target := u.Component
	if target == nil {
		target = suit.ComponentID{{0x00}}
	}
	tmp := u.PatchComponent
	if tmp == nil {
		tmp = append(target.Clone(), []byte(patchComponentSuffix))
	}
	if target.Equal(tmp) {
		return nil, errors.New("suit: delta update: patch component equals the target")
	}
	uri := u.PatchURI
	if uri == "" {
		uri = DefaultPatchURI
	}
	image := func(data []byte) (suit.Parameters, error) {
		d, err := suit.ComputeDigest(suit.AlgSHA256, data)
		if err != nil {
			return nil, err
		}
		p, err := suit.ParamDigest(suit.ParamImageDigest, d)
		if err != nil {
			return nil, err
		}
		return suit.Parameters{p, suit.ParamUint(suit.ParamImageSize, uint64(len(data)))}, nil
	}
	oldP, err := image(oldImage)
	if err != nil {
		return nil, err
	}
	newP, err := image(newImage)
	if err != nil {
		return nil, err
	}
	patchP, err := image(patch)
	if err != nil {
		return nil, err
	}
	patchFetch := suit.Parameters{patchP[0], patchP[1]}
	if info != nil {
		patchFetch = append(patchFetch, suit.ParamBytes(suit.ParamEncryptionInfo, info))
	}
	patchFetch = append(patchFetch, suit.ParamText(suit.ParamURI, uri))
	idx := func(i uint64) suit.Command {
		return suit.Command{ID: suit.DirectiveSetComponentIndex, Index: suit.ComponentIndex{Index: i}}
	}
	over := func(ps ...suit.Parameter) suit.Command {
		return suit.Command{ID: suit.DirectiveOverrideParameters, Params: ps}
	}
	cmd := func(id int64, policy uint64) suit.Command { return suit.Command{ID: id, ReportingPolicy: policy} }
	const all, onFail = 15, 2

	alreadyDone := suit.CommandSequence{Commands: []suit.Command{over(newP...), cmd(suit.ConditionImageMatch, all)}}
	patchIt := suit.CommandSequence{Commands: []suit.Command{
		over(oldP...), cmd(suit.ConditionImageMatch, all),
		idx(1),
		over(patchFetch...),
		cmd(suit.DirectiveFetch, onFail), cmd(suit.ConditionImageMatch, all),
		idx(0),
		over(newP[0], newP[1], suit.ParamUint(suit.ParamSourceComponent, 1)),
		cmd(suit.DirectiveApplyDelta, onFail), cmd(suit.ConditionImageMatch, all),
	}}
	return &suit.Manifest{
		Version:        1,
		SequenceNumber: u.Sequence,
		Common: &suit.Common{
			Components: []suit.ComponentID{target, tmp},
			SharedSequence: &suit.CommandSequence{Commands: []suit.Command{
				idx(0),
				over(suit.ParamBytes(suit.ParamVendorIdentifier, u.VendorID[:]), suit.ParamBytes(suit.ParamClassIdentifier, u.ClassID[:])),
				cmd(suit.ConditionVendorIdentifier, all), cmd(suit.ConditionClassIdentifier, all),
			}},
		},
		Install: &suit.SeverableSequence{Sequence: &suit.CommandSequence{Commands: []suit.Command{
			idx(0),
			{ID: suit.DirectiveTryEach, TryEach: []suit.CommandSequence{alreadyDone, patchIt}},
			idx(1), cmd(suit.DirectiveUnlink, onFail),
		}}},
		Validate: &suit.CommandSequence{Commands: []suit.Command{idx(0), over(newP...), cmd(suit.ConditionImageMatch, all)}},
	}, nil
}
