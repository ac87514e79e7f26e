package build

import (
	"fmt"

	"github.com/suitkit/suitkit/suit"
)

// slotCommands generates the commands of an image offered in several slots,
// in the layout of the draft's example 3:
//
//	shared:   override {vendor, class}
//	          try-each [ << override {slot s}, condition-component-slot,
//	                        override {digest, size} >> ... ]
//	          check vendor, check class
//	install:  try-each [ << override {slot s}, condition-component-slot,
//	                        override {uri} >> ... ], fetch, image-match
//	validate: image-match
func (b *Builder) slotCommands(idx int, img *Image) error {
	if len(img.Slots) < 2 {
		return fmt.Errorf("%w: an image with slots needs at least two", ErrInvalid)
	}
	var ids suit.Parameters
	if img.VendorID != (suit.UUID{}) {
		ids = append(ids, suit.ParamBytes(suit.ParamVendorIdentifier, img.VendorID.Bytes()))
	}
	if img.ClassID != (suit.UUID{}) {
		ids = append(ids, suit.ParamBytes(suit.ParamClassIdentifier, img.ClassID.Bytes()))
	}
	if len(ids) > 0 {
		b.appendCommands(idx, sharedKey, override(ids...))
	}
	selectSlot := func(s uint64) []suit.Command {
		return []suit.Command{
			override(suit.ParamUint(suit.ParamComponentSlot, s)),
			{ID: suit.ConditionComponentSlot, ReportingPolicy: suit.ReportSendRecordOnSuccess | suit.ReportSendSysinfoOnSuccess},
		}
	}
	choose := suit.Command{ID: suit.DirectiveTryEach}
	fetch := suit.Command{ID: suit.DirectiveTryEach}
	seen := map[uint64]bool{}
	withURI := 0
	for i := range img.Slots {
		s := &img.Slots[i]
		if seen[s.Slot] {
			return fmt.Errorf("%w: slot %d given twice", ErrInvalid, s.Slot)
		}
		seen[s.Slot] = true
		d, size, err := imageDigest(&Image{Data: s.Data, Digest: s.Digest, Size: s.Size, DigestAlgorithm: img.DigestAlgorithm})
		if err != nil {
			return fmt.Errorf("slot %d: %w", s.Slot, err)
		}
		dp, err := suit.ParamDigest(suit.ParamImageDigest, d)
		if err != nil {
			return fmt.Errorf("%w: slot %d: %v", ErrInvalid, s.Slot, err)
		}
		alt := append(selectSlot(s.Slot), override(dp, suit.ParamUint(suit.ParamImageSize, size)))
		choose.TryEach = append(choose.TryEach, suit.CommandSequence{Commands: alt})
		if s.URI != "" {
			withURI++
			alt := append(selectSlot(s.Slot), override(suit.ParamText(suit.ParamURI, s.URI)))
			fetch.TryEach = append(fetch.TryEach, suit.CommandSequence{Commands: alt})
		}
	}
	b.appendCommands(idx, sharedKey, choose)
	if img.VendorID != (suit.UUID{}) {
		b.appendCommands(idx, sharedKey, condition(suit.ConditionVendorIdentifier))
	}
	if img.ClassID != (suit.UUID{}) {
		b.appendCommands(idx, sharedKey, condition(suit.ConditionClassIdentifier))
	}
	switch {
	case withURI == len(img.Slots):
		b.appendCommands(idx, suit.ManifestInstall, fetch, directive(suit.DirectiveFetch), condition(suit.ConditionImageMatch))
	case withURI != 0:
		return fmt.Errorf("%w: give a URI for every slot or for none", ErrInvalid)
	}
	b.finishImage(idx, img)
	return nil
}
