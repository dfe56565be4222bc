package model

import (
	"math"
	"time"

	"github.com/enisim/enisim/sim"
)

// Per-invocation rows at the aggregate level (Config.PerInvocation = p > 0). An aggregate
// step has no individual invocations, so its rows are synthetic, drawn consistently with
// the step's counts when its record is written (at the end of the interval, or at a
// configuration change that cuts the step): Binomial(admitted, p) rows, at times spread
// uniformly over the step in ascending order (the step's first arrival at its start), each
// cold with probability cold/admitted (its cold start drawn from the cold-start
// distribution, scaled by memory and clamped at InitLimit), else reconnecting with
// probability resets/warm; network times are the means, stretched by the RTT spike at the
// row's time. The draws come from a stream of their own, so turning rows on or off does
// not change any other result. Rows of different functions are not interleaved by time:
// each step's rows are written together.

// aggRows writes the sampled rows of r's current step, whose arrivals lie in
// [r.stepFrom, until).
func (m *Model) aggRows(a *aggFn, r *aggRec, until sim.Time) {
	d := &r.step
	if d.inv <= 0 || until <= r.stepFrom {
		return
	}
	p := min(m.cfg.PerInvocation, 1)
	src := &m.agg.rows[m.agg.of[a.fn]]
	f := &m.fns[a.fn]
	meta := &m.fmeta[a.fn]
	base := Invocation{Account: m.accts[f.acct].id, Function: meta.name, VPC: m.vpcName(r.vpc)}
	pCold := float64(d.cold) / float64(d.inv)
	pReset := 0.0
	if warm := d.inv - d.cold; warm > 0 && a.connsPerInv > 0 {
		pReset = float64(d.connResets/int64(a.connsPerInv)) / float64(warm)
	}
	scale := math.Sqrt(1024 / float64(max(a.mem, 1)))
	row := func(at sim.Time) {
		v := base
		v.At = at
		setup := 0.0
		switch {
		case u01(src) < pCold:
			v.Cold = true
			cs := time.Duration(float64(sampleDur(&m.p.ColdStart, src)) * scale)
			if lim := m.p.InitLimit; lim > 0 && cs > lim {
				cs = lim
			}
			v.ColdStart = cs
			setup = a.setupMean
		case a.conns > 0 && u01(src) < pReset:
			v.Reconnect = true
			setup = a.setupMean + a.resetMean
		}
		if a.conns == 0 {
			setup = a.setupMean
		}
		op := a.opMean
		if len(m.rttSpikes) > 0 {
			op += (m.spikeAt(at) - 1) * (setup + op)
		}
		v.ConnSetup, v.Operation = secs(setup), secs(op)
		m.obs.Invocation(v)
	}
	n := d.inv
	if r.stepFirst {
		// The step's first arrival is at its start (if it was admitted: the throttles
		// fell on it with the same probability as on the others).
		if u01(src)*float64(r.stepArr) < float64(d.inv) {
			n--
			if u01(src) < p {
				row(r.stepFrom)
			}
		}
	}
	k := binomial(n, p, src)
	span := float64(until - r.stepFrom)
	x := 0.0 // ascending uniforms: the next is the minimum of the k−i left on (x, 1)
	for i := k; i > 0; i-- {
		x += (1 - x) * (1 - math.Pow(u01(src), 1/float64(i)))
		row(r.stepFrom + sim.Time(x*span))
	}
}
