package suit

import (
	"errors"
	"testing"
)

func TestUUID5VendorIDFromDNSName(t *testing.T) {
	got := NewUUID5(NamespaceDNS, []byte("arm.com"))
	if got.String() != "fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe" {
		t.Fatalf("UUID5(DNS, arm.com) = %s", got)
	}
}

// The draft examples' class id is UUID5(vendor-id, "suit") (not
// UUID5(vendor-id, "LPC1768")).
func TestUUID5DraftClassIDFromVendor(t *testing.T) {
	vendor := NewUUID5(NamespaceDNS, []byte("arm.com"))
	got := NewUUID5(vendor, []byte("suit"))
	if got.String() != "1492af14-2569-5e48-bf42-9b2d51f2ab45" {
		t.Fatalf("UUID5(vendor, suit) = %s", got)
	}
	if got.Version() != 5 || got[8]&0xc0 != 0x80 {
		t.Fatalf("version/variant bits wrong: %s", got)
	}
	if NewUUID5(vendor, []byte("LPC1768")) == got {
		t.Fatal("LPC1768 gives the same id")
	}
}

func TestUUID5CBORPENNamespace(t *testing.T) {
	got := NewUUID5(NamespaceOID, []byte{0xD8, 0x6F, 0x45, 0x2B, 0x06, 0x01, 0x04, 0x01})
	if got.String() != "47fbdabb-f2e4-55f0-bb39-3620c2f6df4e" {
		t.Fatalf("CBOR-PEN namespace = %s", got)
	}
}

func TestParseUUIDRoundTrip(t *testing.T) {
	for _, s := range []string{"fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe", "urn:uuid:FA6B4A53-D5AD-5FDF-BE9D-E663E4D41FFE"} {
		u, err := ParseUUID(s)
		if err != nil {
			t.Fatalf("ParseUUID(%q): %v", s, err)
		}
		if u.String() != "fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe" {
			t.Fatalf("ParseUUID(%q) = %s", s, u)
		}
		if u2, err := UUIDFromBytes(u.Bytes()); err != nil || u2 != u {
			t.Fatalf("UUIDFromBytes round trip: %v %v", u2, err)
		}
	}
}

func TestParseUUIDRejectsMalformed(t *testing.T) {
	for _, s := range []string{"", "fa6b4a53d5ad5fdfbe9de663e4d41ffe", "fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffg",
		"fa6b4a53-d5ad-5fdf-be9de-663e4d41ffe", "fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe0"} {
		if _, err := ParseUUID(s); !errors.Is(err, ErrInvalidUUID) {
			t.Errorf("ParseUUID(%q) err = %v, want ErrInvalidUUID", s, err)
		}
	}
	if _, err := UUIDFromBytes(make([]byte, 15)); !errors.Is(err, ErrInvalidUUID) {
		t.Errorf("UUIDFromBytes(15 bytes) err = %v", err)
	}
}
