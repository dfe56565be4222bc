package model

import (
	"math"

	"github.com/enisim/enisim/sim"
)

// Two issue-3 behaviours at the aggregate level (docs/design/fidelity.md, "Down
// combinations" and "NAT and ENI connection limits").
//
// Down combinations. A failed health check takes a combination's ENI out of service
// (replace.go); its users' environments are retired, and the aggregate step in progress is
// accounted again from that moment (aggRestep, called by healthFail), so that the rest of
// the step's arrivals need new environments. While some of the function's combinations
// have a ready ENI, new environments go to those (aggSetEnvs skips the others, as the
// exact level's usableCombo); while none has, every cold start the step needs fails with
// EC2UnexpectedException (aggStep) and the step is marked downStep. When a replacement ENI
// becomes ready (replacedBy → aggComboUp) the rest of such a step is accounted again, so
// the failures last as long as the combination is down, not to the end of the step.
//
// NAT and ENI connection limits (nat.go). A step's new connection sets — one per cold
// start and per reconnect after the network idle timeout for keep-alive connections, one
// per admitted invocation for per-invocation connections — are spread over the function's
// combinations with a ready ENI and charged to the same pacers as the exact level's (the
// combination's ENI rate, the NAT gateway's per-destination rate): over the step a pacer
// admits at most rate × (end + 1 s − max(its theoretical arrival time, t₀)) connections
// (the one-second bucket at the end). Refused sets fail their invocations with
// ConnectionTimeout (counted in NATConnFails / ENIConnRateFails). The simultaneous limit
// per destination is checked against the gateway's connections held by exact
// environments plus the step's expected environments on the combination (the M/G/∞
// peak's share); the aggregate environments' connections are not added to the gateway's
// counts (they are not individual flows), so exact functions do not see them.

// aggAllDown reports whether none of f's combinations has a ready ENI (a failed health
// check took the last one of each); false for a function with no combinations.
func (m *Model) aggAllDown(f *function) bool {
	for _, c := range f.cur.combos {
		if m.combos[c].ready > 0 {
			return false
		}
	}
	return len(f.cur.combos) > 0
}

// aggComboUp accounts again the rest of the current step of combo c's aggregate users
// whose step was accounted while none of their combinations had a ready ENI: c has one
// again (an ENI of it became ready at s.Now()).
func (m *Model) aggComboUp(c int32, s sim.Scheduler) {
	if m.agg == nil {
		return
	}
	for _, fi := range m.combos[c].users {
		if ai := m.agg.of[fi]; ai >= 0 && m.agg.fns[ai].downStep && m.agg.fns[ai].rec >= 0 {
			m.agg.fns[ai].downStep = false
			m.aggRestep(fi, false, s)
		}
	}
}

// aggNetRefused returns how many of units connection sets of aggregate function fi, spread
// over [t0, end), the NAT gateway and ENI connection limits refuse, and charges the
// admitted ones to the limits' pacers; peak is the step's most environments (keep-alive)
// or invocations (per-invocation) at once, holding connections.
func (m *Model) aggNetRefused(fi int32, a *aggFn, t0, end sim.Time, units int64, peak int64) int64 {
	f := &m.fns[fi]
	nl := m.net
	uses := nl.fnDests[fi]
	eniRate := m.p.ENINewConnectionRate
	if units <= 0 || (len(uses) == 0 && eniRate <= 0) {
		return 0
	}
	ready := 0
	for _, c := range f.cur.combos {
		if m.combos[c].ready > 0 {
			ready++
		}
	}
	if ready == 0 {
		return 0 // no combination: nothing goes through a gateway or an ENI
	}
	per := int64(a.connsPerInv) // connections of one set, all targets
	refused := int64(0)
	k := 0
	for _, c := range f.cur.combos {
		cb := &m.combos[c]
		if cb.ready == 0 {
			continue
		}
		// This combination's share (the remainder to the first ones, deterministic).
		share := units / int64(ready)
		if int64(k) < units%int64(ready) {
			share++
		}
		envShare := peak / int64(ready)
		if int64(k) < peak%int64(ready) {
			envShare++
		}
		k++
		if share == 0 {
			continue
		}
		ok := share
		bound := 0 // which limit bound it: 1 ENI rate, 2 NAT
		if eniRate > 0 && per > 0 {
			if int(c) >= len(nl.eniRate) {
				nl.eniRate = append(nl.eniRate, make([]pacer, len(m.combos)-len(nl.eniRate))...)
			}
			if n := pacerRoom(&nl.eniRate[c], t0, end, eniRate*float64(cb.ready)) / per; n < ok {
				ok, bound = n, 1
			}
		}
		g := int32(-1)
		if len(uses) > 0 {
			g = nl.subnetGW[cb.subnet]
		}
		if g >= 0 {
			gw := &nl.gws[g]
			for _, u := range uses {
				d := &gw.dests[u.d]
				if n := pacerRoom(&d.pace, t0, end, m.p.NATNewConnectionRate) / int64(u.n); n < ok {
					ok, bound = n, 2
				}
				// Simultaneous: the exact environments' connections plus this step's
				// expected environments (or invocations) at once on the combination.
				if room := int64(gw.limit) - int64(d.conns) - envShare*int64(u.n); room < 0 {
					if n := max(share+room/int64(u.n), 0); n < ok {
						ok, bound = n, 2
					}
				}
			}
		}
		if ok > 0 {
			if eniRate > 0 && per > 0 {
				pacerCharge(&nl.eniRate[c], t0, ok*per, eniRate*float64(cb.ready))
			}
			if g >= 0 {
				for _, u := range uses {
					pacerCharge(&nl.gws[g].dests[u.d].pace, t0, ok*int64(u.n), m.p.NATNewConnectionRate)
				}
			}
		}
		if r := share - ok; r > 0 {
			refused += r
			if bound == 1 {
				m.counters.ENIConnRateFails += r
			} else {
				m.counters.NATConnFails += r
			}
		}
	}
	return refused
}

// pacerRoom is how many connections pacer p admits over [t0, end) at rate per second,
// spread evenly: up to the one-second bucket at end.
func pacerRoom(p *pacer, t0, end sim.Time, rate float64) int64 {
	if !(rate > 0) {
		return 0
	}
	from := max(p.tat, t0)
	span := float64(end-from)/1e9 + 1
	if span <= 0 {
		return 0
	}
	return int64(math.Min(rate*span, 1<<50))
}

// pacerCharge takes n connections from pacer p from t0 on.
func pacerCharge(p *pacer, t0 sim.Time, n int64, rate float64) {
	p.tat = max(p.tat, t0) + sim.Time(min(float64(n)*1e9/rate, 1<<50))
}
