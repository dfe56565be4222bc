package orgmonth

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/sim"
)

// The aggregate level's tolerance against the exact level, on the mean over seeds of each
// compared quantity: within 10 % or 2 absolute, whichever is larger.
const (
	tolRel = 0.10
	tolAbs = 2.0
)

// validationSpecs are scenarios small enough to run at both levels: 200 functions over 20
// days with a fifth of them quiet for 15–18 days (so they go Inactive), half of those with
// a security group of their own (so their combination is reclaimed and its ENI re-created
// when they are invoked again).
func validationSpecs() map[string]Spec {
	base := Spec{Accounts: 2, Functions: 100, Days: 20, RateMedian: 1.0 / 7200, RateSigma: 1.5,
		RateMax: 0.5, QuietFraction: 0.2, QuietMin: 15 * 24 * time.Hour, QuietMax: 18 * 24 * time.Hour, QuietOwnSG: 0.5,
		TargetFraction: 0.3, Service: sim.LogNormalMedianP99(100*time.Millisecond, time.Second),
		SampleEvery: time.Minute, Seed: 61}
	hourly := base
	hourly.SampleEvery = time.Hour
	hourly.Seed = 62
	sixHourly := base
	sixHourly.SampleEvery = 6 * time.Hour
	sixHourly.Seed = 64
	// Connections drive ENI counts: 3 connections per ENI, every function keeping one per
	// environment, and busier functions.
	conns := base
	conns.Accounts, conns.Functions, conns.Days = 1, 80, 16
	conns.RateMedian, conns.RateSigma, conns.RateMax = 1.0/1200, 1.5, 0.3
	conns.TargetFraction, conns.ConnectionsPerENI = 1, 3
	conns.Seed = 63
	return map[string]Spec{"minute-steps": base, "hourly-steps": hourly, "six-hour-steps": sixHourly, "connections": conns}
}

// measures are the compared quantities of one run.
type measures struct {
	peakENIs    []float64 // per VPC
	peakIPs     []float64 // per subnet
	inactive    float64
	failed      float64
	invocations float64
	enisCreated float64
	coldStarts  float64
}

func measure(t testing.TB, s Spec, seed uint64) measures {
	res, err := Run(Build(s), seed, s.Horizon(), 1)
	if err != nil {
		t.Fatal(err)
	}
	return measuresOf(res)
}

func measuresOf(res Result) measures {
	var m measures
	for _, a := range res.Answers {
		for _, v := range a.VPCs {
			m.peakENIs = append(m.peakENIs, float64(v.PeakENIs))
		}
		for _, sn := range a.Subnets {
			m.peakIPs = append(m.peakIPs, float64(sn.PeakIPs))
		}
		m.inactive += float64(a.Inactive)
		m.failed += float64(a.Failed)
		m.invocations += float64(a.Invocations)
		m.enisCreated += float64(a.ENIsCreated)
		m.coldStarts += float64(a.ColdStarts)
	}
	return m
}

func (m *measures) add(o measures) {
	if m.peakENIs == nil {
		m.peakENIs = make([]float64, len(o.peakENIs))
		m.peakIPs = make([]float64, len(o.peakIPs))
	}
	for i := range o.peakENIs {
		m.peakENIs[i] += o.peakENIs[i]
	}
	for i := range o.peakIPs {
		m.peakIPs[i] += o.peakIPs[i]
	}
	m.inactive += o.inactive
	m.failed += o.failed
	m.invocations += o.invocations
	m.enisCreated += o.enisCreated
	m.coldStarts += o.coldStarts
}

// validationSeeds are the run seeds the comparisons average over (single seeds are too
// noisy for failed-invocation counts of a few dozen).
func validationSeeds() []uint64 { return []uint64{1, 2, 3} }

// heavyUnderRace are the validation scenarios whose exact runs take 10–15 s per seed with
// the race detector; under -race (make test) they are skipped — the comparison is
// deterministic and the race detector adds nothing to single-goroutine runs — and they run
// in plain `go test ./bench/org-month`.
var heavyUnderRace = map[string]bool{"minute-steps": true, "connections": true}

func within(exact, agg float64) bool {
	return math.Abs(agg-exact) <= max(tolAbs, tolRel*math.Abs(exact))
}

// TestAggregateAgreesWithExact runs each validation scenario at both levels over several
// seeds and compares the means of peak ENIs per VPC, peak IPs per subnet, Inactive
// transitions, failed invocations, ENIs created (reclaims and restores) and invocations.
func TestAggregateAgreesWithExact(t *testing.T) {
	seeds := validationSeeds()
	for name, spec := range validationSpecs() {
		t.Run(name, func(t *testing.T) {
			if raceEnabled && heavyUnderRace[name] {
				t.Skip("slow with the race detector; runs without -race")
			}
			var ex, ag measures
			for _, seed := range seeds {
				spec.Fidelity = model.FidelityExact
				ex.add(measure(t, spec, seed))
				spec.Fidelity = model.FidelityAggregate
				ag.add(measure(t, spec, seed))
			}
			compare(t, ex, ag, len(seeds))
		})
	}
}

// TestWorkersGiveIdenticalResults: the partitions run in parallel give the same answers,
// hash included, whatever the number of workers.
func TestWorkersGiveIdenticalResults(t *testing.T) {
	s := OrgMonth()
	s.Accounts, s.Functions, s.Days = 8, 40, 16
	cfg := Build(s)
	var hashes []string
	for _, w := range []int{1, 2, 5} {
		res, err := Run(cfg, 3, s.Horizon(), w)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Answers) != s.Accounts || res.Invocations == 0 || res.Totals().Inactive == 0 {
			t.Fatalf("workers %d: %d answers, %d invocations, %d Inactive transitions", w, len(res.Answers), res.Invocations, res.Totals().Inactive)
		}
		hashes = append(hashes, res.Hash())
	}
	if hashes[1] != hashes[0] || hashes[2] != hashes[0] {
		t.Errorf("hashes differ across worker counts: %v", hashes)
	}
}

// compare checks the means over n seeds of the aggregate run's measures against the exact
// run's, within the tolerance.
func compare(t *testing.T, ex, ag measures, seeds int) {
	t.Helper()
	n := float64(seeds)
	check := func(what string, e, a float64) {
		e, a = e/n, a/n
		t.Logf("%-22s exact %10.1f  aggregate %10.1f", what, e, a)
		if !within(e, a) {
			t.Errorf("%s: aggregate %.1f vs exact %.1f, beyond ±%.0f%% / ±%.0f", what, a, e, tolRel*100, tolAbs)
		}
	}
	if len(ex.peakENIs) != len(ag.peakENIs) || len(ex.peakIPs) != len(ag.peakIPs) {
		t.Fatalf("the runs report different VPCs or subnets")
	}
	for i := range ex.peakENIs {
		check(fmt.Sprintf("peak ENIs vpc #%d", i), ex.peakENIs[i], ag.peakENIs[i])
	}
	for i := range ex.peakIPs {
		check(fmt.Sprintf("peak IPs subnet #%d", i), ex.peakIPs[i], ag.peakIPs[i])
	}
	check("Inactive transitions", ex.inactive, ag.inactive)
	check("failed invocations", ex.failed, ag.failed)
	check("ENIs created", ex.enisCreated, ag.enisCreated)
	check("invocations", ex.invocations, ag.invocations)
	// Cold starts are an estimate at the aggregate level (M/G/∞ peaks and idle gaps):
	// logged, not held to the tolerance.
	t.Logf("%-22s exact %10.1f  aggregate %10.1f", "cold starts (info)", ex.coldStarts/n, ag.coldStarts/n)
}
