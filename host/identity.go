package host

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/suit"
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
// Identity and no error; a member that is not a UUID (suit.ParseUUID) is
// an error matching suit.ErrInvalidUUID.
func LoadIdentity(dir string) (process.Identity, error) {
	p := filepath.Join(dir, IdentityFile)
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return process.Identity{}, nil
	}
	if err != nil {
		return process.Identity{}, err
	}
	defer f.Close()
	buf, err := io.ReadAll(io.LimitReader(f, maxIdentityFile+1))
	if err != nil {
		return process.Identity{}, err
	}
	if len(buf) > maxIdentityFile {
		return process.Identity{}, fmt.Errorf("%s: larger than %d bytes", p, maxIdentityFile)
	}
	var js identityJSON
	dec := json.NewDecoder(bytes.NewReader(buf))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&js); err != nil {
		return process.Identity{}, fmt.Errorf("%s: %v", p, err)
	}
	var id process.Identity
	for _, f := range []struct {
		s   string
		dst *[]byte
	}{{js.VendorID, &id.VendorID}, {js.ClassID, &id.ClassID}, {js.DeviceID, &id.DeviceID}} {
		if f.s == "" {
			continue
		}
		u, err := suit.ParseUUID(f.s)
		if err != nil {
			return process.Identity{}, fmt.Errorf("%s: %w", p, err)
		}
		*f.dst = u.Bytes()
	}
	return id, nil
}

// SaveIdentity writes DIR/device.json atomically. Every identifier that is
// set must be a 16-byte UUID (an error matching suit.ErrInvalidUUID
// otherwise), so that LoadIdentity reads back what was saved.
func SaveIdentity(dir string, id process.Identity) error {
	var js identityJSON
	for _, f := range []struct {
		b   []byte
		dst *string
	}{{id.VendorID, &js.VendorID}, {id.ClassID, &js.ClassID}, {id.DeviceID, &js.DeviceID}} {
		if f.b == nil {
			continue
		}
		u, err := suit.UUIDFromBytes(f.b)
		if err != nil {
			return err
		}
		*f.dst = u.String()
	}
	b, err := json.MarshalIndent(js, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, IdentityFile), append(b, '\n'), 0o644)
}
