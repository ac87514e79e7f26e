package differ

import (
	"testing"

	"github.com/suitkit/suitkit/delta/internal/diffcore"
	"github.com/suitkit/suitkit/delta/internal/format"
)

// The public constants are written out for the documentation; they must
// stay what the format and the differ core use.
func TestPublicConstantsMatchTheCore(t *testing.T) {
	if DefaultBlockMemory != diffcore.DefaultBlockMemory || MinBlockMemory != diffcore.MinBlockMemory {
		t.Fatal("block memory constants differ from diffcore's")
	}
	want := map[ISA]uint8{Thumb2: format.ISAThumb2, ARM32: format.ISAARM32, AArch64: format.ISAA64, X86_64: format.ISAX86, Xtensa: format.ISAXtensa}
	for i, v := range want {
		if uint8(i) != v {
			t.Errorf("%v = %d, format has %d", i, i, v)
		}
		if p, err := ParseISA(i.String()); err != nil || p != i {
			t.Errorf("ParseISA(%q) = %v, %v", i.String(), p, err)
		}
	}
	if len(AllISAs()) != format.NumISAs-1 {
		t.Errorf("AllISAs has %d entries, format %d", len(AllISAs()), format.NumISAs-1)
	}
}
