package dataplane

import (
	"math/bits"
	"time"
)

// Histogram is a fixed-size, log-bucketed histogram of durations, in microseconds. Values
// below 32 µs get one bucket per µs; above, each power of two is split into 32 equal
// buckets. Quantile returns the midpoint of the bucket holding the requested rank, so for
// values of at least 32 µs its relative error is at most 1/64 (1.6 %), and below 32 µs its
// absolute error is at most 0.5 µs (plus the sub-µs truncation). Values of 2^32 µs (~71 min)
// or more land in the last bucket. Adding never allocates; histograms merge by adding
// counts. Size: HistBuckets × 4 bytes (3.5 KiB), so keep one per active function and
// interval, not per function.
type Histogram struct {
	counts [HistBuckets]uint32
	n      uint64
	// used has bit g set when a value fell into bucket group g (buckets 32g..32g+31: the
	// linear ones, then one octave each), so that Quantile scans only the groups used. A
	// function's latencies over one interval span a few octaves: this replaces a scan of
	// all 896 buckets, twice per function and interval (on the Azure day, ~50
	// instructions per invocation), by a few dozen, for one OR per Add.
	used uint32
}

// The bucket groups fit Histogram.used (a negative array length fails to compile).
var _ [32 - HistBuckets/histSub]struct{}

const (
	histSubBits = 5
	histSub     = 1 << histSubBits // buckets per power of two
	// HistBuckets is the number of buckets: 32 linear ones, then 32 per octave from 2^5
	// to 2^31 µs.
	HistBuckets = histSub + (32-histSubBits)*histSub
	// HistMaxRelErr is Quantile's relative error bound for values of at least 32 µs.
	HistMaxRelErr = 1.0 / (2 * histSub)
)

// histIndex maps a value in µs to its bucket.
func histIndex(us uint64) int {
	if us < histSub {
		return int(us)
	}
	us = min(us, 1<<32-1) // 2^32 µs or more: the last bucket, as 2^32-1 µs
	// With e = bits.Len64(us)-1 (5..31), the bucket is (e-4)·32 + the 5 bits below the
	// leading one; us>>(e-5) is those bits plus 32, hence s·32 + us>>s with s = e-5.
	s := uint(bits.Len64(us)) - 1 - histSubBits
	return int(s)*histSub + int(us>>s)
}

// histBounds returns the bucket's [lo, hi) in µs.
func histBounds(i int) (lo, hi uint64) {
	if i < histSub {
		return uint64(i), uint64(i) + 1
	}
	e := uint(i/histSub) + histSubBits - 1
	sub := uint64(i % histSub)
	w := uint64(1) << (e - histSubBits)
	lo = (1 << e) + sub*w
	return lo, lo + w
}

// Add counts one value (negative values count as 0).
func (h *Histogram) Add(d time.Duration) {
	i := histIndex(uint64(max(d, 0) / time.Microsecond))
	h.counts[i]++
	h.n++
	h.used |= 1 << (uint(i) / histSub)
}

// Count is the number of values added.
func (h *Histogram) Count() uint64 { return h.n }

// Merge adds o's counts to h, visiting only the bucket groups o used (a run-level merge of
// every interval's histogram would otherwise touch all HistBuckets each time).
func (h *Histogram) Merge(o *Histogram) {
	for u := o.used; u != 0; u &= u - 1 {
		g := bits.TrailingZeros64(uint64(u)) * histSub
		for i := g; i < g+histSub; i++ {
			h.counts[i] += o.counts[i]
		}
	}
	h.n += o.n
	h.used |= o.used
}

// Reset empties h.
func (h *Histogram) Reset() { *h = Histogram{} }

// Quantile returns the q-quantile (0 < q <= 1) by nearest rank: the midpoint of the bucket
// holding the ceil(q·n)-th smallest value. It returns 0 for an empty histogram.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q * float64(h.n))
	if float64(rank) < q*float64(h.n) {
		rank++
	}
	if rank < 1 {
		rank = 1
	}
	if rank > h.n {
		rank = h.n
	}
	var cum uint64
	for used := h.used; used != 0; used &= used - 1 {
		g := bits.TrailingZeros32(used)
		for i := g * histSub; i < (g+1)*histSub; i++ {
			cum += uint64(h.counts[i])
			if cum >= rank {
				lo, hi := histBounds(i)
				// midpoint in ns: exact for the linear buckets' half-µs
				return time.Duration(lo*1000 + (hi-lo)*500)
			}
		}
	}
	return 0
}
