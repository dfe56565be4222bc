package dataplane

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestHistogramBucketsCoverEveryValueOnce(t *testing.T) {
	prevHi := uint64(0)
	for i := 0; i < HistBuckets; i++ {
		lo, hi := histBounds(i)
		if lo != prevHi || hi <= lo {
			t.Fatalf("bucket %d = [%d,%d), previous ended at %d", i, lo, hi, prevHi)
		}
		if histIndex(lo) != i || histIndex(hi-1) != i {
			t.Fatalf("bucket %d: index(lo)=%d index(hi-1)=%d", i, histIndex(lo), histIndex(hi-1))
		}
		if lo >= histSub && float64(hi-lo)/2/float64(lo) > HistMaxRelErr {
			t.Fatalf("bucket %d half-width relative error above bound", i)
		}
		prevHi = hi
	}
	if prevHi != 1<<32 {
		t.Fatalf("buckets end at %d, want 2^32 µs", prevHi)
	}
}

func TestHistogramQuantileWithinRelativeErrorBound(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	const n = 20000
	vals := make([]time.Duration, n)
	var h, h1, h2 Histogram
	for i := range vals {
		// lognormal around 50 ms with a heavy spread: 0.2 ms .. seconds
		v := time.Duration(math.Exp(math.Log(0.05)+1.5*r.NormFloat64()) * 1e9)
		vals[i] = v
		h.Add(v)
		if i%2 == 0 {
			h1.Add(v)
		} else {
			h2.Add(v)
		}
	}
	slices.Sort(vals)
	h1.Merge(&h2)
	if h1 != h {
		t.Fatal("merged halves differ from the whole")
	}
	for _, q := range []float64{0.001, 0.01, 0.5, 0.9, 0.99, 0.999, 1} {
		rank := int(math.Ceil(q * n))
		exact := vals[rank-1]
		got := h.Quantile(q)
		rel := math.Abs(float64(got-exact)) / float64(exact)
		if rel > HistMaxRelErr {
			t.Errorf("q=%v: got %v, exact %v, relative error %.4f > %.4f", q, got, exact, rel, HistMaxRelErr)
		}
	}
	// Sub-32 µs values: absolute error within 0.5 µs + truncation.
	var s Histogram
	s.Add(7300 * time.Nanosecond)
	if got := s.Quantile(0.5); got != 7500*time.Nanosecond {
		t.Fatalf("7.3 µs -> %v, want 7.5 µs bucket midpoint", got)
	}
	var e Histogram
	if e.Quantile(0.5) != 0 {
		t.Fatal("empty histogram quantile not 0")
	}
}
