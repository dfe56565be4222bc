package results

import (
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/model/dataplane"
	"github.com/enisim/enisim/sim"
)

// The summary's latency quantiles merge every interval's histogram when all intervals
// carry one: exact run-level quantiles (within the histogram's 1/64), where the
// invocation-weighted quantile of the intervals' own p50s can be far off. Intervals of
// two partitions are merged; an interval without a histogram (aggregate fidelity) makes
// the summary fall back.
func TestLatencyQuantilesFromMergedHistograms(t *testing.T) {
	run := func(t *testing.T, withoutHist bool) Summary {
		r, err := Create(Options{Dir: filepath.Join(t.TempDir(), "o"), Format: Arrow, Partitions: 2, Run: testRunInfo()})
		if err != nil {
			t.Fatal(err)
		}
		// Partition 0: ten intervals of 90 invocations of 1 ms and 10 of 1 s. Partition 1:
		// ten intervals of 20 invocations of 2 s, which leave the run's p50 at 1 ms but
		// move its p99 to 2 s.
		for p := 0; p < 2; p++ {
			for i := 0; i < 10; i++ {
				var h dataplane.Histogram
				n := 100
				if p == 0 {
					for k := 0; k < 90; k++ {
						h.Add(time.Millisecond)
					}
					for k := 0; k < 10; k++ {
						h.Add(time.Second)
					}
				} else {
					n = 20
					for k := 0; k < n; k++ {
						h.Add(2 * time.Second)
					}
				}
				st := model.IntervalStats{Start: sim.Time(i) * sim.Time(time.Minute), End: sim.Time(i+1) * sim.Time(time.Minute),
					Account: "a", Function: "f", VPC: "v", Invocations: n,
					LatencyP50: h.Quantile(0.5), LatencyP99: h.Quantile(0.99), Latency: &h}
				if withoutHist && p == 1 && i == 0 {
					st.Latency = nil
				}
				r.Partition(p).Interval(st)
			}
		}
		s, err := r.Close(true)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := run(t, false)
	l := s.Latency
	// 1,200 invocations: 900 of 1 ms, 100 of 1 s, 200 of 2 s → p50 1 ms, p99 2 s.
	if l.Source != "histogram" || math.Abs(l.P50S-0.001)/0.001 > 1.0/64 || math.Abs(l.P99S-2)/2 > 1.0/64 {
		t.Errorf("merged: %+v, want histogram p50 1ms p99 2s", l)
	}
	// With one interval lacking a histogram the summary must not claim exact quantiles
	// (no per-invocation rows here, so it falls back to the interval approximation).
	if s := run(t, true); s.Latency.Source != "intervals" {
		t.Errorf("with an interval lacking a histogram: source %q, want intervals", s.Latency.Source)
	}
}
