package measure

import "encoding/json"

// An unknown size (a build that failed, an image the builder could not
// inspect) is null in JSON, not 0: the schema keeps its names and types,
// and a reader that treats null as 0 reads what it read before.

// SizeKnown says whether SizeBytes and Layers were read from a built image.
func (v *Variant) SizeKnown() bool { return v != nil && v.Built && v.ErrorTail == "" }

// MarshalJSON writes size_bytes and layers as null when unknown.
func (v Variant) MarshalJSON() ([]byte, error) {
	type plain Variant
	out := struct {
		plain
		SizeBytes *int64 `json:"size_bytes"`
		Layers    *int   `json:"layers"`
	}{plain: plain(v)}
	if v.SizeKnown() {
		out.SizeBytes, out.Layers = &v.SizeBytes, &v.Layers
	}
	return json.Marshal(out)
}

// reductionKnown says whether both sizes are known (and the original's is
// not 0).
func (r *Report) reductionKnown() bool {
	return r.Original.SizeKnown() && r.Fixed.SizeKnown() && r.Original.SizeBytes > 0
}

// MarshalJSON writes reduction_percent as null when either size is unknown.
func (r Report) MarshalJSON() ([]byte, error) {
	type plain Report
	out := struct {
		plain
		ReductionPercent *float64 `json:"reduction_percent"`
	}{plain: plain(r)}
	if r.reductionKnown() {
		out.ReductionPercent = &r.ReductionPercent
	}
	return json.Marshal(out)
}
