// Package prefault makes a short dockslim run cheaper to start on Linux by
// populating, in one madvise call, memory the process is about to write
// anyway: the executable's initialized data. Import it for its side effect,
// from main only.
//
// Why: a pre-commit run lives about 20 ms and spends much of it in page
// faults — one trap per 4 KiB page the first time it is touched. In virtual
// machines (CI runners, Firecracker sandboxes) a trap costs several
// microseconds, and a run takes about 600 of them.
// MADV_POPULATE_WRITE (Linux 5.14) maps the same pages without a trap each;
// `go test -bench Process ./cmd/dockslim` measures the difference
// (DOCKSLIM_PREFAULT=0 turns this off).
//
// It only ever changes when memory is mapped, never what it holds: on other
// systems, on older kernels (EINVAL) or if /proc is missing it does nothing.
package prefault
