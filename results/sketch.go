package results

import (
	"math"
)

// sketch is a mergeable, deterministic quantile sketch of non-negative values (seconds):
// logarithmic buckets 1% wide, so a quantile is within 0.5% of an observed value, in memory
// that does not grow with the number of observations. Values below sketchMin share bucket 0
// (zero latencies are common: no cold start, a reused connection). Counts are a dense slice
// indexed by bucket (a map lookup per value was most of the summary's per-row cost): 1 µs to
// one simulated year is ~3,200 buckets, 25 KiB.
type sketch struct {
	counts   []uint64
	n        uint64
	min, max float64
}

const (
	sketchMin   = 1e-6 // 1 µs
	sketchGamma = 1.01
	// sketchMaxBucket bounds the slice: values above ~1e277 s (and +Inf) share the last bucket.
	sketchMaxBucket = 1 << 16
)

var sketchLogGamma = math.Log(sketchGamma)

func (s *sketch) bucket(v float64) int32 {
	if v < sketchMin {
		return 0
	}
	l := math.Log(v/sketchMin) / sketchLogGamma
	if l >= sketchMaxBucket-1 {
		return sketchMaxBucket - 1
	}
	return 1 + int32(l)
}

// value is the representative of bucket b: its geometric midpoint.
func (s *sketch) value(b int32) float64 {
	if b == 0 {
		return 0
	}
	return sketchMin * math.Pow(sketchGamma, float64(b-1)+0.5)
}

func (s *sketch) add(v float64, w uint64) {
	if w == 0 || math.IsNaN(v) {
		return
	}
	if v < 0 {
		v = 0
	}
	if s.n == 0 || v < s.min {
		s.min = v
	}
	if s.n == 0 || v > s.max {
		s.max = v
	}
	b := int(s.bucket(v))
	s.fit(b + 1)
	s.counts[b] += w
	s.n += w
}

func (s *sketch) merge(o *sketch) {
	if o.n == 0 {
		return
	}
	if s.n == 0 || o.min < s.min {
		s.min = o.min
	}
	if s.n == 0 || o.max > s.max {
		s.max = o.max
	}
	s.fit(len(o.counts))
	for b, c := range o.counts {
		s.counts[b] += c
	}
	s.n += o.n
}

// fit makes counts at least n long.
func (s *sketch) fit(n int) {
	if n > len(s.counts) {
		s.counts = append(s.counts, make([]uint64, n-len(s.counts))...)
	}
}

// quantile returns the nearest-rank q-quantile (the ceil(q*n)-th smallest value), clamped to
// the observed range; 0 when empty.
func (s *sketch) quantile(q float64) float64 {
	if s.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(s.n)))
	if rank < 1 {
		rank = 1
	}
	var cum uint64
	for b, c := range s.counts {
		cum += c
		if cum >= rank {
			return math.Min(math.Max(s.value(int32(b)), s.min), s.max)
		}
	}
	return s.max
}
