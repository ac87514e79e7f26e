package process

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// IdentityFile is the name of a directory device's identity file, a JSON
// object with the device's UUIDs:
//
//	{"vendor-id": "fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe",
//	 "class-id":  "1492af14-2569-5e48-bf42-9b2d51f2ab45",
//	 "device-id": "..."}
//
// Every member is optional.
const IdentityFile = "device.json"

// maxIdentityFile caps the size of device.json.
const maxIdentityFile = 64 << 10

type identityJSON struct {
	VendorID string `json:"vendor-id,omitempty"`
	ClassID  string `json:"class-id,omitempty"`
	DeviceID string `json:"device-id,omitempty"`
}

// LoadIdentity reads DIR/device.json. A missing file gives an empty
// Identity and no error.
func LoadIdentity(dir string) (Identity, error) {
	p := filepath.Join(dir, IdentityFile)
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return Identity{}, nil
	}
	if err != nil {
		return Identity{}, err
	}
	defer f.Close()
	buf, err := io.ReadAll(io.LimitReader(f, maxIdentityFile+1))
	if err != nil {
		return Identity{}, err
	}
	if len(buf) > maxIdentityFile {
		return Identity{}, fmt.Errorf("%s: larger than %d bytes", p, maxIdentityFile)
	}
	var js identityJSON
	dec := json.NewDecoder(bytes.NewReader(buf))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&js); err != nil {
		return Identity{}, fmt.Errorf("%s: %v", p, err)
	}
	var id Identity
	for _, f := range []struct {
		s   string
		dst *[]byte
	}{{js.VendorID, &id.VendorID}, {js.ClassID, &id.ClassID}, {js.DeviceID, &id.DeviceID}} {
		if f.s == "" {
			continue
		}
		u, err := ParseUUID(f.s)
		if err != nil {
			return Identity{}, fmt.Errorf("%s: %v", p, err)
		}
		*f.dst = u
	}
	return id, nil
}

// SaveIdentity writes DIR/device.json atomically.
func SaveIdentity(dir string, id Identity) error {
	js := identityJSON{VendorID: FormatUUID(id.VendorID), ClassID: FormatUUID(id.ClassID), DeviceID: FormatUUID(id.DeviceID)}
	b, err := json.MarshalIndent(js, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, IdentityFile), append(b, '\n'), 0o644)
}

// ParseUUID parses the textual form of a UUID (8-4-4-4-12 hex digits) into
// its 16 bytes.
func ParseUUID(s string) ([]byte, error) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return nil, fmt.Errorf("invalid UUID %q", s)
	}
	h := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	b, err := hex.DecodeString(h)
	if err != nil {
		return nil, fmt.Errorf("invalid UUID %q", s)
	}
	return b, nil
}

// FormatUUID formats 16 bytes as a UUID; other lengths format as hex, and
// nil as "".
func FormatUUID(b []byte) string {
	if b == nil {
		return ""
	}
	if len(b) != 16 {
		return hex.EncodeToString(b)
	}
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
