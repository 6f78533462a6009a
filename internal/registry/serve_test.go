package registry

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dockslim/dockslim/internal/registry/protocol"
	"github.com/dockslim/dockslim/internal/registry/registrytest"
)

// serveAll runs Serve on the request lines and returns the responses by id.
func serveAll(t *testing.T, s *Server, lines ...string) map[int64]protocol.Response {
	t.Helper()
	var out bytes.Buffer
	if err := s.Serve(strings.NewReader(strings.Join(lines, "\n")+"\n"), &out); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	got := map[int64]protocol.Response{}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var r protocol.Response
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("response %q: %v", sc.Text(), err)
		}
		if _, dup := got[r.ID]; dup {
			t.Errorf("two responses for id %d", r.ID)
		}
		got[r.ID] = r
	}
	return got
}

func request(id int64, op, image, tag, host string) string {
	b, _ := json.Marshal(protocol.Request{ID: id, Op: op, Image: image, Tag: tag, Host: host, Insecure: true})
	return string(b)
}

func TestServeDigestSizeNotFound(t *testing.T) {
	host, digests := registrytest.New(t, map[string]int64{"python:3.12": 3000, "alpine:latest": 500})
	got := serveAll(t, &Server{},
		request(1, protocol.OpDigest, "python", "3.12", host),
		request(2, protocol.OpSize, "python", "3.12", host),
		request(3, protocol.OpDigest, "python", "3.99", host),
		request(4, protocol.OpSize, "python", "3.99", host),
		request(5, protocol.OpDigest, "alpine", "", host), // "" is latest
	)
	if len(got) != 5 {
		t.Fatalf("%d responses, want 5: %v", len(got), got)
	}
	if r := got[1]; r.Digest != digests["python:3.12"] || r.Error != "" || r.NotFound {
		t.Errorf("digest: %+v, want %s", r, digests["python:3.12"])
	}
	if r := got[2]; r.Size < 6000 || r.Size > 7000 || r.Error != "" {
		t.Errorf("size: %+v, want about 6000 (two layers of 3000 compressed)", r)
	}
	for _, id := range []int64{3, 4} {
		if r := got[id]; !r.NotFound || r.Error == "" || r.Digest != "" || r.Size != 0 {
			t.Errorf("id %d: %+v, want not_found with the registry's error", id, r)
		}
	}
	if r := got[5]; r.Digest != digests["alpine:latest"] {
		t.Errorf("no tag: %+v, want latest's digest %s", r, digests["alpine:latest"])
	}
}

// A line that is not a request gets an error response (with its id when it
// has one) and the requests after it are still answered.
func TestServeMalformedRequests(t *testing.T) {
	host, _ := registrytest.New(t, map[string]int64{"python:3.12": 100})
	got := serveAll(t, &Server{},
		`{"id":7,"op":5}`,
		`not json at all`,
		"",
		`{"id":8,"op":"pull","image":"python"}`,
		`{"id":9,"op":"digest"}`,
		request(10, protocol.OpDigest, "python", "3.12", host),
	)
	for id, want := range map[int64]string{7: "malformed request", 0: "malformed request", 8: `unknown op "pull"`, 9: "no image"} {
		if r := got[id]; !strings.Contains(r.Error, want) || r.NotFound {
			t.Errorf("id %d: %+v, want an error with %q", id, r, want)
		}
	}
	if r := got[10]; r.Error != "" || !strings.HasPrefix(r.Digest, "sha256:") {
		t.Errorf("the request after the bad ones: %+v", r)
	}
	if len(got) != 5 {
		t.Errorf("%d responses, want 5 (none for the blank line): %v", len(got), got)
	}
}

// slowTransport delays each round trip and records how many overlap.
type slowTransport struct {
	inFlight, most atomic.Int32
}

func (s *slowTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for {
		m := s.most.Load()
		if n <= m || s.most.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(20 * time.Millisecond)
	return http.DefaultTransport.RoundTrip(r)
}

// Requests are answered concurrently, at most Parallel at a time, each
// response on a line of its own under its request's id.
func TestServeConcurrent(t *testing.T) {
	tags := map[string]int64{}
	for i := range 6 {
		tags[fmt.Sprintf("python:3.%d", i)] = 100
	}
	host, digests := registrytest.New(t, tags)
	tr := &slowTransport{}
	s := &Server{Transport: tr, Parallel: 4}
	var lines []string
	for i := range 40 {
		lines = append(lines, request(int64(i+1), protocol.OpDigest, "python", fmt.Sprintf("3.%d", i%6), host))
	}
	start := time.Now()
	got := serveAll(t, s, lines...)
	for i := range 40 {
		want := digests[fmt.Sprintf("python:3.%d", i%6)]
		if r := got[int64(i+1)]; r.Digest != want {
			t.Errorf("id %d: %+v, want %s", i+1, r, want)
		}
	}
	if m := tr.most.Load(); m < 2 || m > 4 {
		t.Errorf("at most %d round trips at a time, want 2..4 (Parallel)", m)
	}
	t.Logf("40 requests in %v, %d at a time", time.Since(start), tr.most.Load())
}

// Serve returns nil at the end of its input, after answering the requests
// in flight; it reports a broken output.
func TestServeEOF(t *testing.T) {
	host, _ := registrytest.New(t, map[string]int64{"python:3.12": 100})
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- (&Server{}).Serve(inR, outW); outW.Close() }()
	fmt.Fprintln(inW, request(1, protocol.OpDigest, "python", "3.12", host))
	sc := bufio.NewScanner(outR)
	if !sc.Scan() || !strings.Contains(sc.Text(), `"digest":"sha256:`) {
		t.Fatalf("first response %q", sc.Text())
	}
	// A request, then the end of the input at once: still answered.
	fmt.Fprintln(inW, request(2, protocol.OpSize, "python", "3.12", host))
	inW.Close()
	if !sc.Scan() || !strings.Contains(sc.Text(), `"id":2,"size":`) {
		t.Fatalf("second response %q", sc.Text())
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return at the end of its input")
	}
	if sc.Scan() {
		t.Errorf("extra output %q", sc.Text())
	}

	err := Serve(strings.NewReader(`{"id":1,"op":"digest"}`+"\n"), failWriter{})
	if err == nil || !strings.Contains(err.Error(), "broken") {
		t.Errorf("Serve to a broken output: %v", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("broken") }

// An official image's name is asked of Host (Docker Hub by default); an
// image with a slash names its repository and registry (a mirror).
func TestTagRepository(t *testing.T) {
	for _, c := range []struct{ host, image, want string }{
		{"", "python", "index.docker.io/library/python:3.12"},
		{"127.0.0.1:5000", "python", "127.0.0.1:5000/library/python:3.12"},
		{"", "mirror.example.com/library/python", "mirror.example.com/library/python:3.12"},
		{"127.0.0.1:5000", "hub.example.com/library/python", "hub.example.com/library/python:3.12"},
	} {
		tg, err := (&Registry{Host: c.host}).tag(c.image, "3.12")
		if err != nil || tg.Name() != c.want {
			t.Errorf("tag(%q) on %q = %v (%v), want %s", c.image, c.host, tg, err, c.want)
		}
	}
}
