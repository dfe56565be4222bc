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

// aggConfig is stdConfig with busy aggregate functions, two of them keeping connections,
// and the first account's concurrency quota low enough to throttle.
func aggConfig() *Config {
	c := busyConfig()
	c.Accounts[0].Concurrency = 2
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
	// Every invocation is admitted, throttled or failed by an error (Task.TimedOut ones
	// are both admitted and failed).
	if rec.inv+rec.throttled+rec.failed-c.NoInternet != c.Invocations || rec.failed != failed || rec.throttled != c.Throttled {
		t.Errorf("records: %d admitted + %d throttled + %d failed (%d timed out); counters: %d invocations, %d throttled, %d errors",
			rec.inv, rec.throttled, rec.failed, c.NoInternet, c.Invocations, c.Throttled, failed)
	}
	if c.Throttled == 0 {
		t.Error("no throttles: the fixture should reach its account's quota")
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
	throttled         int64
	lines             string
	last              map[string]sim.Time
}

func (r *aggRecorder) Interval(x IntervalStats) {
	r.inv += int64(x.Invocations)
	r.failed += int64(x.Failed)
	r.throttled += int64(x.Throttled)
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

// TestClampedMoments compares E[min(X, l)] and P(X > l) in closed form with a sample of
// 200,000 draws, for every distribution kind.
func TestClampedMoments(t *testing.T) {
	src := rand.NewPCG(3, 4)
	for _, d := range []sim.Dist{sim.Const(12 * time.Second), sim.Const(3 * time.Second), sim.Exp(6 * time.Second),
		sim.LogNormalMedianP99(8*time.Second, 30*time.Second), sim.Weibull(9*time.Second, 1.7),
		sim.Pareto(4*time.Second, 2.5), sim.Uniform(2*time.Second, 14*time.Second), sim.Empirical([]float64{1, 5, 9, 11, 20})} {
		const l, n = 10.0, 200000
		var sum, over float64
		for range n {
			x := d.Sample(src)
			if x > l {
				over++
				x = l
			}
			sum += x
		}
		mean, tail := clampedMoments(&d, l)
		if math.Abs(mean-sum/n) > 0.02*max(mean, 0.1) || math.Abs(tail-over/n) > 0.005 {
			t.Errorf("%v: closed form mean %.4f tail %.4f, sample %.4f %.4f", d.Kind, mean, tail, sum/n, over/n)
		}
	}
}

// TestErlangBAndOccupancy: the loss formula against known values, and the aggregate
// class's drawn occupancy against its product-form mean.
func TestErlangBAndOccupancy(t *testing.T) {
	for _, c := range []struct {
		a    float64
		n    int
		want float64
	}{{1, 1, 0.5}, {2, 2, 0.4}, {10, 10, 0.2146}, {45, 40, 0.1846}} {
		if got := erlangB(c.a, c.n); math.Abs(got-c.want) > 5e-4 {
			t.Errorf("B(%v, %d) = %.4f, want %.4f", c.a, c.n, got, c.want)
		}
	}
	// Product form: P(r, x) ∝ aa^r/r! · ax^x/x! on r + x ≤ c.
	aa, ax, c := 20.0, 25.0, 40
	var z, mean float64
	for r := 0; r <= c; r++ {
		for x := 0; r+x <= c; x++ {
			lr, _ := math.Lgamma(float64(r) + 1)
			lx, _ := math.Lgamma(float64(x) + 1)
			w := math.Exp(float64(r)*math.Log(aa) - lr + float64(x)*math.Log(ax) - lx - aa - ax)
			z += w
			mean += w * float64(r)
		}
	}
	mean /= z
	src := rand.NewPCG(5, 6)
	var buf []float64
	var sum float64
	const n = 5000
	for range n {
		var r int
		r, buf = drawOccupancy(aa, ax, c, buf, src)
		sum += float64(r)
	}
	if math.Abs(sum/n-mean) > 0.25 { // 4 standard errors
		t.Errorf("drawn occupancy mean %.3f, product form %.3f", sum/n, mean)
	}
	if !negligibleBlocking(100, 1000) || negligibleBlocking(900, 1000) || negligibleBlocking(math.Inf(1), 10) {
		t.Error("negligibleBlocking misjudges a clear case")
	}
}

// TestBinomialMoments checks the sampler's mean and variance on each of its branches.
func TestBinomialMoments(t *testing.T) {
	src := rand.NewPCG(7, 8)
	for _, c := range []struct {
		n int64
		p float64
	}{{20, 0.3}, {1000, 0.004}, {1000, 0.3}, {100000, 0.9}, {50, 1}, {50, 0}} {
		const k = 20000
		var s, s2 float64
		for range k {
			x := float64(binomial(c.n, c.p, src))
			if x < 0 || x > float64(c.n) {
				t.Fatalf("binomial(%d, %v) = %v", c.n, c.p, x)
			}
			s += x
			s2 += x * x
		}
		m, v := s/k, s2/k-(s/k)*(s/k)
		wm, wv := float64(c.n)*c.p, float64(c.n)*c.p*(1-c.p)
		if math.Abs(m-wm) > 4*math.Sqrt(wv/k)+1e-9 || math.Abs(v-wv) > 0.06*wv+1e-9 {
			t.Errorf("binomial(%d, %v): mean %.3f var %.3f, want %.3f %.3f", c.n, c.p, m, v, wm, wv)
		}
	}
}
