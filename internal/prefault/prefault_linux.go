package prefault

import (
	"syscall"
	"unsafe"
)

const (
	madvPopulateWrite = 23 // MADV_POPULATE_WRITE, Linux 5.14

	// heapBytes is how much of the heap is populated: the runtime maps the
	// heap in 4 MiB-aligned chunks and a run on one file uses about 2 MiB.
	heapBytes = 2 << 20
	// mapsSize bounds the read of /proc/self/maps: only its first lines,
	// the executable's own mappings, are used.
	mapsSize = 4096
)

// sink keeps the probe allocation on the heap.
var sink *[16]byte

func init() {
	if v, _ := syscall.Getenv("DOCKSLIM_PREFAULT"); v == "0" {
		return
	}
	populateData()
	sink = new([16]byte)
	heap := uintptr(unsafe.Pointer(sink)) &^ (4<<20 - 1)
	madvise(heap, heapBytes, madvPopulateWrite)
}

// populateData maps the executable's writable data (initialized variables,
// which every package init writes to: a copy-on-write fault per page).
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
