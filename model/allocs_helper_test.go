package model

import (
	"testing"
	"time"

	"github.com/enisim/enisim/sim"
)

// allocsAfterWarmUp builds c, runs it for warm (pools, accumulators and streams reach
// their steady size), then measures the allocations of handling one event at a time over
// runs events, and returns the counters before and after the measured events so the
// caller can check that what it means to measure actually happened in them.
func allocsAfterWarmUp(t *testing.T, c *Config, warm time.Duration, runs int) (before, after Counters, allocs float64) {
	t.Helper()
	m, q := startConfig(t, c, 1, nil)
	if _, err := sim.Run(q, m, sim.Bounds{Until: sim.Time(warm)}, nil); err != nil {
		t.Fatal(err)
	}
	before = m.Counters()
	allocs = testing.AllocsPerRun(runs, func() {
		ev, ok := q.Next()
		if !ok {
			t.Fatal("the queue ran dry during the measured events")
		}
		m.Handle(ev, q)
	})
	return before, m.Counters(), allocs
}
