package suit

import (
	"fmt"

	"github.com/suitkit/suitkit/internal/cbor"
)

// This file holds the structured values of draft-ietf-suit-update-management:
// version matches, wait-info and component-metadata, their strict decoders
// (called from paramValue, so a manifest that carries a malformed one does
// not decode) and their encoders.

// Version comparison types (SUIT_Condition_Version_Comparison_Types).
const (
	VersionGreater      int64 = 1
	VersionGreaterEqual int64 = 2
	VersionEqual        int64 = 3
	VersionLesserEqual  int64 = 4
	VersionLesser       int64 = 5
)

// Pre-release markers inside a version (draft-ietf-suit-update-management
// "Semantic Versioning encoding guidelines"): 1.2-rc.3 is [1, 2, -1, 3].
const (
	VersionRC    int64 = -1
	VersionBeta  int64 = -2
	VersionAlpha int64 = -3
)

// CompareVersion compares an installed version have with a manifest's
// version want, integer by integer. Comparison stops when want is used up
// or at the first unequal integer, so want [1] equals every version that
// starts with 1. An integer missing from have counts as 0, which keeps a
// release above its pre-releases ([2, 0] > [2, 0, -1, 1]). It returns -1,
// 0 or +1 as have is below, equal to or above want.
func CompareVersion(have, want []int64) int {
	for i, w := range want {
		var h int64
		if i < len(have) {
			h = have[i]
		}
		switch {
		case h < w:
			return -1
		case h > w:
			return 1
		}
	}
	return 0
}

// Matches reports whether the installed version have satisfies the match.
// An unknown comparison type is an error matching ErrMalformed.
func (v VersionMatch) Matches(have []int64) (bool, error) {
	c := CompareVersion(have, v.Parts)
	switch v.Comparison {
	case VersionGreater:
		return c > 0, nil
	case VersionGreaterEqual:
		return c >= 0, nil
	case VersionEqual:
		return c == 0, nil
	case VersionLesserEqual:
		return c <= 0, nil
	case VersionLesser:
		return c < 0, nil
	}
	return false, fmt.Errorf("%w: version comparison type %d is not one of 1..5", ErrMalformed, v.Comparison)
}

// String renders the match for people, e.g. ">= 1.2.-1.3".
func (v VersionMatch) String() string {
	op := map[int64]string{1: ">", 2: ">=", 3: "==", 4: "<=", 5: "<"}[v.Comparison]
	if op == "" {
		op = "cmp(" + itoa64(v.Comparison) + ")"
	}
	return op + " " + VersionString(v.Parts)
}

// VersionString renders a version list with dots, e.g. [1 2 -1 3] as
// "1.2.-1.3".
func VersionString(parts []int64) string {
	var b []byte
	for i, p := range parts {
		if i > 0 {
			b = append(b, '.')
		}
		b = append(b, itoa64(p)...)
	}
	return string(b)
}

// Wait events (SUIT_Wait_Events): the keys of a wait-info map.
const (
	WaitAuthorization      int64 = 1 // int: as update-priority
	WaitPower              int64 = 2 // int: power state
	WaitNetwork            int64 = 3 // int: network state
	WaitOtherDeviceVersion int64 = 4 // [bstr, [+ version match]]
	WaitTime               int64 = 5 // uint: seconds since 1970
	WaitTimeOfDay          int64 = 6 // uint: seconds since 00:00 local time
	WaitDayOfWeek          int64 = 7 // uint: days since Sunday, local time
	WaitTimeOfDayUTC       int64 = 8 // uint: seconds since 00:00 UTC
	WaitDayOfWeekUTC       int64 = 9 // uint: days since Sunday, UTC
)

// WaitInfo is suit-parameter-wait-info: the events a wait directive waits
// for. Every event set must be satisfied before processing continues. Nil
// fields are absent.
type WaitInfo struct {
	Authorization *int64
	Power         *int64
	Network       *int64
	OtherDevice   *OtherDeviceVersion
	Time          *uint64
	TimeOfDay     *uint64
	DayOfWeek     *uint64
	TimeOfDayUTC  *uint64
	DayOfWeekUTC  *uint64
	// Extensions holds events with other keys, verbatim. A processor that
	// does not know such an event cannot wait for it.
	Extensions []RawEntry
}

