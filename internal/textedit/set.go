package textedit

// Set holds edits and answers whether an edit overlaps any of them
// (Overlaps) without comparing it with each: the driver picks the
// non-conflicting fixes of a round among tens of thousands on a large file.
// Every edit is filed under the buckets of bucketSize bytes its closed range
// [Start, End] touches; two edits that overlap share a point of their closed
// ranges, so they share a bucket.
type Set struct {
	buckets map[int][]Edit
}

const bucketSize = 1024

// Overlaps reports whether e overlaps an edit of the set.
func (s *Set) Overlaps(e Edit) bool {
	for b := e.Start / bucketSize; b <= e.End/bucketSize; b++ {
		for _, t := range s.buckets[b] {
			if Overlaps(e, t) {
				return true
			}
		}
	}
	return false
}

// Add puts e in the set.
func (s *Set) Add(e Edit) {
	if s.buckets == nil {
		s.buckets = map[int][]Edit{}
	}
	for b := e.Start / bucketSize; b <= e.End/bucketSize; b++ {
		s.buckets[b] = append(s.buckets[b], e)
	}
}
