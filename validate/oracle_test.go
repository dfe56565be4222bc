package validate

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/enisim/enisim/sim"
)

// erlangBDirect is a^c/c! / Σ_{k≤c} a^k/k!, for small c.
func erlangBDirect(c int, a float64) float64 {
	term, sum := 1.0, 1.0
	for k := 1; k <= c; k++ {
		term *= a / float64(k)
		sum += term
	}
	return term / sum
}

func TestErlangBMatchesTheClosedForm(t *testing.T) {
	for _, tc := range []struct {
		c int
		a float64
	}{{1, 0.5}, {1, 3}, {5, 3}, {10, 8}, {30, 25}, {60, 40}} {
		got, want := ErlangB(tc.c, tc.a), erlangBDirect(tc.c, tc.a)
		if math.Abs(got-want) > 1e-12*want {
			t.Errorf("ErlangB(%d, %g) = %.15g, closed form %.15g", tc.c, tc.a, got, want)
		}
	}
	// Textbook value: B(10, 8) = 0.12166 (to 5 digits).
	if got := ErlangB(10, 8); math.Abs(got-0.12166) > 5e-6 {
		t.Errorf("ErlangB(10, 8) = %.6f, want 0.12166", got)
	}
	// The recursion stays finite where the closed form's factorials overflow.
	if got := ErlangB(2000, 1900); !(got > 0 && got < 1) {
		t.Errorf("ErlangB(2000, 1900) = %v, want a probability", got)
	}
}

func TestExcessMatchesNumericalIntegration(t *testing.T) {
	d := logNormalMean(2*time.Second, 1)
	for _, k := range []float64{0.5, 2, 10, 40} {
		// E[(S−k)⁺] = ∫_k^∞ P(S > u) du, by the midpoint rule on a log grid.
		num, lo := 0.0, k
		for range 200000 {
			hi := lo * 1.0001
			num += (hi - lo) * survivalLogNormal(d, (lo+hi)/2)
			lo = hi
			if lo > 1e5 {
				break
			}
		}
		if got := excess(d, k); math.Abs(got-num) > 1e-4*math.Max(num, 1e-3) {
			t.Errorf("excess(lognormal, %g) = %.8g, numerical %.8g", k, got, num)
		}
	}
	if got := excess(sim.Const(2*time.Second), 0.5); got != 1.5 {
		t.Errorf("excess(const 2 s, 0.5) = %v, want 1.5", got)
	}
}

func survivalLogNormal(d sim.Dist, x float64) float64 {
	return 0.5 * math.Erfc((math.Log(x)-d.A)/(d.B*math.Sqrt2))
}

func TestLogNormalMeanHasTheRequestedMean(t *testing.T) {
	if got := logNormalMean(2*time.Second, 1).Mean(); math.Abs(got-2) > 1e-12 {
		t.Fatalf("mean %v, want 2", got)
	}
}

// simulateReclaims draws Poisson gaps directly (no model): the number of reference points
// (0 and every arrival) followed by a gap ≥ r that ends by t, with no restore time.
func simulateReclaims(rng *rand.Rand, lambda, r, t float64) int {
	n, last := 0, 0.0
	for {
		next := last + rng.ExpFloat64()/lambda
		if next-last >= r && last+r <= t {
			n++
		}
		if next > t {
			return n
		}
		last = next
	}
}