// OtherDeviceVersion is the argument of the other-device-version wait
// event: an implementation-defined device identifier and the version
// matches its version must satisfy.
type OtherDeviceVersion struct {
	Device   []byte
	Versions []VersionMatch
}

// Component metadata keys (SUIT_Component_Metadata).
const (
	MetaDefaultPermissions int64 = 1
	MetaUserPermissions    int64 = 2
	MetaGroupPermissions   int64 = 3
	MetaRolePermissions    int64 = 4
	MetaFileType           int64 = 5
	MetaModificationTime   int64 = 6
	MetaCreationTime       int64 = 7
	MetaCreator            int64 = 8
)

// File types (SUIT_Filetype).
const (
	FileRegular   uint64 = 1
	FileDirectory uint64 = 2
	FileSymlink   uint64 = 3
)

// Permission bits (SUIT_meta_permission_bits), as bit numbers.
const (
	PermTraverseExec    = 0
	PermCreateWrite     = 1
	PermListRead        = 2
	PermCreateDirAppend = 3
	PermReadAttr        = 4
	PermReadPerm        = 5
	PermChangePerm      = 6
	PermChangeOwner     = 7
	PermWriteAttr       = 8
	PermRecurseDelete   = 9
	PermDelete          = 10
	PermSync            = 11
	PermReadAttrEx      = 12
	PermWriteAttrEx     = 13
)

// ComponentMetadata is suit-parameter-component-metadata: file metadata
// applied when a component is fetched, copied or written. Nil fields are
// absent.
type ComponentMetadata struct {
	DefaultPermissions *uint64
	UserPermissions    []ActorPermission
	GroupPermissions   []ActorPermission
	RolePermissions    []ActorPermission
	FileType           *uint64
	// ModificationTime and CreationTime are seconds since 1970 (encoded
	// with tag 1).
	ModificationTime *uint64
	CreationTime     *uint64
	// Creator is the encoded SUIT_meta_actor_id item (#6.37(bstr) UUID,
	// bstr, tstr or int), nil when absent.
	Creator []byte
	// Extensions holds members with other keys, verbatim.
	Extensions []RawEntry
}

// ActorPermission is one entry of a user, group or role permission map.
type ActorPermission struct {
	Actor       []byte // encoded SUIT_meta_actor_id item
	Permissions uint64
}

// WaitInfo decodes a wait-info parameter (29).
func (p Parameter) WaitInfo() (WaitInfo, error) {
	b, ok := itemString(p.Value, cbor.Bytes)
	if !ok {
		return WaitInfo{}, p.typeErr("a bstr-wrapped wait-info map")
	}
	l := (*Limits)(nil).resolve()
	d := newDec(b, 0, &l)
	var w WaitInfo
	err := d.whole(func() error { var err error; w, err = d.waitInfo(1); return err })
	return w, err
}

// ComponentMetadata decodes a component-metadata parameter (30).
func (p Parameter) ComponentMetadata() (ComponentMetadata, error) {
	b, ok := itemString(p.Value, cbor.Bytes)
	if !ok {
		return ComponentMetadata{}, p.typeErr("a bstr-wrapped component-metadata map")
	}
	l := (*Limits)(nil).resolve()
	d := newDec(b, 0, &l)
	var m ComponentMetadata
	err := d.whole(func() error { var err error; m, err = d.componentMetadata(1); return err })
	return m, err
}

// intMapKey reads the next key of a map with integer keys, in order.
func (d *dec) intMapKey(prev *[]byte, depth int, what string) (int64, error) {
	at := d.off
	k, err := d.key(*prev, depth)
	if err != nil {
		return 0, err
	}
	*prev = k
	v, ok := itemInt(k)
	if !ok {
		return 0, d.fail(ErrMalformed, at, "%s key is not an integer", what)
	}
	return v, nil
}

