package prefault

import "syscall"

const (
	madvPopulateWrite = 23 // MADV_POPULATE_WRITE, Linux 5.14

	// mapsSize bounds the read of /proc/self/maps: only its first lines,
	// the executable's own mappings, are used.
	mapsSize = 4096
)

func init() {
	if v, _ := syscall.Getenv("DOCKSLIM_PREFAULT"); v == "0" {
		return
	}
	populateData()
}

// populateData maps the executable's writable data (initialized variables,
// which package inits write to: a copy-on-write fault per page, and in a
// process that already runs threads on other CPUs each of those also flushes
// their TLBs). Populating the heap as well was measured and gained nothing.
// Code and read-only data are left to the kernel: they are large, read
// sparsely, and each fault maps 16 pages of them at once.
func populateData() {
	fd, err := syscall.Open("/proc/self/maps", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	var buf [mapsSize]byte
	n, _ := syscall.Read(fd, buf[:])
	syscall.Close(fd)
	if n <= 0 {
		return
	}
	ms := parseMaps(buf[:n])
	for _, m := range ms {
		if m.path == "" || m.path != ms[0].path {
			break // past the executable's own mappings
		}
		if m.writable {
			madvise(m.lo, m.hi-m.lo, madvPopulateWrite)
		}
	}
}

func madvise(addr, n uintptr, advice int) {
	// Errors are ignored on purpose: an old kernel says EINVAL and the
	// pages are simply faulted in one at a time, as without this package.
	syscall.Syscall(syscall.SYS_MADVISE, addr, n, uintptr(advice))
}
