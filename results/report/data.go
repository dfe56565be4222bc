package report

import (
	"math"
	"sort"

	"gonum.org/v1/plot/plotter"
)

// series is one line over time with the limit it is measured against.
type series struct {
	key   string // account/vpc[/subnet]
	pts   plotter.XYs
	peak  float64
	limit float64 // at the peak
	seen  bool
}

func (s *series) use() float64 {
	if s.limit <= 0 {
		return 0
	}
	return s.peak / s.limit
}

// addMax appends (t, v), or raises the last point when it has the same t (several rows per
// sampling time, e.g. one per (subnet, SG set) combination of a VPC).
func (s *series) addMax(t, v, limit float64) {
	if n := len(s.pts); n > 0 && s.pts[n-1].X == t {
		if v > s.pts[n-1].Y {
			s.pts[n-1].Y = v
		}
	} else {
		s.pts = append(s.pts, plotter.XY{X: t, Y: v})
	}
	if !s.seen || v > s.peak {
		s.peak, s.limit, s.seen = v, limit, true
	}
}

// maxPoints bounds the points drawn per line; beyond it, points are merged by bucket,
// keeping each bucket's maximum (peaks are what a capacity chart must not hide).
const maxPoints = 2000

func downsample(pts plotter.XYs) plotter.XYs {
	if len(pts) <= maxPoints {
		return pts
	}
	k := (len(pts) + maxPoints - 1) / maxPoints
	out := make(plotter.XYs, 0, maxPoints)
	for i := 0; i < len(pts); i += k {
		b := pts[i]
		for _, p := range pts[i+1 : min(i+k, len(pts))] {
			if p.Y > b.Y {
				b.Y = p.Y
			}
		}
		out = append(out, b)
	}
	return out
}

// topSeries returns at most n series with the highest use of their limit (then the highest
// peak, then by key), in that order.
func topSeries(m map[string]*series, n int) (top []*series, total int) {
	all := make([]*series, 0, len(m))
	for _, s := range m {
		all = append(all, s)
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.use() != b.use() {
			return a.use() > b.use()
		}
		if a.peak != b.peak {
			return a.peak > b.peak
		}
		return a.key < b.key
	})
	if len(all) > n {
		return all[:n], len(all)
	}
	return all, len(all)
}

// logHist is a histogram over logarithmic bins (100 per decade, 1 µs to 10^5 s) for CDFs of
// millions of latencies in fixed memory.
type logHist struct {
	counts [1100]uint64
	n      uint64
}

const logHistMin = 1e-6

func (h *logHist) add(v float64) { h.addN(v, 1) }

func (h *logHist) addN(v float64, w uint64) {
	i := 0
	if v > logHistMin {
		i = int(math.Log10(v/logHistMin) * 100)
	}
	if i >= len(h.counts) {
		i = len(h.counts) - 1
	}
	h.counts[i] += w
	h.n += w
}

// cdf returns the empirical CDF at each non-empty bin's upper edge, as a step line.
func (h *logHist) cdf() plotter.XYs {
	var pts plotter.XYs
	var cum uint64
	for i, c := range h.counts {
		if c == 0 {
			continue
		}
		cum += c
		x := logHistMin * math.Pow(10, float64(i+1)/100)
		pts = append(pts, plotter.XY{X: x, Y: float64(cum) / float64(h.n)})
	}
	return pts
}

// quantile returns the upper edge of the bin holding the q-quantile.
func (h *logHist) quantile(q float64) float64 {
	rank := uint64(math.Ceil(q * float64(h.n)))
	var cum uint64
	for i, c := range h.counts {
		cum += c
		if cum >= rank && c > 0 {
			return logHistMin * math.Pow(10, float64(i+1)/100)
		}
	}
	return 0
}
