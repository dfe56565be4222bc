package model

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mathext"

	"github.com/enisim/enisim/sim"
)

// Throttling at the aggregate level (docs/design/fidelity.md, "Throttling").
//
// An account's invocations share its concurrency quota C and its invocations-per-second
// cap (10·C, as the model builds every account). Invocations arrive as Poisson streams
// and a throttled one is lost, so the account is an Erlang loss system M/G/C/C whose
// blocking probability B(A, C) depends on the offered load A (Erlangs = Σ rate × mean busy
// time over the account's Active functions) and not on the busy-time distribution. Per
// account and sampling interval the model computes
//   - A_a and A_x, the offered loads of its aggregate and exact functions over the
//     interval (rates integrated exactly, as for the step counts), and the total rate;
//   - the rate-cap loss q = max(0, 1 − 10·C / rate) and the blocking B = B((A_a+A_x)(1−q), C):
//     every aggregate invocation of the interval is throttled with probability
//     1 − (1−q)(1−B) (all arrivals see the same blocking, PASTA);
//   - the concurrency the aggregate functions hold, R, drawn from its stationary
//     distribution in the two-class loss system, P(R = r) ∝ Pois(r; A_a)·P(Pois(A_x) ≤ C−r),
//     and reserved on the account (dataplane.Account.Reserve): exact invocations see C−R
//     servers for the interval. Given R = r the exact functions' busy count is a truncated
//     Poisson on [0, C−r], which is the stationary law of an M/G/(C−r)/(C−r) system, so the
//     exact functions' blocking averaged over intervals is the shared system's.
//
// Accounts whose offered load can never come near the quota (a static bound on A well
// below C) skip all of this at O(1) per interval.

// aggAcct is one account's throttling state at the aggregate level.
type aggAcct struct {
	has      bool    // the account has aggregate functions
	bound    float64 // Σ rateMax × busy over its functions; +Inf with external arrivals
	rateMax  float64 // Σ rateMax
	at       sim.Time
	computed bool
	block    float64 // probability the account throttles an aggregate invocation this interval
	conc     int32   // the quota the above was computed for
	draws    rand.PCG
}

// acctBlock returns the probability that account ai throttles an aggregate invocation in
// the sampling interval starting at from, computing the interval's state on first use.
func (m *Model) acctBlock(ai int32, from sim.Time) float64 {
	c := &m.agg.acct[ai]
	if !c.computed || c.at != from || int(c.conc) != m.accts[ai].dp.Concurrency() {
		m.refreshAcct(ai, from)
	}
	return c.block
}

// refreshAcct computes account ai's throttling state for the interval [from, from+step).
func (m *Model) refreshAcct(ai int32, from sim.Time) {
	ag := m.agg
	c := &ag.acct[ai]
	acct := &m.accts[ai]
	conc := acct.dp.Concurrency()
	c.at, c.computed, c.conc, c.block = from, true, int32(conc), 0
	if negligibleBlocking(c.bound, conc) && c.rateMax <= 10*float64(conc) {
		if acct.dp.Reserved() != 0 {
			acct.dp.Reserve(0)
		}
		return
	}
	to := from.Add(m.sampleEvery)
	span := m.sampleEvery.Seconds()
	var la, lx, rate float64
	for fi := acct.fn0; fi < acct.fn0+acct.nfn; fi++ {
		f := &m.fns[fi]
		if f.wl == nil || f.wl.rateMax <= 0 || f.state != StateActive {
			continue
		}
		lam := expected(f.wl, from, to) / span
		rate += lam
		if ag.of[fi] >= 0 {
			la += lam * ag.busy[fi]
		} else {
			lx += lam * ag.busy[fi]
		}
	}
	if acct.arrivals != nil {
		// Trace-driven invocations have no rate to integrate: their current concurrency
		// stands in for their offered load (a rough, documented estimate).
		lx = max(lx, float64(acct.dp.InFlight()))
	}
	q := 0.0
	if capRate := 10 * float64(conc); rate > capRate {
		q = 1 - capRate/rate
	}
	la, lx = la*(1-q), lx*(1-q)
	b := erlangB(la+lx, conc)
	c.block = 1 - (1-q)*(1-b)
	r := 0
	if lx > 0 || acct.arrivals != nil {
		r, ag.scratch = drawOccupancy(la, lx, conc, ag.scratch, &c.draws)
	}
	acct.dp.Reserve(r)
}

// negligibleBlocking reports whether an Erlang loss system with offered load at most a and
// c servers blocks with probability below ~1e-13: B(a, c) ≤ Pois(c; a) / P(Pois(a) ≤ c) and
// the denominator is at least ½ when a ≤ c−1.
func negligibleBlocking(a float64, c int) bool {
	if a <= 0 {
		return true
	}
	if math.IsInf(a, 1) || a > float64(c)-1 {
		return false
	}
	lg, _ := math.Lgamma(float64(c) + 1)
	return -a+float64(c)*math.Log(a)-lg < -30
}

// erlangB is the Erlang loss formula B(a, c), by the stable recursion
// 1/B(a, k) = 1 + (k/a)·1/B(a, k−1).
func erlangB(a float64, c int) float64 {
	if a <= 0 {
		return 0
	}
	if c <= 0 {
		return 1
	}
	inv := 1.0
	for k := 1; k <= c; k++ {
		inv = 1 + float64(k)/a*inv
		if inv > 1e300 {
			return 0
		}
	}
	return 1 / inv
}

