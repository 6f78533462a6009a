package images

// TagInfo is what the official-images history says about one tag.
type TagInfo struct {
	// FirstSeen and LastSeen are UTC dates (YYYY-MM-DD) of the first and last
	// library-file revisions listing the tag. For a current tag LastSeen is the
	// date of the newest revision of the file, not "today".
	FirstSeen, LastSeen string
	// Current is true when the tag is still listed (still rebuilt upstream).
	Current bool
	// Aliases are the other tags of the same build (same stanza), as of the
	// index date. Only current tags have them; nil otherwise.
	Aliases []string
	// Directory is the build directory in the image's source repository
	// (e.g. "3.11/slim-bookworm"); its layout differs per image.
	Directory string
}

// Images returns the names of the official images in the index, sorted.
func Images() []string {
	loadHeader()
	return append([]string(nil), imageNames...)
}

// Tag looks up image:tag in the index ("" means latest). ok is false for
// unknown images and for tags that were never listed.
func Tag(image, tag string) (TagInfo, bool) {
	im := getImage(image)
	i, ok := im.lookup(tag)
	if !ok {
		return TagInfo{}, false
	}
	return im.info(i), true
}

func (im *image) info(i int) TagInfo {
	return TagInfo{
		FirstSeen: day(im.FirstSeen(i)),
		LastSeen:  day(im.LastSeen(i)),
		Current:   im.Current(i),
		Aliases:   im.aliasTags(i),
		Directory: im.Directory(i),
	}
}
