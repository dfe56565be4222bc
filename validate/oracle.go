package validate

import (
	"math"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/enisim/enisim/sim"
)

// ErlangB is the blocking probability of an M/G/c/c loss system with offered load a
// (Erlangs), by the stable recursion B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)). It is
// insensitive to the service distribution beyond its mean.
func ErlangB(c int, a float64) float64 {
	b := 1.0
	for k := 1; k <= c; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return b
}

// MGInfMeanAt is E[N(t)] for an M/G/∞ system that is empty at 0: λ·∫₀ᵗ P(S > u) du =
// λ·(E[S] − E[(S−t)⁺]). Only Const and LogNormal service distributions are supported
// (those the checks use); others give NaN.
func MGInfMeanAt(lambda float64, s sim.Dist, t float64) float64 {
	return lambda * (s.Mean() - excess(s, t))
}

// excess is E[(S−k)⁺].
func excess(s sim.Dist, k float64) float64 {
	switch s.Kind {
	case sim.DistConst:
		return math.Max(s.A-k, 0)
	case sim.DistLogNormal:
		if k <= 0 {
			return s.Mean() - k
		}
		mu, sigma := s.A, s.B
		if sigma == 0 {
			return math.Max(math.Exp(mu)-k, 0)
		}
		n := distuv.UnitNormal
		d1 := (mu + sigma*sigma - math.Log(k)) / sigma
		return math.Exp(mu+sigma*sigma/2)*n.CDF(d1) - k*n.CDF(d1-sigma)
	}
	return math.NaN()
}

// KeepaliveResetShare is the share of connection reuses that find the flow dropped: the
// idle time before a reuse is an exponential inter-arrival gap of rate λ (see
// docs/validation.md), so P(idle > timeout) = e^{−λ·timeout}. Probes sent more often than
// the timeout keep every flow alive: 0.
func KeepaliveResetShare(lambda float64, timeout, probe time.Duration) float64 {
	if probe > 0 && probe < timeout {
		return 0
	}
	return math.Exp(-lambda * timeout.Seconds())
}

// ReclaimsExpected is the expected number of idle reclamations of a function deployed at 0
// and invoked as a Poisson process of rate λ over [0, T], reclaimed when it has not been
// invoked for R. Counting 0 as the first "last use": E[N] = e^{−λR}·(1 + λ·(T−R)) for T ≥ R
// (Mecke's formula: each reference point — 0 and every arrival before T−R — starts a gap
// of at least R with probability e^{−λR}). The restore after a reclamation (duration D)
// changes this only when an invocation arrives during it: see ReclaimRestoreBias.
func ReclaimsExpected(lambda, r, t float64) float64 {
	if t < r {
		return 0
	}
	return math.Exp(-lambda*r) * (1 + lambda*(t-r))
}

// ReclaimRestoreBias bounds |model − ReclaimsExpected| due to restores of mean meanD. The
// invocation that finds the function Inactive counts as a use; invocations during the
// restore fail and do not. Each reclamation (and the last one, cut by the horizon) can
// change the count by at most one, and only when an invocation arrives during its
// restore, which has probability at most λ·E[D]: |δ| ≤ λ·E[D]·(E[N] + 1).
func ReclaimRestoreBias(lambda, r, t, meanD float64) float64 {
	return lambda * meanD * (ReclaimsExpected(lambda, r, t) + 1)
}

// ReclaimProbability is the probability that the function is reclaimed at least once in
// [0, T] (exact: restores happen only after the first reclaim). With q(t) = P(no reclaim
// in [0, t]) and a = e^{−λR}: q = 1 on [0, R), q(R) = 1 − a, and for t > R the renewal
// equation q(t) = ∫₀ᴿ λe^{−λx} q(t−x) dx gives q'(t) = −λa·q(t−R). The method of steps
// solves it exactly: on [kR, (k+1)R] q is a polynomial of degree k−1 in s = t − kR.
func ReclaimProbability(lambda, r, t float64) float64 {
	if t < r {
		return 0
	}
	a := math.Exp(-lambda * r)
	prev := []float64{1} // q on [0, R): the constant 1
	start := 1 - a       // q(R)
	for k := 1; ; k++ {
		// q_k(s) = start − λa·∫₀ˢ q_{k−1}(v) dv, a polynomial in s.
		cur := make([]float64, len(prev)+1)
		cur[0] = start
		for i, c := range prev {
			cur[i+1] = -lambda * a * c / float64(i+1)
		}
		if t <= float64(k+1)*r {
			return 1 - poly(cur, t-float64(k)*r)
		}
		start = poly(cur, r)
		prev = cur
	}
}

func poly(c []float64, x float64) float64 {
	v := 0.0
	for i := len(c) - 1; i >= 0; i-- {
		v = v*x + c[i]
	}
	return v
}