// drawOccupancy draws the aggregate class's busy count in a two-class Erlang loss system
// with c servers and offered loads aa (aggregate) and ax (exact): P(r) ∝ Pois(r; aa)·
// P(Pois(ax) ≤ c−r), over r within ±10 standard deviations of aa (the weights beyond are
// below 1e-20 of the mode's). buf is scratch space, returned for reuse.
func drawOccupancy(aa, ax float64, c int, buf []float64, src *rand.PCG) (int, []float64) {
	if aa <= 0 || c <= 0 {
		return 0, buf
	}
	sd := math.Sqrt(aa)
	lo := min(max(0, int(aa-10*sd-10)), c)
	hi := min(int(aa+10*sd+10), c)
	buf = buf[:0]
	// P(Pois(ax) ≤ m) for m = c−hi, then upwards as r goes down.
	m := c - hi
	cdf := 1.0
	if ax > 0 {
		cdf = mathext.GammaIncRegComp(float64(m)+1, ax)
	}
	lmode, _ := math.Lgamma(math.Floor(aa) + 1)
	lmode = math.Floor(aa)*math.Log(aa) - lmode
	total := 0.0
	for r := hi; r >= lo; r-- {
		lg, _ := math.Lgamma(float64(r) + 1)
		w := math.Exp(float64(r)*math.Log(aa)-lg-lmode) * cdf
		buf = append(buf, w)
		total += w
		m++
		if ax > 0 && cdf < 1 {
			lp, _ := math.Lgamma(float64(m) + 1)
			cdf = min(cdf+math.Exp(-ax+float64(m)*math.Log(ax)-lp), 1)
		}
	}
	if !(total > 0) {
		return lo, buf
	}
	u := u01(src) * total
	for i, w := range buf {
		if u < w {
			return hi - i, buf
		}
		u -= w
	}
	return lo, buf
}

// scaleThrottles is the expected number of an aggregate function's arrivals in [t0, end)
// that the per-function scaling rate (ScalingStep new environments per ScalingPeriod)
// throttles. Demand for environments jumps at the step's start (from the warm ones) and at
// every burst start inside the step (from those the earlier load kept alive); a jump of D environments beyond the bucket's burst is
// served as the bucket refills at ScalingStep/ScalingPeriod, so the shortfall falls
// linearly to zero over D·Period/Step seconds, and arrivals during it are throttled at the
// rate shortfall/busy. Assumes a full bucket at each jump and a ramp faster than the
// period (docs/design/fidelity.md).
func (m *Model) scaleThrottles(wl *workload, warm int32, busy, admit float64, t0, end sim.Time) float64 {
	burst := float64(m.p.ScalingStep)
	refill := burst / m.p.ScalingPeriod.Seconds()
	area := func(d, rem float64) float64 {
		if d <= 0 || rem <= 0 {
			return 0
		}
		tau := min(d/refill, rem)
		return d*tau - refill*tau*tau/2
	}
	sum := area(wl.rateAt(t0)*busy*admit-float64(warm)-burst, end.Sub(t0).Seconds())
	for _, b := range wl.w.Bursts {
		at := sim.Time(b.Start)
		if at <= t0 || at >= end {
			continue
		}
		if _, q := inQuiet(wl.w.Quiet, at); q {
			continue
		}
		// Alive before the jump: the most environments the earlier load needed at once
		// within an idle expiry (M/G/∞ peak), or the step's warm ones.
		rate := wl.rateAt(at-1) * admit
		alive := max(float64(warm), float64(peakBusy(rate*busy, int64(rate*m.p.EnvIdleExpiry.Seconds()))))
		sum += area(wl.rateAt(at)*busy*admit-alive-burst, end.Sub(at).Seconds())
	}
	return sum / busy
}

// binomial draws a Binomial(n, p) count: by one uniform for a mean below 1e-4 (0 or 1, as
// for rare init timeouts), by geometric skips for a small mean, by Bernoulli trials for small n, and by the normal approximation (rounded, clamped) otherwise.
func binomial(n int64, p float64, src *rand.PCG) int64 {
	if n <= 0 || !(p > 0) {
		return 0
	}
	if p >= 1 {
		return n
	}
	if p > 0.5 {
		return n - binomial(n, 1-p, src)
	}
	mean := float64(n) * p
	if mean < 1e-4 {
		// P(k ≥ 2) < mean²/2 < 5e-9: one uniform decides between 0 and 1.
		if u01(src) < mean {
			return 1
		}
		return 0
	}
	if n <= 32 && mean >= 1 {
		k := int64(0)
		for range n {
			if u01(src) < p {
				k++
			}
		}
		return k
	}
	if mean < 12 {
		lq := math.Log1p(-p)
		k, i := int64(0), int64(0)
		for {
			g := math.Log(1-u01(src)) / lq // failures before the next success
			if g >= float64(n-i) {
				return k
			}
			i += int64(g) + 1
			if i > n {
				return k
			}
			k++
		}
	}
	x := math.Round(mean + normDraw(src)*math.Sqrt(mean*(1-p)))
	return int64(min(max(x, 0), float64(n)))
}
