package process

// Names for the external tests (package process_test).
var (
	IntegerSlotManifests = integerSlotManifests
	SlotImage            = slotImage
)
