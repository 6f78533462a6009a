package registry

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/dockslim/dockslim/internal/registry/protocol"
)

// Timeout bounds each registry call.
const Timeout = 15 * time.Second

// Parallel is how many requests Serve answers at a time.
const Parallel = 8

// Serve answers protocol requests read from in, one JSON object per line,
// with one JSON response per line on out, in the order they complete. It
// answers up to Parallel requests at a time, each bounded by Timeout. At the
// end of in it waits for the requests in flight and returns nil; it returns
// the first read or write error otherwise.
func Serve(in io.Reader, out io.Writer) error {
	return (&Server{}).Serve(in, out)
}

// Server is Serve with knobs for tests.
type Server struct {
	Transport http.RoundTripper // nil: the default
	Timeout   time.Duration     // 0: Timeout
	Parallel  int               // 0: Parallel
}

// Serve is the package's Serve with s's settings.
func (s *Server) Serve(in io.Reader, out io.Writer) error {
	timeout, parallel := s.Timeout, s.Parallel
	if timeout <= 0 {
		timeout = Timeout
	}
	if parallel <= 0 {
		parallel = Parallel
	}
	var (
		wg       sync.WaitGroup
		outMu    sync.Mutex
		writeErr error
		sem      = make(chan struct{}, parallel)
	)
	reply := func(r protocol.Response) {
		b, err := json.Marshal(r)
		if err != nil { // cannot happen: strings and numbers only
			b, _ = json.Marshal(protocol.Response{ID: r.ID, Error: err.Error()})
		}
		b = append(b, '\n')
		outMu.Lock()
		defer outMu.Unlock()
		if writeErr == nil {
			_, writeErr = out.Write(b)
		}
	}
	br := bufio.NewReader(in)
	var readErr error
	for {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			var req protocol.Request
			if jerr := json.Unmarshal(line, &req); jerr != nil {
				// The id, if the line has one, so the caller is not left waiting.
				var idOnly struct {
					ID int64 `json:"id"`
				}
				json.Unmarshal(line, &idOnly)
				reply(protocol.Response{ID: idOnly.ID, Error: "malformed request: " + jerr.Error()})
			} else {
				sem <- struct{}{}
				wg.Add(1)
				go func() {
					defer func() { <-sem; wg.Done() }()
					ctx, cancel := context.WithTimeout(context.Background(), timeout)
					defer cancel()
					reply(s.answer(ctx, req))
				}()
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				readErr = err
			}
			break
		}
	}
	wg.Wait()
	if readErr != nil {
		return readErr
	}
	return writeErr
}

func (s *Server) answer(ctx context.Context, req protocol.Request) protocol.Response {
	resp := protocol.Response{ID: req.ID}
	if req.Image == "" {
		resp.Error = "no image"
		return resp
	}
	reg := &Registry{Host: req.Host, Insecure: req.Insecure, Transport: s.Transport}
	var err error
	switch req.Op {
	case protocol.OpDigest:
		resp.Digest, err = reg.Digest(ctx, req.Image, req.Tag)
	case protocol.OpSize:
		resp.Size, err = reg.Size(ctx, req.Image, req.Tag)
	default:
		err = fmt.Errorf("unknown op %q (want %q or %q)", req.Op, protocol.OpDigest, protocol.OpSize)
	}
	if err != nil {
		resp.Error = err.Error()
		resp.NotFound = errors.Is(err, ErrNotFound)
	}
	return resp
}
