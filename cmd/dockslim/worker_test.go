package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestInOrder: every item is emitted once, in order, and no more than the
// window waits to be emitted, however the work's durations fall.
func TestInOrder(t *testing.T) {
	const n, workers = 200, 3
	var mu sync.Mutex
	started, emitted, maxAhead := 0, 0, 0
	var got []int
	inOrder(n, workers, func(i int) {
		mu.Lock()
		started++
		maxAhead = max(maxAhead, started-emitted)
		mu.Unlock()
		if i%7 == 0 {
			time.Sleep(time.Millisecond) // a slow one holds the others back
		}
	}, func(i int) {
		mu.Lock()
		emitted++
		mu.Unlock()
		got = append(got, i)
	})
	for i, v := range got {
		if i != v {
			t.Fatalf("emitted %v", got)
		}
	}
	if len(got) != n {
		t.Fatalf("emitted %d of %d", len(got), n)
	}
	if maxAhead > 4*workers {
		t.Errorf("%d items were started ahead of the one emitted: the window is %d", maxAhead, 4*workers)
	}
}

// TestProgress: the line is drawn on the terminal, cleared before anything
// the run prints, and cleared at the end; nothing is drawn when standard
// error is not a terminal.
func TestProgress(t *testing.T) {
	var term bytes.Buffer
	p := &progress{term: &term, total: 3, tick: time.Millisecond}
	p.start()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(syncString(p, &term), "dockslim: 0/3 files") && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	p.done()
	clearing{p, &term}.Write([]byte("a message\n"))
	p.stop()
	out := term.String()
	last := out[strings.LastIndex(out, "dockslim: "):]
	if !strings.Contains(out, "\rdockslim: 0/3 files\x1b[K") || !strings.Contains(out, "\r\x1b[Ka message\n") || !strings.Contains(last, "\r\x1b[K") {
		t.Errorf("terminal got %q", out)
	}

	var errOut bytes.Buffer
	code := run([]string{"dockslim", "check", "../../fixtures/example/Dockerfile", "../../fixtures/apps/go-service/Dockerfile"}, strings.NewReader(""), &bytes.Buffer{}, &errOut)
	if code != exitChanges || strings.Contains(errOut.String(), "\x1b[K") {
		t.Errorf("not a terminal: exit %d, stderr %q", code, errOut.String())
	}
}

func syncString(p *progress, b *bytes.Buffer) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return b.String()
}
