//go:build unix

package safewrite

import (
	"io/fs"
	"os"
	"slices"
	"syscall"
)

const openNonBlock = syscall.O_NONBLOCK

// writable reads the mode bits that apply to this process: the owner's,
// the group's or the others'. Root, whom the kernel lets write anything,
// still needs one write bit: a file made read-only on purpose stays so.
func writable(st fs.FileInfo) bool {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return st.Mode()&0o200 != 0
	}
	perm := st.Mode().Perm()
	uid := os.Geteuid()
	switch {
	case uid == 0:
		return perm&0o222 != 0
	case uint64(sys.Uid) == uint64(uid):
		return perm&0o200 != 0
	case inGroup(uint64(sys.Gid)):
		return perm&0o020 != 0
	}
	return perm&0o002 != 0
}

func inGroup(gid uint64) bool {
	if uint64(os.Getegid()) == gid {
		return true
	}
	groups, _ := os.Getgroups()
	return slices.ContainsFunc(groups, func(g int) bool { return uint64(g) == gid })
}

func links(st fs.FileInfo) uint64 {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		return uint64(sys.Nlink)
	}
	return 1
}

// sameOwner gives the file at name st's owner and group, unless it has
// them already.
func sameOwner(name string, st fs.FileInfo) error {
	want, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	cur, err := os.Stat(name)
	if err != nil {
		return err
	}
	if have, ok := cur.Sys().(*syscall.Stat_t); ok && have.Uid == want.Uid && have.Gid == want.Gid {
		return nil
	}
	return os.Chown(name, int(want.Uid), int(want.Gid))
}
