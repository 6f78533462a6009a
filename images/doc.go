// Package images is dockslim's knowledge of Docker official base images,
// compiled in from ../shared/data (see its README.md) so it works offline:
//
//   - which tags were published, when, and which tags are aliases of each
//     other (Tag), from the official-images library files;
//   - the slim and alpine variants of a tag, from explicit per-image naming
//     rules checked against that index (SlimCandidates, AlpineCandidates);
//   - the distribution and libc behind a tag (Distro, IsMusl, Libc);
//   - deprecations (Deprecated), compressed sizes (CompressedSize, SavingMessage);
//   - which commands a full Debian bookworm image has that its slim variant
//     lacks, and the package that brings each back (SlimMissing, CheckCommand).
//
// Nothing is loaded at process start: the tag index is inflated per image on
// the first lookup of that image, and the small tables on first use. All
// functions are safe for concurrent use.
//
// The data in images/data is generated; do not edit it. To refresh it after
// ../shared/data changes, run from the repository root:
//
//	go generate ./images
package images

//go:generate go run ./internal/gen
//go:generate go run ./internal/genrecommends
//go:generate go run ./internal/gendevlibs -o devlibs_table.go
