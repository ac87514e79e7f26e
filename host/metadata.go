package host

import (
	"io/fs"
	"os"
	"time"

	"github.com/suitkit/suitkit/internal/atomicfile"
	"github.com/suitkit/suitkit/process"
	"github.com/suitkit/suitkit/suit"
)

// StageWithMetadata implements process.MetadataStorage: Stage, with
// suit-parameter-component-metadata applied to the new file before it
// replaces the component's, so the content and its metadata change in one
// atomic rename.
//
// A directory device stores every component as a regular file that the
// agent owns, so it applies only what it can apply faithfully and safely:
//   - default-permissions become the file mode, the same bits for owner,
//     group and others (traverse/exec = x, create/write = w, list/read = r);
//     the other permission bits have no POSIX mode equivalent and are
//     ignored; no set-id or sticky bit is ever set;
//   - modification-time becomes the file's modification time;
//   - file-type regular is accepted.
//
// Everything else is refused with process.ErrUnsupported before anything is
// written: a directory or symbolic link (a component name is never a path,
// and a link could point outside the directory), user, group or role
// permission maps and a creator (the agent does not change ownership: it
// would need privileges a manifest must not be able to use), a creation
// time (POSIX cannot set one) and unknown metadata.
func (d *DirStorage) StageWithMetadata(id [][]byte, md suit.ComponentMetadata) (process.Staging, error) {
	mode, err := metadataMode(md)
	if err != nil {
		return nil, err
	}
	p, err := d.Path(id)
	if err != nil {
		return nil, err
	}
	f, err := atomicfile.Create(p, mode, &atomicfile.Options{TempPrefix: stagePrefix})
	if err != nil {
		return nil, err
	}
	st := &fileStaging{f: f}
	if md.ModificationTime != nil {
		t := time.Unix(int64(*md.ModificationTime), 0)
		st.beforeCommit = func() error { return os.Chtimes(f.Name(), t, t) }
	}
	return st, nil
}

// metadataMode checks md for what a directory device can apply and
// returns the file mode.
func metadataMode(md suit.ComponentMetadata) (fs.FileMode, error) {
	switch {
	case md.FileType != nil && *md.FileType != suit.FileRegular:
		return 0, errf(process.ErrUnsupported, "component-metadata: file type %d (a directory device stores regular files only)", *md.FileType)
	case md.UserPermissions != nil || md.GroupPermissions != nil || md.RolePermissions != nil:
		return 0, errf(process.ErrUnsupported, "component-metadata: per-user, group or role permissions (the agent does not change ownership)")
	case md.Creator != nil:
		return 0, errf(process.ErrUnsupported, "component-metadata: creator (the agent does not change ownership)")
	case md.CreationTime != nil:
		return 0, errf(process.ErrUnsupported, "component-metadata: creation time (not settable on this file system)")
	case len(md.Extensions) > 0:
		return 0, errf(process.ErrUnsupported, "component-metadata: unknown metadata")
	case md.ModificationTime != nil && *md.ModificationTime > 1<<62:
		return 0, errf(process.ErrUnsupported, "component-metadata: modification time %d out of range", *md.ModificationTime)
	}
	if md.DefaultPermissions == nil {
		return 0o600, nil
	}
	var m fs.FileMode
	p := *md.DefaultPermissions
	if p&(1<<suit.PermTraverseExec) != 0 {
		m |= 0o1
	}
	if p&(1<<suit.PermCreateWrite) != 0 {
		m |= 0o2
	}
	if p&(1<<suit.PermListRead) != 0 {
		m |= 0o4
	}
	return m | m<<3 | m<<6, nil
}
