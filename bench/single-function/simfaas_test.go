package singlefunction

import (
	"math"
	"testing"
	"time"

	"github.com/enisim/enisim/sim"
)

// mean runs n replications of p (seeds 1..n) and averages their results.
func mean(t testing.TB, p Params, n int) (cold, rej, inst, running float64) {
	t.Helper()
	for i := 1; i <= n; i++ {
		r, err := Run(p, sim.Seed(i))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("replication %d: %v", i, r)
		cold += r.ColdProb() / float64(n)
		rej += r.RejectProb() / float64(n)
		inst += r.AvgInstances / float64(n)
		running += r.AvgRunning / float64(n)
	}
	return
}

func within(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.5f, SimFaaS %.5f, tolerance ±%.5f", name, got, want, tol)
	}
}

// TestReferenceMatchesSimFaaS: 4 × 10^5 s of the reference experiment against SimFaaS's
// published cold-start probability 0.14 %, 7.66 instances (1.79 running, 5.87 idle).
func TestReferenceMatchesSimFaaS(t *testing.T) {
	p := Reference()
	p.Horizon = 1e5 * time.Second
	cold, rej, inst, running := mean(t, p, 4)
	within(t, "cold-start probability", cold, 0.0014, 0.0003)
	within(t, "rejection probability", rej, 0, 0)
	within(t, "average instances", inst, 7.66, 0.15)
	within(t, "average running", running, 1.79, 0.03)
	within(t, "average idle", inst-running, 5.87, 0.15)
}

// TestConcurrencyCapMatchesSimFaaS: λ = 1000/s against a cap of 1,000 for the full 1,000 s
// (200 s with -short or -race): SimFaaS rejects 50.4 % of requests.
func TestConcurrencyCapMatchesSimFaaS(t *testing.T) {
	p := CapReference()
	if testing.Short() || raceOn {
		p.Horizon = 200 * time.Second
	}
	_, rej, _, running := mean(t, p, 1)
	within(t, "rejection probability", rej, 0.504, 0.01)
	within(t, "average running", running, 1000, 15)
}

func TestRunIsDeterministicPerSeed(t *testing.T) {
	p := Reference()
	p.Horizon = 2e4 * time.Second
	a, _ := Run(p, 42)
	b, _ := Run(p, 42)
	c, _ := Run(p, 43)
	if a != b {
		t.Fatalf("same seed, different results:\n%v\n%v", a, b)
	}
	if a == c {
		t.Fatal("different seeds gave identical results")
	}
}

func TestParamsErrorsNameTheField(t *testing.T) {
	p := Reference()
	p.ArrivalRate = 0
	if _, err := Run(p, 1); err == nil {
		t.Fatal("no error for arrivalRate 0")
	}
}

// BenchmarkReference runs the full 10^6 s reference experiment per iteration, always with
// seed 1 so the reported figures do not depend on b.N.
func BenchmarkReference(b *testing.B) {
	p := Reference()
	var r Result
	var err error
	for i := 0; i < b.N; i++ {
		if r, err = Run(p, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(r.Requests)*float64(b.N)/b.Elapsed().Seconds(), "sim-requests/s")
	b.ReportMetric(float64(r.Events), "events/op")
	b.ReportMetric(r.ColdProb(), "cold-prob")
	b.ReportMetric(r.AvgInstances, "instances")
}

// BenchmarkCapReference runs the full 1,000 s concurrency-cap experiment per iteration
// (seed 1).
func BenchmarkCapReference(b *testing.B) {
	p := CapReference()
	var r Result
	var err error
	for i := 0; i < b.N; i++ {
		if r, err = Run(p, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(r.Requests)*float64(b.N)/b.Elapsed().Seconds(), "sim-requests/s")
	b.ReportMetric(r.RejectProb(), "rejected")
}
