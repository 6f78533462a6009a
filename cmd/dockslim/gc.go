package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// heapBudget is the heap dockslim lets grow before it collects garbage,
// while what is live stays well below it.
const heapBudget = 96 << 20

// collectByBudget sets the garbage collector's pace after each collection
// so that the heap may grow to heapBudget before the next, and to twice
// what is live (Go's default) once that is more: a run in parts (a large
// file) or over many files keeps little alive and collected ten times as
// often as it needed to, while a file run whole, whose model is larger
// than the budget, is collected as usual instead of continuously (a
// GOMEMLIMIT would do that). GOGC or GOMEMLIMIT in the environment win.
func collectByBudget() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	pace := func() {
		metrics.Read(sample)
		// Go paces the first collection from a 4 MB heap.
		live := max(sample[0].Value.Uint64(), 4<<20)
		percent := 100
		if heapBudget > 2*live {
			percent = int(100 * (heapBudget - live) / live)
		}
		debug.SetGCPercent(percent)
	}
	// A finalizer runs after the collection that finds its object dead
	// (an object with a pointer: the tiny allocator's may never be).
	type sentinel struct{ _ *int }
	var arm func()
	arm = func() {
		runtime.SetFinalizer(new(sentinel), func(*sentinel) {
			pace()
			arm()
		})
	}
	pace()
	arm()
}
