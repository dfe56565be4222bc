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
// per destination is an Erlang loss system per combination: the servers are the
// environments (keep-alive) or invocations (per-invocation) that fit in the room the exact
// environments' connections leave (limit − held, divided by the connections one needs),
// the offered load is the step's M/G/∞ load on the combination, and each admitted
// invocation is refused with probability B(load, servers) (an arrival that finds every
// admissible environment busy needs a new one, which the gateway refuses). The aggregate
// environments' connections are not added to the gateway's counts (they are not
// individual flows), so exact functions do not see them; the charges to the rate pacers
// they do see, front-loaded at the step's start (an exact connection early in the step
// can be refused for aggregate connections that, spread evenly, would come later).

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

// aggNetRefused returns how many of the step's admitted invocations of aggregate function
// fi the NAT gateway's simultaneous limit (simRef) and the new-connection rates (rateRef)
// refuse, and charges the admitted connection
// sets to the limits' pacers. units are the step's new connection sets (cold starts and
// reconnects, or every invocation for per-invocation connections), spread over [t0, end);
// rho is the step's load (environments, or invocations, busy at once on average).
func (m *Model) aggNetRefused(fi int32, a *aggFn, t0, end sim.Time, units, admitted int64, rho float64) (simRef, rateRef int64) {
	f := &m.fns[fi]
	nl := m.net
	uses := nl.fnDests[fi]
	eniRate := m.p.ENINewConnectionRate
	if admitted <= 0 || (len(uses) == 0 && eniRate <= 0) {
		return 0, 0
	}
	ready := 0
	for _, c := range f.cur.combos {
		if m.combos[c].ready > 0 {
			ready++
		}
	}
	if ready == 0 {
		return 0, 0 // no combination: nothing goes through a gateway or an ENI
	}
	per := int64(a.connsPerInv) // connections of one set, all targets
	k := 0
	for _, c := range f.cur.combos {
		cb := &m.combos[c]
		if cb.ready == 0 {
			continue
		}
		// This combination's share (remainders to the first ones: deterministic).
		split := func(x int64) int64 {
			v := x / int64(ready)
			if int64(k) < x%int64(ready) {
				v++
			}
			return v
		}
		share, inv := split(units), split(admitted)
		k++
		g := int32(-1)
		if len(uses) > 0 {
			g = nl.subnetGW[cb.subnet]
		}
		// Simultaneous connections per destination: the environments (invocations) beyond
		// the room the exact ones leave are an Erlang loss system; a refused arrival is
		// one that found every admissible environment busy.
		lost := int64(0)
		if g >= 0 && inv > 0 {
			gw := &nl.gws[g]
			load := rho / float64(ready)
			pLoss := 0.0
			for _, u := range uses {
				servers := (int64(gw.limit) - int64(gw.dests[u.d].conns)) / int64(u.n)
				if !negligibleBlocking(load, int(min(servers, math.MaxInt32))) {
					pLoss = max(pLoss, erlangB(load, int(max(servers, 0))))
				}
			}
			lost = binomial(inv, pLoss, &a.draws)
			if lost > 0 {
				m.counters.NATConnFails += lost
				share = max(share-lost, 0) // refused sets open nothing
			}
		}
		// New-connection rates over the step.
		ok := share
		bound := 0 // which limit bound it: 1 ENI rate, 2 NAT
		if eniRate > 0 && per > 0 && share > 0 {
			if int(c) >= len(nl.eniRate) {
				nl.eniRate = append(nl.eniRate, make([]pacer, len(m.combos)-len(nl.eniRate))...)
			}
			if n := pacerRoom(&nl.eniRate[c], t0, end, eniRate*float64(cb.ready)) / per; n < ok {
				ok, bound = n, 1
			}
		}
		if g >= 0 && share > 0 {
			for _, u := range uses {
				if n := pacerRoom(&nl.gws[g].dests[u.d].pace, t0, end, m.p.NATNewConnectionRate) / int64(u.n); n < ok {
					ok, bound = n, 2
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
		r := min(share-ok, max(inv-lost, 0))
		if r > 0 {
			if bound == 1 {
				m.counters.ENIConnRateFails += r
			} else {
				m.counters.NATConnFails += r
			}
		}
		simRef += lost
		rateRef += r
	}
	return simRef, rateRef
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