// waitInfo decodes a SUIT_Wait_Event map at depth.
func (d *dec) waitInfo(depth int) (WaitInfo, error) {
	var w WaitInfo
	if err := d.depthOK(depth); err != nil {
		return w, err
	}
	start := d.off
	n, err := d.mapHead(d.lim.elements, "wait-info")
	if err != nil {
		return w, err
	}
	if n == 0 {
		return w, d.fail(ErrMalformed, start, "empty wait-info map")
	}
	var prev []byte
	for i := 0; i < n; i++ {
		kAt := d.off
		k, err := d.intMapKey(&prev, depth+1, "wait-info")
		if err != nil {
			return w, err
		}
		switch k {
		case WaitAuthorization, WaitPower, WaitNetwork:
			v, err := d.int()
			if err != nil {
				return w, err
			}
			if d.check {
				break
			}
			x := v // allocated only when the model is built
			switch k {
			case WaitAuthorization:
				w.Authorization = &x
			case WaitPower:
				w.Power = &x
			default:
				w.Network = &x
			}
		case WaitTime, WaitTimeOfDay, WaitDayOfWeek, WaitTimeOfDayUTC, WaitDayOfWeekUTC:
			at := d.off
			v, err := d.uint()
			if err != nil {
				return w, err
			}
			switch {
			case (k == WaitTimeOfDay || k == WaitTimeOfDayUTC) && v >= 86400:
				return w, d.fail(ErrMalformed, at, "time of day %d is not below 86400 seconds", v)
			case (k == WaitDayOfWeek || k == WaitDayOfWeekUTC) && v > 6:
				return w, d.fail(ErrMalformed, at, "day of week %d is not 0 (Sunday) to 6", v)
			case d.check:
				continue
			}
			x := v
			switch k {
			case WaitTime:
				w.Time = &x
			case WaitTimeOfDay:
				w.TimeOfDay = &x
			case WaitTimeOfDayUTC:
				w.TimeOfDayUTC = &x
			case WaitDayOfWeek:
				w.DayOfWeek = &x
			default:
				w.DayOfWeekUTC = &x
			}
		case WaitOtherDeviceVersion:
			o, err := d.otherDevice(depth + 1)
			if err != nil {
				return w, err
			}
			if !d.check {
				x := o
				w.OtherDevice = &x
			}
		default:
			v, err := d.skip(depth + 1)
			if err != nil {
				return w, err
			}
			if !d.check {
				w.Extensions = append(w.Extensions, RawEntry{Key: d.b[kAt : kAt+len(prev)], Value: v})
			}
		}
	}
	return w, nil
}

// otherDevice decodes [bstr, [+ version match]] at depth.
func (d *dec) otherDevice(depth int) (OtherDeviceVersion, error) {
	var o OtherDeviceVersion
	if err := d.depthOK(depth); err != nil {
		return o, err
	}
	start := d.off
	n, err := d.array(2, "other-device-version")
	if err != nil {
		return o, err
	}
	if n != 2 {
		return o, d.fail(ErrMalformed, start, "other-device-version must have 2 elements")
	}
	if o.Device, _, err = d.bstr(); err != nil {
		return o, err
	}
	if err := d.depthOK(depth + 1); err != nil {
		return o, err
	}
	at := d.off
	m, err := d.array(d.lim.elements, "other-device versions")
	if err != nil {
		return o, err
	}
	if m == 0 {
		return o, d.fail(ErrMalformed, at, "other-device-version without a version match")
	}
	if !d.check {
		o.Versions = make([]VersionMatch, m)
	}
	for i := 0; i < m; i++ {
		vm, err := d.versionMatch(depth + 1)
		if err != nil {
			return o, err
		}
		if !d.check {
			o.Versions[i] = vm
		}
	}
	return o, nil
}

// componentMetadata decodes a SUIT_Component_Metadata map at depth.
func (d *dec) componentMetadata(depth int) (ComponentMetadata, error) {
	var m ComponentMetadata
	if err := d.depthOK(depth); err != nil {
		return m, err
	}
	n, err := d.mapHead(d.lim.elements, "component-metadata")
	if err != nil {
		return m, err
	}
	var prev []byte
	for i := 0; i < n; i++ {
		kAt := d.off
		k, err := d.intMapKey(&prev, depth+1, "component-metadata")
		if err != nil {
			return m, err
		}
		switch k {
		case MetaDefaultPermissions:
			v, err := d.uint()
			if err != nil {
				return m, err
			}
			if !d.check {
				x := v
				m.DefaultPermissions = &x
			}
		case MetaUserPermissions, MetaGroupPermissions, MetaRolePermissions:
			ps, err := d.permissionMap(depth + 1)
			if err != nil {
				return m, err
			}
			switch k {
			case MetaUserPermissions:
				m.UserPermissions = ps
			case MetaGroupPermissions:
				m.GroupPermissions = ps
			default:
				m.RolePermissions = ps
			}
		case MetaFileType:
			at := d.off
			v, err := d.uint()
			if err != nil {
				return m, err
			}
			if v < FileRegular || v > FileSymlink {
				return m, d.fail(ErrMalformed, at, "file type %d is not 1 (regular), 2 (directory) or 3 (symlink)", v)
			}
			if !d.check {
				x := v
				m.FileType = &x
			}
		case MetaModificationTime, MetaCreationTime:
			at := d.off
			if d.peekByte() != 0xc1 {
				return m, d.fail(ErrMalformed, at, "a time must be tagged 1 (epoch seconds)")
			}
			d.off++
			v, err := d.uint()
			if err != nil {
				return m, err
			}
			if d.check {
				break
			}
			x := v
			if k == MetaModificationTime {
				m.ModificationTime = &x
			} else {
				m.CreationTime = &x
			}
		case MetaCreator:
			a, err := d.actor(depth + 1)
			if err != nil {
				return m, err
			}
			m.Creator = a
		default:
			v, err := d.skip(depth + 1)
			if err != nil {
				return m, err
			}
			if !d.check {
				m.Extensions = append(m.Extensions, RawEntry{Key: d.b[kAt : kAt+len(prev)], Value: v})
			}
		}
	}
	return m, nil
}

