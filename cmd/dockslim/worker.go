package main

import (
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/urfave/cli/v2"

	"github.com/dockslim/dockslim/internal/config"
	"github.com/dockslim/dockslim/rewrite"
)

// runAll runs the driver on every path, with the settings of its
// .dockslim.toml, in parallel on all cores, and hands each outcome to each
// in input order, on the calling goroutine, as soon as it and those before
// it are done; the outcome is dropped after that, and at most a few per
// core are held at once, so a run over thousands of files keeps little in
// memory. It returns the number of files. A configuration file that cannot
// be used is reported once and ends the run (false) before any file is
// processed: no file is processed with settings it did not ask for.
func runAll(c *cli.Context, e *rewrite.Engine, paths []string, opts rewrite.Options, each func(*job)) (int, bool) {
	stdinName, contextFlag := c.String("stdin-filename"), c.String("context")
	finder := &config.Finder{Explicit: c.String("config"), Checks: configChecks(e)}
	jobs := make([]*job, len(paths))
	for i, p := range paths {
		j := &job{path: p, display: displayName(p, stdinName)}
		s, err := settingsFor(finder, configPath(p, stdinName))
		if err != nil {
			fmt.Fprintf(c.App.ErrWriter, "dockslim: %v\n", err)
			return 0, false
		}
		j.opts, j.severity = withSettings(c, opts, s), s.Severity
		j.opts.ContextDir = contextDir(p, stdinName, contextFlag)
		jobs[i] = j
	}
	stdin := c.App.Reader
	run := func(j *job) {
		var src []byte
		if j.path == "-" {
			src, j.err = io.ReadAll(stdin)
		} else {
			src, j.info, j.err = readFile(j.path)
		}
		if j.err == nil {
			j.res, j.err = runEngine(e, j.display, src, j.opts)
		}
	}
	if len(jobs) == 1 {
		// The pre-commit case: no goroutine, so no second thread to start.
		run(jobs[0])
		each(jobs[0])
		return 1, true
	}
	p := startProgress(c, len(jobs))
	defer p.stop()
	inOrder(len(jobs), runtime.NumCPU(), func(i int) { run(jobs[i]) }, func(i int) {
		each(jobs[i])
		jobs[i] = nil // its result may go
		p.done()
	})
	return len(jobs), true
}

// inOrder runs work(i) for i in [0, n) on workers goroutines and calls
// emit(i) in order on the calling goroutine once work(i) is done. A worker
// starts item i only when fewer than 4×workers items wait to be emitted,
// so a slow item early on does not let finished ones pile up.
func inOrder(n, workers int, work, emit func(int)) {
	window := make(chan struct{}, 4*workers)
	done := make([]chan struct{}, n)
	for i := range done {
		done[i] = make(chan struct{})
	}
	next := make(chan int)
	go func() {
		for i := range n {
			window <- struct{}{}
			next <- i
		}
		close(next)
	}()
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				work(i)
				close(done[i])
			}
		}()
	}
	for i := range n {
		<-done[i]
		emit(i)
		<-window
	}
	wg.Wait()
}
