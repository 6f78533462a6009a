package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/urfave/cli/v2"
)

// progress is the line `dockslim: 1234/3000 files` that a long run over
// many files keeps up to date on a terminal's standard error. It is drawn
// only when standard error is a terminal, not in CI (CI set) and not with
// --quiet, first after a second; what the run prints meanwhile (to either
// stream) clears it first, and the next tick draws it again below.
type progress struct {
	mu          sync.Mutex
	term        io.Writer // the terminal
	total, n    int
	shown       bool
	delay, tick time.Duration
	quit        chan struct{}
	wg          sync.WaitGroup
	out, errOut io.Writer // the app's writers, restored by stop
	app         *cli.App
}

const (
	progressDelay = time.Second
	progressTick  = 200 * time.Millisecond
)

// startProgress starts the line for a run over total files; its methods
// do nothing when it is not drawn.
func startProgress(c *cli.Context, total int) *progress {
	p := &progress{total: total}
	if c.Bool("quiet") || os.Getenv("CI") != "" || !isTerminal(c.App.ErrWriter) {
		return p
	}
	p.term, p.app, p.out, p.errOut = c.App.ErrWriter, c.App, c.App.Writer, c.App.ErrWriter
	p.delay, p.tick = progressDelay, progressTick
	c.App.Writer, c.App.ErrWriter = clearing{p, p.out}, clearing{p, p.errOut}
	p.start()
	return p
}

func (p *progress) start() {
	p.quit = make(chan struct{})
	p.wg.Add(1)
	go p.loop()
}

func (p *progress) loop() {
	defer p.wg.Done()
	select {
	case <-time.After(p.delay):
	case <-p.quit:
		return
	}
	t := time.NewTicker(p.tick)
	defer t.Stop()
	for {
		p.mu.Lock()
		fmt.Fprintf(p.term, "\rdockslim: %d/%d files\x1b[K", p.n, p.total)
		p.shown = true
		p.mu.Unlock()
		select {
		case <-t.C:
		case <-p.quit:
			return
		}
	}
}

// done counts a file.
func (p *progress) done() {
	if p.term == nil {
		return
	}
	p.mu.Lock()
	p.n++
	p.mu.Unlock()
}

// stop clears the line and gives the app its writers back.
func (p *progress) stop() {
	if p.term == nil {
		return
	}
	close(p.quit)
	p.wg.Wait()
	p.mu.Lock()
	p.clear()
	p.mu.Unlock()
	if p.app != nil {
		p.app.Writer, p.app.ErrWriter = p.out, p.errOut
	}
}

// clear erases the line if it is shown; p.mu is held.
func (p *progress) clear() {
	if p.shown {
		fmt.Fprint(p.term, "\r\x1b[K")
		p.shown = false
	}
}

// clearing is a writer that clears the progress line before each write.
type clearing struct {
	p *progress
	w io.Writer
}

func (c clearing) Write(b []byte) (int, error) {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	c.p.clear()
	return c.w.Write(b)
}