// actor decodes a SUIT_meta_actor_id: #6.37(bstr) (a 16-byte UUID), bstr,
// tstr or int; it returns the item's encoding.
func (d *dec) actor(depth int) ([]byte, error) {
	start := d.off
	if d.peekByte() == 0xd8 && d.off+1 < len(d.b) && d.b[d.off+1] == 37 {
		d.off += 2
		b, _, err := d.bstr()
		if err != nil {
			return nil, err
		}
		if len(b) != 16 {
			return nil, d.fail(ErrMalformed, start, "tagged UUID actor of %d bytes, want 16", len(b))
		}
		return d.b[start:d.off], nil
	}
	switch m, _ := d.peek(); m {
	case cbor.Uint, cbor.Nint, cbor.Bytes, cbor.Text:
		return d.skip(depth)
	}
	return nil, d.fail(ErrMalformed, start, "actor must be a tagged UUID, bstr, tstr or int")
}

// permissionMap decodes {+ actor => permissions} at depth.
func (d *dec) permissionMap(depth int) ([]ActorPermission, error) {
	if err := d.depthOK(depth); err != nil {
		return nil, err
	}
	start := d.off
	n, err := d.mapHead(d.lim.elements, "permission map")
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, d.fail(ErrMalformed, start, "empty permission map")
	}
	var out []ActorPermission
	if !d.check {
		out = make([]ActorPermission, n)
	}
	var prev []byte
	for i := 0; i < n; i++ {
		kAt := d.off
		k, err := d.key(prev, depth+1)
		if err != nil {
			return nil, err
		}
		prev = k
		sub := newDec(k, d.base+kAt, &d.lim)
		if _, err := sub.actor(depth + 1); err != nil {
			return nil, err
		}
		p, err := d.uint()
		if err != nil {
			return nil, err
		}
		if !d.check {
			out[i] = ActorPermission{Actor: k, Permissions: p}
		}
	}
	return out, nil
}

// Encode returns the encoded wait-info map (the content of the parameter's
// bstr).
func (w WaitInfo) Encode() ([]byte, error) {
	var b mapBuilder
	ints := []struct {
		k int64
		v *int64
	}{{WaitAuthorization, w.Authorization}, {WaitPower, w.Power}, {WaitNetwork, w.Network}}
	for _, e := range ints {
		if e.v != nil {
			var x writer
			x.int(*e.v)
			b.add(e.k, x.b)
		}
	}
	if o := w.OtherDevice; o != nil {
		if len(o.Versions) == 0 {
			return nil, fmt.Errorf("%w: other-device-version without a version match", ErrMalformed)
		}
		var x writer
		x.head(cbor.Array, 2)
		x.bstr(o.Device)
		x.head(cbor.Array, uint64(len(o.Versions)))
		for _, v := range o.Versions {
			if err := x.versionMatch(v); err != nil {
				return nil, err
			}
		}
		b.add(WaitOtherDeviceVersion, x.b)
	}
	uints := []struct {
		k int64
		v *uint64
	}{{WaitTime, w.Time}, {WaitTimeOfDay, w.TimeOfDay}, {WaitDayOfWeek, w.DayOfWeek},
		{WaitTimeOfDayUTC, w.TimeOfDayUTC}, {WaitDayOfWeekUTC, w.DayOfWeekUTC}}
	for _, e := range uints {
		if e.v != nil {
			var x writer
			x.uint(*e.v)
			b.add(e.k, x.b)
		}
	}
	if len(b.es) == 0 && len(w.Extensions) == 0 {
		return nil, fmt.Errorf("%w: empty wait-info", ErrMalformed)
	}
	out, err := finishMap(&b, w.Extensions)
	if err != nil {
		return nil, err
	}
	if _, err := (Parameter{Key: ParamWaitInfo, Value: BstrItem(out)}).WaitInfo(); err != nil {
		return nil, err
	}
	return out, nil
}

