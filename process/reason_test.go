package process

import (
	"fmt"
	"testing"

	"github.com/suitkit/suitkit/verify"
)

// TestUnauthenticatedReportedAsUnauthorised checks that an envelope whose only
// block is malformed is reported as unauthorised, not as a parse error: the
// AuthError matches its blocks' causes too, but what failed is authentication.
func TestUnauthenticatedReportedAsUnauthorised(t *testing.T) {
	err := &verify.AuthError{
		Reason: "no trusted signature",
		Blocks: []error{fmt.Errorf("block 0: %w", verify.ErrMalformed)},
	}
	if got := ReasonOf(err); got != ReasonUnauthorised {
		t.Fatalf("ReasonOf(unauthenticated, malformed block) = %v, want %v", got, ReasonUnauthorised)
	}
	if got := ReasonOf(fmt.Errorf("parse: %w", verify.ErrMalformed)); got != ReasonCBORParse {
		t.Fatalf("ReasonOf(malformed) = %v, want %v", got, ReasonCBORParse)
	}
}
