package images

import (
	"testing"

	"github.com/dockslim/dockslim/internal/images/internal/tagdb"
)

// BenchmarkLoadAll decodes every image of the embedded index from scratch:
// the worst case, a run whose lookups touch all 63 images.
func BenchmarkLoadAll(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		entries, err := tagdb.ReadHeader(indexFile)
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range entries {
			decodeImage(e)
		}
	}
}

// BenchmarkFirstLookup is the cost of the first lookup of one image: header
// plus that image's section (php is the largest, 15,606 tags).
func BenchmarkFirstLookup(b *testing.B) {
	for _, name := range []string{"python", "node", "php"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				entries, err := tagdb.ReadHeader(indexFile)
				if err != nil {
					b.Fatal(err)
				}
				for _, e := range entries {
					if e.Name == name {
						if _, ok := decodeImage(e).Find("latest"); !ok {
							b.Fatal("no latest")
						}
					}
				}
			}
		})
	}
}

// BenchmarkTag is a lookup once the image is loaded.
func BenchmarkTag(b *testing.B) {
	Tag("python", "3.11-slim")
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := Tag("python", "3.11-slim"); !ok {
			b.Fatal("missing")
		}
	}
}