// Encode returns the encoded component-metadata map (the content of the
// parameter's bstr).
func (m ComponentMetadata) Encode() ([]byte, error) {
	var b mapBuilder
	if m.DefaultPermissions != nil {
		var x writer
		x.uint(*m.DefaultPermissions)
		b.add(MetaDefaultPermissions, x.b)
	}
	for _, e := range []struct {
		k  int64
		ps []ActorPermission
	}{{MetaUserPermissions, m.UserPermissions}, {MetaGroupPermissions, m.GroupPermissions}, {MetaRolePermissions, m.RolePermissions}} {
		if e.ps == nil {
			continue
		}
		var pm mapBuilder
		for _, p := range e.ps {
			var x writer
			x.uint(p.Permissions)
			pm.es = append(pm.es, entry{k: p.Actor, v: x.b})
		}
		enc, err := finishMap(&pm, nil)
		if err != nil {
			return nil, err
		}
		b.add(e.k, enc)
	}
	if m.FileType != nil {
		var x writer
		x.uint(*m.FileType)
		b.add(MetaFileType, x.b)
	}
	for _, e := range []struct {
		k int64
		v *uint64
	}{{MetaModificationTime, m.ModificationTime}, {MetaCreationTime, m.CreationTime}} {
		if e.v != nil {
			x := writer{b: []byte{0xc1}}
			x.uint(*e.v)
			b.add(e.k, x.b)
		}
	}
	if m.Creator != nil {
		b.add(MetaCreator, m.Creator)
	}
	out, err := finishMap(&b, m.Extensions)
	if err != nil {
		return nil, err
	}
	if _, err := (Parameter{Key: ParamComponentMetadata, Value: BstrItem(out)}).ComponentMetadata(); err != nil {
		return nil, err
	}
	return out, nil
}

// ParamWaitEvents returns a parameter holding a bstr-wrapped wait-info map
// (key ParamWaitInfo).
func ParamWaitEvents(key int64, w WaitInfo) (Parameter, error) {
	b, err := w.Encode()
	if err != nil {
		return Parameter{}, err
	}
	return ParamBytes(key, b), nil
}

// ParamMetadata returns a parameter holding a bstr-wrapped component
// metadata map (key ParamComponentMetadata).
func ParamMetadata(key int64, m ComponentMetadata) (Parameter, error) {
	b, err := m.Encode()
	if err != nil {
		return Parameter{}, err
	}
	return ParamBytes(key, b), nil
}

// UUIDActor returns the encoded actor #6.37(bstr) for a UUID.
func UUIDActor(u UUID) []byte {
	x := writer{b: []byte{0xd8, 37}}
	x.bstr(u[:])
	return x.b
}

// TextActor returns the encoded actor for a name.
func TextActor(s string) []byte {
	var x writer
	x.tstr(s)
	return x.b
}

// IntActor returns the encoded actor for a numeric id (a POSIX uid).
func IntActor(v int64) []byte {
	var x writer
	x.int(v)
	return x.b
}

// versionMatch writes [type, [+int]].
func (w *writer) versionMatch(v VersionMatch) error {
	if len(v.Parts) == 0 {
		return fmt.Errorf("%w: version match without parts", ErrMalformed)
	}
	w.head(cbor.Array, 2)
	w.int(v.Comparison)
	w.head(cbor.Array, uint64(len(v.Parts)))
	for _, x := range v.Parts {
		w.int(x)
	}
	return nil
}

// finishMap adds the checked extensions and returns the encoded map.
func finishMap(b *mapBuilder, ext []RawEntry) ([]byte, error) {
	if err := addRawChecked(b, ext); err != nil {
		return nil, err
	}
	var w writer
	if err := b.write(&w); err != nil {
		return nil, err
	}
	return w.b, nil
}
