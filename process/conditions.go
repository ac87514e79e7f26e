package process

import (
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"io"

	"github.com/suitkit/suitkit/suit"
)

// checkIdentity implements the vendor, class and device identifier
// conditions: the parameter must be set and equal the device's value.
func (r *run) checkIdentity(ci uint64, key int64, have []byte, what string) error {
	p, ok := r.param(ci, key)
	if !ok {
		return condFail(ErrParameterUnset, "%s identifier parameter not set", what)
	}
	want, err := p.Bytes()
	if err != nil {
		return errf(ErrManifest, "%s identifier: %v", what, err)
	}
	if have == nil {
		return condFail(ErrConditionFailed, "device has no %s identifier", what)
	}
	r.measure(suit.ParamBytes(key, have))
	if len(want) != len(have) || subtle.ConstantTimeCompare(want, have) != 1 {
		return condFail(ErrConditionFailed, "%s identifier %s does not match the device's %s",
			what, uuidText(want), uuidText(have))
	}
	return nil
}

// uuidText formats an identifier for a message: as a UUID when it has 16
// bytes, otherwise as hex.
func uuidText(b []byte) string {
	if u, err := suit.UUIDFromBytes(b); err == nil {
		return u.String()
	}
	return hex.EncodeToString(b)
}

// imageMatch implements image-match (match=true) and image-not-match. The
// digest covers exactly image-size bytes when image-size is set (a
// component of another size does not match), otherwise the whole content.
func (r *run) imageMatch(ci uint64, match bool) error {
	ok, err := r.componentMatches(ci)
	if err != nil {
		return err
	}
	if ok != match {
		if match {
			return condFail(ErrConditionFailed, "component %s does not match the image digest", r.comps[ci])
		}
		return condFail(ErrConditionFailed, "component %s matches the image digest", r.comps[ci])
	}
	return nil
}

// imageSpec returns the image-digest and image-size parameters of ci.
func (r *run) imageSpec(ci uint64) (d *suit.Digest, size *uint64, err error) {
	if p, ok := r.param(ci, suit.ParamImageDigest); ok {
		dd, err := p.Digest()
		if err != nil {
			return nil, nil, errf(ErrManifest, "image digest: %v", err)
		}
		if err := r.p.pf.Profile.CheckDigest(dd.Algorithm); err != nil {
			return nil, nil, wrapErr(ErrUnsupported, err, "image digest")
		}
		d = &dd
	}
	if v, ok, err := r.uintParam(ci, suit.ParamImageSize); err != nil {
		return nil, nil, err
	} else if ok {
		size = &v
	}
	return d, size, nil
}

// componentMatches reports whether ci's content matches its image digest
// (and size). An unset digest is a condition failure; an absent content
// does not match.
func (r *run) componentMatches(ci uint64) (bool, error) {
	d, size, err := r.imageSpec(ci)
	if err != nil {
		return false, err
	}
	if d == nil {
		return false, condFail(ErrParameterUnset, "image digest parameter not set")
	}
	if _, err := suit.NewHasher(d.Algorithm); err != nil {
		return false, condFail(ErrUnsupported, "%v", err)
	}
	return r.contentMatches(ci, d, size)
}

// contentMatches reports whether the content of component ci has digest d
// (and size, when not nil). An absent content does not match.
func (r *run) contentMatches(ci uint64, d *suit.Digest, size *uint64) (bool, error) {
	h, err := suit.NewHasher(d.Algorithm)
	if err != nil {
		return false, errf(ErrUnsupported, "%v", err)
	}
	c, err := r.p.pf.Storage.Open(r.comps[ci])
	if errors.Is(err, ErrNoContent) {
		return false, nil
	}
	if err != nil {
		return false, wrapErr(ErrOperation, err, "open "+r.comps[ci].String())
	}
	defer c.Close()
	n := c.Size()
	if n >= 0 {
		r.measure(suit.ParamUint(suit.ParamImageSize, uint64(n)))
	}
	if size != nil && (n < 0 || uint64(n) != *size) {
		return false, nil
	}
	if _, err := io.Copy(h, &ctxReader{ctx: r.ctx, r: io.NewSectionReader(c, 0, n)}); err != nil {
		return false, wrapErr(ErrOperation, err, "read "+r.comps[ci].String())
	}
	got := h.Digest()
	if p, err := suit.ParamDigest(suit.ParamImageDigest, got); err == nil {
		r.measure(p)
	}
	return digestEqual(got.Value, d.Value), nil
}

// componentSlot implements component-slot: the storage's slot for the
// component equals the parameter.
func (r *run) componentSlot(ci uint64) error {
	want, ok, err := r.uintParam(ci, suit.ParamComponentSlot)
	if err != nil {
		return err
	}
	if !ok {
		return condFail(ErrParameterUnset, "component-slot parameter not set")
	}
	have, err := r.p.pf.Storage.Slot(r.comps[ci])
	if err != nil {
		return wrapErr(ErrOperation, err, "slot of "+r.comps[ci].String())
	}
	r.measure(suit.ParamUint(suit.ParamComponentSlot, have))
	if have != want {
		return condFail(ErrConditionFailed, "component is in slot %d, not %d", have, want)
	}
	return nil
}

