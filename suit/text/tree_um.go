package text

import (
	"fmt"
	"strings"
	"time"

	"github.com/suitkit/suitkit/suit"
	"github.com/suitkit/suitkit/suit/internal/schema"
)

// treeUpdateManagement renders the structured update-management values
// (draft-ietf-suit-update-management) on one line for people: a version
// match as "≥ 1.2.-1.3", a wait-info as its events, component metadata as
// mode, type, times and creator. The JSON and YAML forms keep the
// generic {"cbor": ...} form, which round-trips.
func treeUpdateManagement(v *tnode, name string) (string, bool) {
	key, ok := map[string]int64{
		suit.ParameterName(suit.ParamVersion):           suit.ParamVersion,
		suit.ParameterName(suit.ParamWaitInfo):          suit.ParamWaitInfo,
		suit.ParameterName(suit.ParamComponentMetadata): suit.ParamComponentMetadata,
		suit.ManifestKeyName(suit.ManifestSetVersion):   suit.ManifestSetVersion,
	}[name]
	if !ok || v.kind != tnObject {
		return "", false
	}
	r := &textIn{files: &textFiles{}}
	n, err := r.value(v, schema.CBORBstr, "")
	if err != nil || n.Major != 2 {
		return "", false
	}
	p := suit.ParamBytes(key, n.Str)
	switch key {
	case suit.ManifestSetVersion:
		vm, err := suit.ParamBytes(suit.ParamVersion, append([]byte{0x82, 0x03}, n.Str...)).Version()
		if err != nil {
			return "", false
		}
		return suit.VersionString(vm.Parts), true
	case suit.ParamVersion:
		vm, err := p.Version()
		if err != nil {
			return "", false
		}
		return vm.String(), true
	case suit.ParamWaitInfo:
		w, err := p.WaitInfo()
		if err != nil {
			return "", false
		}
		return waitText(w), true
	}
	m, err := p.ComponentMetadata()
	if err != nil {
		return "", false
	}
	return metadataText(m), true
}

func waitText(w suit.WaitInfo) string {
	var parts []string
	add := func(f string, a ...any) { parts = append(parts, fmt.Sprintf(f, a...)) }
	if w.Authorization != nil {
		add("authorization (priority %d)", *w.Authorization)
	}
	if w.Power != nil {
		add("power state %d", *w.Power)
	}
	if w.Network != nil {
		add("network state %d", *w.Network)
	}
	if o := w.OtherDevice; o != nil {
		vs := make([]string, len(o.Versions))
		for i, v := range o.Versions {
			vs[i] = v.String()
		}
		add("device %x at %s", o.Device, strings.Join(vs, " and "))
	}
	if w.Time != nil {
		add("time %s", time.Unix(int64(*w.Time), 0).UTC().Format(time.RFC3339))
	}
	days := []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	if w.TimeOfDay != nil {
		add("time of day %02d:%02d:%02d local", *w.TimeOfDay/3600, *w.TimeOfDay/60%60, *w.TimeOfDay%60)
	}
	if w.TimeOfDayUTC != nil {
		add("time of day %02d:%02d:%02d UTC", *w.TimeOfDayUTC/3600, *w.TimeOfDayUTC/60%60, *w.TimeOfDayUTC%60)
	}
	if w.DayOfWeek != nil {
		add("%s local", days[*w.DayOfWeek])
	}
	if w.DayOfWeekUTC != nil {
		add("%s UTC", days[*w.DayOfWeekUTC])
	}
	if len(w.Extensions) > 0 {
		add("%d unknown events", len(w.Extensions))
	}
	return "wait for " + strings.Join(parts, ", ")
}

func metadataText(m suit.ComponentMetadata) string {
	var parts []string
	add := func(f string, a ...any) { parts = append(parts, fmt.Sprintf(f, a...)) }
	if m.DefaultPermissions != nil {
		p := *m.DefaultPermissions
		rwx := []byte("---")
		for i, bit := range []int{suit.PermListRead, suit.PermCreateWrite, suit.PermTraverseExec} {
			if p&(1<<bit) != 0 {
				rwx[i] = "rwx"[i]
			}
		}
		add("default permissions %s (0x%x)", rwx, p)
	}
	for _, e := range []struct {
		what string
		ps   []suit.ActorPermission
	}{{"user", m.UserPermissions}, {"group", m.GroupPermissions}, {"role", m.RolePermissions}} {
		if len(e.ps) > 0 {
			add("%d %s permissions", len(e.ps), e.what)
		}
	}
	if m.FileType != nil {
		add("%s", map[uint64]string{suit.FileRegular: "regular file", suit.FileDirectory: "directory", suit.FileSymlink: "symbolic link"}[*m.FileType])
	}
	if m.ModificationTime != nil {
		add("modified %s", time.Unix(int64(*m.ModificationTime), 0).UTC().Format(time.RFC3339))
	}
	if m.CreationTime != nil {
		add("created %s", time.Unix(int64(*m.CreationTime), 0).UTC().Format(time.RFC3339))
	}
	if m.Creator != nil {
		add("creator %x", m.Creator)
	}
	if len(m.Extensions) > 0 {
		add("%d unknown members", len(m.Extensions))
	}
	if len(parts) == 0 {
		return "metadata {}"
	}
	return strings.Join(parts, ", ")
}
