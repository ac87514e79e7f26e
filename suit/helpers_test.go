package suit

// ietfFiles lists the fourteen IETF example envelopes.
var ietfFiles = []string{
	"example-0.suit", "example-0-unsigned.suit",
	"example-1.suit", "example-1-unsigned.suit",
	"example-2.suit", "example-2-unsigned.suit",
	"example-2-severed.suit", "example-2-severed-unsigned.suit",
	"example-3.suit", "example-3-unsigned.suit",
	"example-4.suit", "example-4-unsigned.suit",
	"example-5.suit", "example-5-unsigned.suit",
}
