package atomicfile

import (
	"io/fs"
	"sync"
)

// Group tracks the files a program is writing, so that whoever handles an
// interruption (SIGINT, SIGTERM, a cancelled job) can drop them all at once
// and make sure no new one is started: after [Group.AbortAll] no temporary
// file of the group remains and no target of the group changes any more.
// The zero value is ready to use.
type Group struct {
	mu     sync.Mutex
	files  map[*File]struct{}
	closed error
}

// Create is [Create] for a file that belongs to g. After [Group.AbortAll]
// it creates nothing and returns the error given to AbortAll.
func (g *Group) Create(path string, perm fs.FileMode, opt *Options) (*File, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed != nil {
		return nil, g.closed
	}
	f, err := Create(path, perm, opt)
	if err != nil {
		return nil, err
	}
	if g.files == nil {
		g.files = map[*File]struct{}{}
	}
	g.files[f] = struct{}{}
	f.group = g
	return f, nil
}

// AbortAll aborts every file of g that is not committed yet and makes every
// later [Group.Create] fail with err (ErrDone when err is nil). A Commit in
// progress finishes first (its target is then whole); a file aborted here
// fails its later Write and Commit with ErrDone. It returns the number of
// files it aborted.
func (g *Group) AbortAll(err error) int {
	if err == nil {
		err = ErrDone
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed == nil {
		g.closed = err
	}
	n := 0
	for f := range g.files {
		if aborted, _ := f.abort(); aborted {
			n++
		}
	}
	g.files = nil
	return n
}

// forget drops a committed or aborted file from its group. A nil g (a file
// made by the package-level Create) has nothing to forget.
func (g *Group) forget(f *File) {
	if g == nil {
		return
	}
	g.mu.Lock()
	delete(g.files, f)
	g.mu.Unlock()
}
