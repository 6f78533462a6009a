package prefault

import (
	"syscall"
	"unsafe"
)

const (
	madvPopulateRead  = 22 // MADV_POPULATE_READ, Linux 5.14
	madvPopulateWrite = 23 // MADV_POPULATE_WRITE

	// heapBytes is how much of the heap is populated: the arena the runtime
	// maps first is 4 MiB-aligned and a run on one file uses about 2 MiB.
	heapBytes = 2 << 20
	// mapsSize bounds the read of /proc/self/maps: only its first lines,
	// the executable's own mappings, are used.
	mapsSize = 4096
)

// sink keeps the probe allocation on the heap.
var sink *[16]byte

func init() {
	v, _ := syscall.Getenv("DOCKSLIM_PREFAULT")
	if v == "0" {
		return
	}
	if v == "" || v == "exe" || v == "all" {
		populateExecutable(v)
	}
	if v == "data" {
		populateExecutable(v)
	}
	sink = new([16]byte)
	heap := uintptr(unsafe.Pointer(sink)) &^ (4<<20 - 1)
	switch v {
	case "", "heap", "data":
		madvise(heap, heapBytes, madvPopulateWrite)
	case "heap1":
		madvise(heap, 1<<20, madvPopulateWrite)
	case "heap4", "all":
		madvise(heap, 4<<20, madvPopulateWrite)
	}
}

// populateExecutable maps the executable's code, read-only data and data:
// the first mappings of /proc/self/maps that name the same file.
func populateExecutable(v string) {
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
	var exe string
	for _, m := range parseMaps(buf[:n]) {
		if exe == "" {
			exe = m.path
		}
		if m.path != exe || exe == "" {
			break
		}
		advice := madvPopulateRead
		if m.writable {
			advice = madvPopulateWrite
		} else if v == "data" {
			continue
		}
		madvise(m.lo, m.hi-m.lo, advice)
	}
}

func madvise(addr, n uintptr, advice int) {
	// Errors are ignored on purpose: an old kernel says EINVAL and the
	// pages are simply faulted in one at a time, as without this package.
	syscall.Syscall(syscall.SYS_MADVISE, addr, n, uintptr(advice))
}