// checkContent implements check-content: the component holds exactly the
// content parameter, compared in constant time.
func (r *run) checkContent(ci uint64) error {
	p, ok := r.param(ci, suit.ParamContent)
	if !ok {
		return condFail(ErrParameterUnset, "content parameter not set")
	}
	want, err := p.Bytes()
	if err != nil {
		return errf(ErrManifest, "content: %v", err)
	}
	c, err := r.p.pf.Storage.Open(r.comps[ci])
	if errors.Is(err, ErrNoContent) {
		return condFail(ErrConditionFailed, "component has no content")
	}
	if err != nil {
		return wrapErr(ErrOperation, err, "open "+r.comps[ci].String())
	}
	defer c.Close()
	if c.Size() != int64(len(want)) {
		return condFail(ErrConditionFailed, "content differs")
	}
	have := make([]byte, len(want))
	if _, err := c.ReadAt(have, 0); err != nil && !(errors.Is(err, io.EOF) && len(want) == 0) {
		return wrapErr(ErrOperation, err, "read "+r.comps[ci].String())
	}
	if subtle.ConstantTimeCompare(have, want) != 1 {
		return condFail(ErrConditionFailed, "content differs")
	}
	return nil
}

// useBefore implements use-before: the device clock is before the
// parameter (seconds since 1970).
func (r *run) useBefore(ci uint64) error {
	limit, ok, err := r.uintParam(ci, suit.ParamUseBefore)
	if err != nil {
		return err
	}
	if !ok {
		return condFail(ErrParameterUnset, "use-before parameter not set")
	}
	if r.p.pf.Clock == nil {
		return condFail(ErrConditionFailed, "device has no clock")
	}
	now := r.p.pf.Clock().Unix()
	if now >= 0 {
		r.measure(suit.ParamUint(suit.ParamUseBefore, uint64(now)))
	}
	if now < 0 || uint64(now) >= limit {
		return condFail(ErrConditionFailed, "manifest expired (use before %d, now %d)", limit, now)
	}
	return nil
}

// minimumBattery implements minimum-battery: the battery holds at least
// the parameter's mWh. A device below it defers (ErrDeferred, still a
// failed condition for soft-failure): the update is not wrong, it has to
// wait for charge.
func (r *run) minimumBattery(ci uint64) error {
	need, ok, err := r.uintParam(ci, suit.ParamMinimumBattery)
	if err != nil {
		return err
	}
	if !ok {
		return condFail(ErrParameterUnset, "minimum-battery parameter not set")
	}
	if r.p.pf.Battery == nil {
		return condFail(ErrConditionFailed, "device cannot report its battery")
	}
	have, err := r.p.pf.Battery()
	if err != nil {
		return condFail(ErrConditionFailed, "battery: %v", err)
	}
	r.measure(suit.ParamUint(suit.ParamMinimumBattery, have))
	if have < need {
		return condFail(ErrDeferred, "battery %d mWh, need %d", have, need)
	}
	return nil
}

// version implements the version condition: the installed version of the
// component against the parameter (suit.VersionMatch.Matches: integer by
// integer up to the length of the parameter's list).
func (r *run) version(ci uint64) error {
	p, ok := r.param(ci, suit.ParamVersion)
	if !ok {
		return condFail(ErrParameterUnset, "version parameter not set")
	}
	vm, err := p.Version()
	if err != nil {
		return errf(ErrManifest, "version: %v", err)
	}
	if vm.Comparison < suit.VersionGreater || vm.Comparison > suit.VersionLesser {
		return errf(ErrUnsupported, "version comparison type %d", vm.Comparison)
	}
	if r.p.pf.Version == nil {
		return condFail(ErrConditionFailed, "device cannot report versions")
	}
	have, err := r.p.pf.Version(r.comps[ci])
	if err != nil {
		return condFail(ErrConditionFailed, "version of %s: %v", r.comps[ci], err)
	}
	if len(have) > 0 {
		if m, err := suit.ParamVersionMatch(suit.ParamVersion, suit.VersionMatch{Comparison: suit.VersionEqual, Parts: have}); err == nil {
			r.measure(m)
		}
	}
	holds, err := vm.Matches(have)
	if err != nil {
		return errf(ErrManifest, "%v", err)
	}
	if !holds {
		return condFail(ErrConditionFailed, "installed version %s does not satisfy %s", suit.VersionString(have), vm)
	}
	return nil
}

func digestEqual(a, b []byte) bool {
	return len(a) == len(b) && subtle.ConstantTimeCompare(a, b) == 1
}