// TestReclaimOraclesMatchADirectSimulation checks both reclaim oracles against a direct
// simulation of Poisson gaps, in the regimes T < R, R ≤ T < 2R and T ≫ R. 40,000 draws
// give a standard error below 0.006; the tolerance is 5 standard errors.
func TestReclaimOraclesMatchADirectSimulation(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	const n = 40000
	for _, tc := range []struct{ gap, r, t float64 }{
		{10, 14, 10}, {10, 14, 20}, {10, 14, 60}, {3, 14, 200},
	} {
		lambda := 1 / tc.gap
		sum, any := 0.0, 0.0
		for range n {
			k := simulateReclaims(rng, lambda, tc.r, tc.t)
			sum += float64(k)
			if k > 0 {
				any++
			}
		}
		mean, p := sum/n, any/n
		wantMean, wantP := ReclaimsExpected(lambda, tc.r, tc.t), ReclaimProbability(lambda, tc.r, tc.t)
		if se := math.Sqrt(math.Max(wantMean, 1e-3) * 2 / n); math.Abs(mean-wantMean) > 5*se {
			t.Errorf("gap %g, T %g: mean reclaims %.5f, oracle %.5f", tc.gap, tc.t, mean, wantMean)
		}
		if se := math.Sqrt(math.Max(wantP*(1-wantP), 1e-4) / n); math.Abs(p-wantP) > 5*se {
			t.Errorf("gap %g, T %g: P(≥1) %.5f, oracle %.5f", tc.gap, tc.t, p, wantP)
		}
	}
}

func TestReclaimProbabilityClosedFormOnTheFirstStep(t *testing.T) {
	// On [R, 2R] q(t) = 1 − a − λa(t − R): P = a·(1 + λ(t − R)), which equals the expected
	// count since at most one reclamation fits.
	lambda, r := 1/10.0, 14.0
	for _, tt := range []float64{14, 20, 28} {
		a := math.Exp(-lambda * r)
		want := a * (1 + lambda*(tt-r))
		if got := ReclaimProbability(lambda, r, tt); math.Abs(got-want) > 1e-12 {
			t.Errorf("P(T = %g) = %.15g, want %.15g", tt, got, want)
		}
		if got := ReclaimsExpected(lambda, r, tt); math.Abs(got-want) > 1e-12 {
			t.Errorf("E(T = %g) = %.15g, want %.15g", tt, got, want)
		}
	}
	if ReclaimProbability(1, 14, 13) != 0 || ReclaimsExpected(1, 14, 13) != 0 {
		t.Error("a reclamation before R")
	}
}

func TestKeepaliveResetShare(t *testing.T) {
	if got := KeepaliveResetShare(1.0/350, 350*time.Second, 0); math.Abs(got-math.Exp(-1)) > 1e-15 {
		t.Errorf("no probes: %v, want 1/e", got)
	}
	if got := KeepaliveResetShare(1.0/350, 350*time.Second, 7200*time.Second); math.Abs(got-math.Exp(-1)) > 1e-15 {
		t.Errorf("probes above the timeout protect nothing: %v", got)
	}
	if got := KeepaliveResetShare(1.0/350, 350*time.Second, 300*time.Second); got != 0 {
		t.Errorf("probes below the timeout: %v, want 0", got)
	}
}

func TestEstimateIntervals(t *testing.T) {
	xs := []float64{1, 2, 3, 4, 5}
	e := Estimated(xs, 0.95)
	// mean 3, sd √2.5, t(0.975, 4) = 2.7764451
	want := 2.7764451 * math.Sqrt(2.5) / math.Sqrt(5)
	if e.Mean != 3 || math.Abs(e.Half-want) > 1e-6 {
		t.Fatalf("estimate %+v, want mean 3, half %.7f", e, want)
	}
	if !e.Contains(3+want*0.999) || e.Contains(3+want*1.001) {
		t.Error("Contains disagrees with the half-width")
	}
	if !e.Predicts(3+want*math.Sqrt(6)*0.999, 0) || e.Predicts(3+want*math.Sqrt(6)*1.001, 0) {
		t.Error("Predicts disagrees with t·s·√(1+1/n)")
	}
	if z := Estimated([]float64{0, 0, 0}, 0.95); !z.Contains(0) || z.Contains(1e-9) {
		t.Error("a zero-width interval must contain exactly its value")
	}
	if one := Estimated([]float64{1}, 0.95); !math.IsInf(one.Half, 1) {
		t.Error("one replication must give no interval")
	}
}
