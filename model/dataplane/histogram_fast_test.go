package dataplane

import (
	"math/bits"
	"math/rand/v2"
	"testing"
	"time"
)

// histIndexRef is the bucket definition of Histogram's doc, written out plainly; histIndex
// computes it with fewer operations.
func histIndexRef(us uint64) int {
	if us < histSub {
		return int(us)
	}
	if us >= 1<<32 {
		return HistBuckets - 1
	}
	e := bits.Len64(us) - 1
	sub := int(us>>(uint(e)-histSubBits)) & (histSub - 1)
	return (e-histSubBits+1)*histSub + sub
}

func TestHistIndexMatchesDefinition(t *testing.T) {
	check := func(us uint64) {
		if got, want := histIndex(us), histIndexRef(us); got != want {
			t.Fatalf("histIndex(%d) = %d, want %d", us, got, want)
		}
	}
	for us := uint64(0); us < 1<<20; us++ {
		check(us)
	}
	for e := uint(0); e < 64; e++ {
		for _, d := range []int64{-1, 0, 1} {
			check(uint64(int64(1)<<e + d))
		}
	}
	check(^uint64(0))
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		check(r.Uint64() >> r.UintN(64))
	}
}

// quantileRef is Quantile scanning every bucket (what it did before it kept the groups
// used).
func quantileRef(h *Histogram, q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q * float64(h.n))
	if float64(rank) < q*float64(h.n) {
		rank++
	}
	rank = min(max(rank, 1), h.n)
	var cum uint64
	for i, c := range h.counts {
		cum += uint64(c)
		if cum >= rank {
			lo, hi := histBounds(i)
			return time.Duration(lo*1000 + (hi-lo)*500)
		}
	}
	return 0
}

// TestQuantileUsedRange: Quantile, which scans only the bucket groups (octaves) used,
// agrees with a scan of all buckets, for single histograms, merges (with
// empty ones too) and values at both ends of the range.
func TestQuantileUsedRange(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	qs := []float64{0.001, 0.25, 0.5, 0.9, 0.99, 1}
	for trial := range 300 {
		var a, b, empty Histogram
		n := 1 + r.IntN(50)
		scale := time.Duration(1) << r.UintN(40)
		for range n {
			d := time.Duration(r.Int64N(int64(scale))) - time.Microsecond
			if r.IntN(2) == 0 {
				a.Add(d)
			} else {
				b.Add(d)
			}
		}
		switch trial % 3 {
		case 0:
			a.Merge(&b)
		case 1:
			a.Merge(&empty)
		case 2:
			empty.Merge(&a)
			a = empty
		}
		for _, q := range qs {
			if got, want := a.Quantile(q), quantileRef(&a, q); got != want {
				t.Fatalf("trial %d q=%v: Quantile %v, full scan %v", trial, q, got, want)
			}
		}
	}
	var ends Histogram
	ends.Add(0)
	ends.Add(100 * time.Hour)
	for _, q := range qs {
		if got, want := ends.Quantile(q), quantileRef(&ends, q); got != want {
			t.Fatalf("0 and 100 h, q=%v: Quantile %v, full scan %v", q, got, want)
		}
	}
}
