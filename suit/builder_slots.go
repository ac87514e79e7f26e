package suit

import "fmt"

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
		return fmt.Errorf("%w: an image with slots needs at least two", ErrBuild)
	}
	var ids Parameters
	if img.VendorID != (UUID{}) {
		ids = append(ids, ParamBytes(ParamVendorIdentifier, img.VendorID.Bytes()))
	}
	if img.ClassID != (UUID{}) {
		ids = append(ids, ParamBytes(ParamClassIdentifier, img.ClassID.Bytes()))
	}
	if len(ids) > 0 {
		b.appendCommands(idx, sharedKey, override(ids...))
	}
	selectSlot := func(s uint64) []Command {
		return []Command{
			override(ParamUint(ParamComponentSlot, s)),
			{ID: ConditionComponentSlot, ReportingPolicy: ReportSendRecordOnSuccess | ReportSendSysinfoOnSuccess},
		}
	}
	choose := Command{ID: DirectiveTryEach}
	fetch := Command{ID: DirectiveTryEach}
	seen := map[uint64]bool{}
	withURI := 0
	for i := range img.Slots {
		s := &img.Slots[i]
		if seen[s.Slot] {
			return fmt.Errorf("%w: slot %d given twice", ErrBuild, s.Slot)
		}
		seen[s.Slot] = true
		d, size, err := imageDigest(&Image{Data: s.Data, Digest: s.Digest, Size: s.Size, DigestAlgorithm: img.DigestAlgorithm})
		if err != nil {
			return fmt.Errorf("slot %d: %w", s.Slot, err)
		}
		dp, err := ParamDigest(ParamImageDigest, d)
		if err != nil {
			return fmt.Errorf("%w: slot %d: %v", ErrBuild, s.Slot, err)
		}
		alt := append(selectSlot(s.Slot), override(dp, ParamUint(ParamImageSize, size)))
		choose.TryEach = append(choose.TryEach, CommandSequence{Commands: alt})
		if s.URI != "" {
			withURI++
			alt := append(selectSlot(s.Slot), override(ParamText(ParamURI, s.URI)))
			fetch.TryEach = append(fetch.TryEach, CommandSequence{Commands: alt})
		}
	}
	b.appendCommands(idx, sharedKey, choose)
	if img.VendorID != (UUID{}) {
		b.appendCommands(idx, sharedKey, condition(ConditionVendorIdentifier))
	}
	if img.ClassID != (UUID{}) {
		b.appendCommands(idx, sharedKey, condition(ConditionClassIdentifier))
	}
	switch {
	case withURI == len(img.Slots):
		b.appendCommands(idx, ManifestInstall, fetch, directive(DirectiveFetch), condition(ConditionImageMatch))
	case withURI != 0:
		return fmt.Errorf("%w: give a URI for every slot or for none", ErrBuild)
	}
	b.finishImage(idx, img)
	return nil
}
