package model

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/enisim/enisim/sim"
)

// gridArrivals is a trace on a coarse time grid with coarse durations, so that arrivals
// fall at exactly the times of each other, of completions, expiries, timeline steps and
// samples: the ties Run must order as sim.Run does.
func gridArrivals(seed uint64, n int, horizon, step time.Duration, nfn int32) *sliceArrivals {
	r := rand.New(rand.NewPCG(seed, 99))
	a := &sliceArrivals{}
	t := int64(0)
	for len(a.at) < n {
		if r.IntN(3) == 0 { // a third share the previous arrival's time
			t += int64(step) * int64(r.IntN(4))
		}
		if t > int64(horizon) {
			break
		}
		a.at = append(a.at, sim.Time(t))
		a.fn = append(a.fn, int32(r.IntN(int(nfn)+1))) // nfn: out of range, skipped
	}
	return a
}

// traceConfig is busyConfig with both accounts also replaying a tie-heavy trace, every
// invocation observed.
func traceConfig(seed uint64) *Config {
	c := busyConfig()
	c.PerInvocation = 1
	for i := range c.Accounts {
		nfn := int32(len(c.Accounts[i].Functions))
		c.Accounts[i].Arrivals = gridArrivals(seed+uint64(i), 20000, busyRun, 100*time.Millisecond, nfn)
	}
	return c
}

// twinTraceConfig: two accounts replaying traces on a 1 ms grid, arrivals closer than
// their durations, and nothing else, so that most arrivals are kept aside and the two
// accounts' arrivals kept aside tie with each other.
func twinTraceConfig(uint64) *Config {
	c := busyConfig()
	c.PerInvocation = 1
	c.Timeline = nil
	for i := range c.Accounts {
		for j := range c.Accounts[i].Functions {
			c.Accounts[i].Functions[j].Workload = Workload{}
			c.Accounts[i].Functions[j].Deployed = true
		}
		c.Accounts[i].Arrivals = gridArrivals(uint64(3+i), 20000, busyRun, time.Millisecond, int32(len(c.Accounts[i].Functions)))
	}
	return c
}

type runFunc func(q *sim.Queue, m *Model, b sim.Bounds) (sim.Stats, error)

func viaSim(q *sim.Queue, m *Model, b sim.Bounds) (sim.Stats, error) { return sim.Run(q, m, b, nil) }
func viaModel(q *sim.Queue, m *Model, b sim.Bounds) (sim.Stats, error) {
	polls := 0
	st, err := m.Run(q, b, func(sim.Stats) bool { polls++; return false })
	if want := int(st.Events / sim.PollEvery); err == nil && polls != want {
		return st, fmt.Errorf("poll called %d times in %d events, want %d", polls, st.Events, want)
	}
	return st, err
}

func runWith(t *testing.T, cfg *Config, b sim.Bounds, run runFunc) (*recorder, sim.Stats, Counters) {
	t.Helper()
	rec := collect()
	m, err := New(cfg, 5, rec)
	if err != nil {
		t.Fatal(err)
	}
	q := sim.NewQueue(1024)
	if err := m.Start(q); err != nil {
		t.Fatal(err)
	}
	st, err := run(q, m, b)
	if err != nil {
		t.Fatal(err)
	}
	m.Finish(st.End)
	if err := m.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
	return rec, st, m.Counters()
}

// Run must handle the same events in the same order as sim.Run: same observations, every
// invocation (time, function, cold or warm, latencies) alike, same Stats, under each bound.
func TestRunMatchesSimRun(t *testing.T) {
	for _, b := range []sim.Bounds{
		{Until: sim.Time(busyRun)},
		{Until: sim.Time(busyRun/2 + 50*time.Millisecond)}, // stops between grid points
		{Until: sim.Time(busyRun / 3)},                     // stops on a grid point
		{MaxEvents: 30001},
		{Until: sim.Time(busyRun), MaxEvents: 1 << 20},
	} {
		for name, cfg := range map[string]func(uint64) *Config{"busy": traceConfig, "twin": twinTraceConfig} {
			t.Run(fmt.Sprintf("%s,until=%v,max=%d", name, b.Until, b.MaxEvents), func(t *testing.T) {
				r1, s1, c1 := runWith(t, cfg(1), b, viaSim)
				r2, s2, c2 := runWith(t, cfg(1), b, viaModel)
				if s1 != s2 {
					t.Errorf("stats: sim.Run %+v, Model.Run %+v", s1, s2)
				}
				if c1 != c2 {
					t.Errorf("counters: sim.Run %+v\nModel.Run %+v", c1, c2)
				}
				if c1.Invocations < 10000 {
					t.Errorf("only %d invocations: the trace did not run", c1.Invocations)
				}
				if !slices.Equal(r1.all, r2.all) {
					t.Errorf("observations differ")
				}
				if !slices.Equal(r1.invs, r2.invs) {
					for i := range min(len(r1.invs), len(r2.invs)) {
						if r1.invs[i] != r2.invs[i] {
							t.Fatalf("invocation %d: sim.Run %+v, Model.Run %+v", i, r1.invs[i], r2.invs[i])
						}
					}
					t.Fatalf("invocations: %d vs %d", len(r1.invs), len(r2.invs))
				}
			})
		}
	}
}

// Without external arrivals Run is sim.Run.
func TestRunWithoutTrace(t *testing.T) {
	b := sim.Bounds{Until: sim.Time(busyRun)}
	r1, s1, _ := runWith(t, busyConfig(), b, viaSim)
	r2, s2, _ := runWith(t, busyConfig(), b, viaModel)
	if s1 != s2 || !slices.Equal(r1.all, r2.all) {
		t.Fatalf("Run differs from sim.Run: %+v vs %+v", s1, s2)
	}
}

func TestRunRejectsBadBounds(t *testing.T) {
	m, err := New(stdConfig(), 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	q := sim.NewQueue(16)
	if err := m.Start(q); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Run(q, sim.Bounds{}, nil); err == nil {
		t.Fatal("empty bounds accepted")
	}
	if _, err := m.Run(nil, sim.Bounds{MaxEvents: 1}, nil); err == nil {
		t.Fatal("nil queue accepted")
	}
}

// Replaying a trace through Run allocates nothing per event once warm.
func TestRunAllocatesNothing(t *testing.T) {
	if invariantChecks {
		t.Skip("built with enisim_invariants: CheckInvariants runs (and allocates) after every event")
	}
	c := steadyConfig(10, 0)
	c.Accounts[0].Arrivals = gridArrivals(9, 400000, time.Hour, time.Millisecond, 10)
	m, err := New(c, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	q := sim.NewQueue(1024)
	if err := m.Start(q); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Run(q, sim.Bounds{MaxEvents: 50000}, nil); err != nil {
		t.Fatal(err)
	}
	before := m.Counters().Invocations
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := m.Run(q, sim.Bounds{MaxEvents: 500}, nil); err != nil {
			t.Fatal(err)
		}
	})
	if n := m.Counters().Invocations - before; n < 10000 {
		t.Fatalf("only %d invocations in the measured events", n)
	}
	if allocs != 0 {
		t.Fatalf("%.3f allocations per 500 events in steady state, want 0", allocs)
	}
}
