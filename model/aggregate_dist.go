package model

import (
	"math"
	"time"

	"gonum.org/v1/gonum/mathext"

	"github.com/enisim/enisim/sim"
)

// coldStats is what the aggregate level needs of the cold-start distribution at one
// memory size: the exact level scales a drawn cold start by √(1024/memory) and clamps it
// at InitLimit, counting an init timeout when it does (dataplane.Pool.Invoke).
type coldStats struct {
	mean float64       // E[min(scale·X, limit)], seconds
	p99  time.Duration // 99th percentile of min(scale·X, limit)
	tail float64       // P(scale·X > limit): the probability a cold start times out
}

// coldStatsFor returns the clamped cold-start statistics at memory size mem, computed once
// per distinct size.
func (m *Model) coldStatsFor(mem int) coldStats {
	ag := m.agg
	if cs, ok := ag.cold[mem]; ok {
		return cs
	}
	scale := math.Sqrt(1024 / float64(mem))
	d := &m.p.ColdStart
	var cs coldStats
	lim := m.p.InitLimit.Seconds()
	p99 := float64(distQuantile(d, 0.99)) / 1e9 * scale
	if lim <= 0 {
		cs.mean = d.Mean() * scale
	} else {
		// With Y = scale·X: P(Y > L) = P(X > L/scale), E[min(Y, L)] = scale·E[min(X, L/scale)].
		mean, tail := clampedMoments(d, lim/scale)
		cs.mean, cs.tail = mean*scale, tail
		p99 = min(p99, lim)
	}
	cs.p99 = secs(p99)
	if ag.cold == nil {
		ag.cold = map[int]coldStats{}
	}
	ag.cold[mem] = cs
	return cs
}

// clampedMoments returns E[min(X, l)] and P(X > l) for X ~ d, in closed form for every
// kind sim.Dist supports: E[min(X, l)] = ∫₀ˡ P(X > x) dx.
func clampedMoments(d *sim.Dist, l float64) (mean, tail float64) {
	switch d.Kind {
	case sim.DistConst:
		if d.A > l {
			return l, 1
		}
		return d.A, 0
	case sim.DistExp:
		if d.A <= 0 {
			return 0, 0
		}
		tail = math.Exp(-l / d.A)
		return d.A * (1 - tail), tail
	case sim.DistLogNormal:
		mu, s := d.A, d.B
		if s <= 0 {
			v := math.Exp(mu)
			return clampedMoments(&sim.Dist{Kind: sim.DistConst, A: v}, l)
		}
		z := (math.Log(l) - mu) / s
		tail = 1 - phi(z)
		return math.Exp(mu+s*s/2)*phi(z-s) + l*tail, tail
	case sim.DistWeibull:
		lam, k := d.A, d.B
		x := math.Pow(l/lam, k)
		tail = math.Exp(-x)
		// ∫₀ˡ e^{-(x/λ)^k} dx = (λ/k)·Γ(1/k)·P(1/k, (l/λ)^k)
		return lam / k * math.Gamma(1/k) * mathext.GammaIncReg(1/k, x), tail
	case sim.DistPareto:
		xm, al := d.A, d.B
		if l <= xm {
			return l, 1
		}
		tail = math.Pow(xm/l, al)
		if al == 1 {
			return xm * (1 + math.Log(l/xm)), tail
		}
		return xm + math.Pow(xm, al)*(math.Pow(l, 1-al)-math.Pow(xm, 1-al))/(1-al), tail
	case sim.DistUniform:
		lo, hi := d.A, d.B
		switch {
		case l <= lo:
			return l, 1
		case l >= hi:
			return (lo + hi) / 2, 0
		}
		tail = (hi - l) / (hi - lo)
		return lo + (l-lo)*(1+tail)/2, tail
	case sim.DistEmpirical:
		if len(d.Values) == 0 {
			return 0, 0
		}
		var n int
		for _, v := range d.Values {
			if v > l {
				n++
				mean += l
			} else {
				mean += v
			}
		}
		k := float64(len(d.Values))
		return mean / k, float64(n) / k
	}
	return min(d.Mean(), l), 0
}

// phi is the standard normal CDF.
func phi(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }
