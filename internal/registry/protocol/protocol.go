// Package protocol is the wire format between dockslim (registry/client)
// and the dockslim-registry helper (registry.Serve): one JSON object per
// line each way. A request carries an id; its response carries the same id
// and may arrive out of order.
package protocol

import "errors"

// ErrNotFound is wrapped by errors for a tag the registry does not have,
// on both sides of the pipe (registry and registry/client).
var ErrNotFound = errors.New("not found")

// Operations.
const (
	OpDigest = "digest" // the digest the tag points at (HEAD of the manifest)
	OpSize   = "size"   // compressed size of the linux/amd64 image: the sum of its layers
)

// Request asks about the official image Image:Tag (library/Image).
type Request struct {
	ID       int64  `json:"id"`
	Op       string `json:"op"`
	Image    string `json:"image"`
	Tag      string `json:"tag,omitempty"`      // "" is latest
	Host     string `json:"host,omitempty"`     // "" is Docker Hub
	Insecure bool   `json:"insecure,omitempty"` // plain HTTP (tests)
}

// Response answers the request with the same ID. Error is set when the
// registry could not be asked or answered with an error; NotFound when it
// says the tag does not exist (Error then says how).
type Response struct {
	ID       int64  `json:"id"`
	Digest   string `json:"digest,omitempty"`
	Size     int64  `json:"size,omitempty"`
	NotFound bool   `json:"not_found,omitempty"`
	Error    string `json:"error,omitempty"`
}
