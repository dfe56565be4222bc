package model

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/enisim/enisim/sim"
)

// TestExpectedIntegratesTheRate compares the closed-form integral of a workload with a
// diurnal cycle, a burst and a quiet window against a fine midpoint sum of rateAt.
func TestExpectedIntegratesTheRate(t *testing.T) {
	w := &Workload{Rate: 2, Diurnal: Diurnal{Period: 24 * time.Hour, Amplitude: 0.7, Phase: 5 * time.Hour},
		Bursts: []Burst{{Start: 90 * time.Minute, End: 100 * time.Minute, Multiplier: 5}},
		Quiet:  []Window{{Start: 3 * time.Hour, End: 200 * time.Minute}}}
	wl, err := compileWorkload(w, "w")
	if err != nil {
		t.Fatal(err)
	}
	for _, span := range [][2]time.Duration{{0, time.Hour}, {80 * time.Minute, 4 * time.Hour}, {time.Hour, 30 * time.Hour}, {185 * time.Minute, 195 * time.Minute}} {
		from, to := sim.Time(span[0]), sim.Time(span[1])
		const n = 200000
		h := (to - from) / n
		want := 0.0
		for i := range n {
			tm := from + h*sim.Time(i) + h/2
			if _, in := inQuiet(w.Quiet, tm); !in {
				want += wl.rateAt(tm)
			}
		}
		want *= time.Duration(h).Seconds()
		got := expected(wl, from, to)
		if math.Abs(got-want) > 1e-4*max(want, 1) {
			t.Errorf("expected over [%v, %v) = %.3f, midpoint sum %.3f", span[0], span[1], got, want)
		}
	}
}

// TestPoissonMoments checks the sampler's mean and variance on both of its branches.
func TestPoissonMoments(t *testing.T) {
	src := rand.NewPCG(1, 2)
	for _, mean := range []float64{0.3, 5, 11.9, 12, 40, 1e4} {
		const n = 40000
		var s, s2 float64
		for range n {
			k := float64(poisson(mean, src))
			s += k
			s2 += k * k
		}
		m := s / n
		v := s2/n - m*m
		if math.Abs(m-mean) > 4*math.Sqrt(mean/n) {
			t.Errorf("mean %.3f: sample mean %.4f", mean, m)
		}
		if math.Abs(v-mean)/mean > 0.05 {
			t.Errorf("mean %.3f: sample variance %.4f", mean, v)
		}
	}
}

// TestPeakBusy: one arrival runs alone; the estimate grows with load and arrivals and
// never exceeds the arrivals.
func TestPeakBusy(t *testing.T) {
	if got := peakBusy(0.001, 1); got != 1 {
		t.Errorf("peakBusy(0.001, 1) = %d", got)
	}
	if got := peakBusy(0.001, 3); got != 1 {
		t.Errorf("peakBusy(0.001, 3) = %d, want 1 (overlaps are unlikely)", got)
	}
	prev := int32(0)
	for _, rho := range []float64{0.1, 1, 10, 49, 51, 1000} {
		p := peakBusy(rho, 100000)
		if p <= prev || float64(p) < rho {
			t.Errorf("peakBusy(%v, 1e5) = %d after %d", rho, p, prev)
		}
		prev = p
	}
	if got := peakBusy(1000, 7); got != 7 {
		t.Errorf("peakBusy(1000, 7) = %d, want 7", got)
	}
}

// aggConfig is stdConfig with busy aggregate functions, two of them keeping connections.
func aggConfig() *Config {
	c := busyConfig()
	for i := range c.Accounts {
		for j := range c.Accounts[i].Functions {
			c.Accounts[i].Functions[j].Fidelity = FidelityAggregate
		}
	}
	return c
}

// TestAggregateRecordsAddUp: the interval records of aggregate functions account for every
// invocation and failure the counters saw, cover disjoint intervals, and the run is
// reproducible and keeps the model's invariants.
func TestAggregateRecordsAddUp(t *testing.T) {
	run := func() (*Model, *aggRecorder) {
		rec := &aggRecorder{}
		m := runConfig(t, aggConfig(), 7, busyRun, rec)
		if err := m.CheckInvariants(); err != nil {
			t.Fatal(err)
		}
		return m, rec
	}
	m, rec := run()
	c := m.Counters()
	var failed int64
	for _, n := range c.Errors {
		failed += n
	}
	// Throttles are not modelled at the aggregate level, so every invocation is either
	// admitted or failed by an error (Task.TimedOut ones are both).
	if rec.inv+rec.failed-c.NoInternet != c.Invocations || rec.failed != failed {
		t.Errorf("records: %d admitted + %d failed (%d timed out); counters: %d invocations, %d errors",
			rec.inv, rec.failed, c.NoInternet, c.Invocations, failed)
	}
	if c.Invocations == 0 || rec.cold == 0 || rec.cold != c.ColdStarts {
		t.Errorf("invocations %d, cold starts %d recorded vs %d counted", c.Invocations, rec.cold, c.ColdStarts)
	}
	_, rec2 := run()
	if rec.lines != rec2.lines {
		t.Error("two runs with the same seed differ")
	}
}

type aggRecorder struct {
	nopObserver
	inv, failed, cold int64
	lines             string
	last              map[string]sim.Time
}

func (r *aggRecorder) Interval(x IntervalStats) {
	r.inv += int64(x.Invocations)
	r.failed += int64(x.Failed)
	r.cold += int64(x.ColdStarts)
	if r.last == nil {
		r.last = map[string]sim.Time{}
	}
	k := x.Account + "/" + x.Function
	if x.Start < r.last[k] || x.End <= x.Start {
		panic("overlapping or empty interval record for " + k)
	}
	r.last[k] = x.End
	r.lines += k + " " + x.End.String() + "\n"
}

func TestAggregateFidelityValidation(t *testing.T) {
	c := stdConfig()
	c.Accounts[0].Functions[2].Fidelity = 9
	_, err := New(c, 1, nil)
	if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "accounts[0].functions[2].fidelity") {
		t.Fatalf("err = %v, want the fidelity field named", err)
	}
	c = stdConfig()
	c.Legacy = true
	c.Accounts[0].Functions[1].Fidelity = FidelityAggregate
	if _, err := New(c, 1, nil); err == nil || !strings.Contains(err.Error(), "accounts[0].functions[1].fidelity") {
		t.Fatalf("legacy + aggregate: err = %v", err)
	}
	for _, s := range []string{"exact", "aggregate", ""} {
		f, ok := ParseFidelity(s)
		if !ok || (s != "" && f.String() != s) {
			t.Errorf("ParseFidelity(%q) = %v, %v", s, f, ok)
		}
	}
	if _, ok := ParseFidelity("approximate"); ok {
		t.Error("ParseFidelity accepted an unknown level")
	}
}
