package validate

import (
	"testing"
	"time"

	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/sim"
)

// firstReclaims records every invocation's time and each function's first idle
// reclamation.
type firstReclaims struct {
	tally
	arrivals map[string][]sim.Time
	first    map[string]sim.Time
}

func (o *firstReclaims) Invocation(i model.Invocation) {
	o.arrivals[i.Function] = append(o.arrivals[i.Function], i.At)
}

func (o *firstReclaims) StateChange(c model.StateChange) {
	if c.To == "Inactive" && c.Reason == "Idle" && c.Version == "$LATEST" {
		if _, ok := o.first[c.Function]; !ok {
			o.first[c.Function] = c.At
		}
	}
}

// TestFirstReclaimIsExactlyTheFirstLongGap pins the counting rule the reclaim oracles
// assume, without statistics: given the model's own invocation times, each function's
// first reclamation happens exactly at p + R for the first reference point p (0 or an
// invocation) followed by no invocation for R, or not at all if that is after the horizon.
func TestFirstReclaimIsExactlyTheFirstLongGap(t *testing.T) {
	const n = 300
	horizon := 60 * day
	cfg := fleet(model.DefaultParams(), n, true, func(_ int, f *model.Function) {
		f.Workload = model.Workload{Rate: 1 / (10 * day).Seconds()}
	})
	cfg.SampleEvery = horizon
	cfg.PerInvocation = 1
	r, end := sim.Time(cfg.Params.IdleReclaim), sim.Time(horizon)
	seed := sim.Seed(*testSeed)
	o := &firstReclaims{arrivals: map[string][]sim.Time{}, first: map[string]sim.Time{}}
	if _, err := runModel(&cfg, seed, horizon, o); err != nil {
		t.Fatal(err)
	}
	reclaimed := 0
	for _, f := range cfg.Accounts[0].Functions {
		// Invocations before the first reclamation all succeed, so they are all recorded;
		// the ones after it do not matter here.
		points := append([]sim.Time{0}, o.arrivals[f.Name]...)
		want := sim.Time(-1)
		for k, p := range points {
			if k+1 == len(points) || points[k+1]-p > r {
				if p+r <= end {
					want = p + r
				}
				break
			}
		}
		got, ok := o.first[f.Name]
		if !ok {
			got = -1
		} else {
			reclaimed++
		}
		if got != want {
			t.Errorf("%s: first reclamation at %v, want %v (invocations at %v)\nseed %d",
				f.Name, time.Duration(got), time.Duration(want), o.arrivals[f.Name], uint64(seed))
		}
	}
	if reclaimed == 0 || reclaimed == n {
		t.Fatalf("%d of %d functions reclaimed: the test exercises nothing", reclaimed, n)
	}
}
