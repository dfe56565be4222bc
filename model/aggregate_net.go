package model

import (
	"math"
	"slices"

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
// environments' and the other aggregate functions' connections leave (see "Shared
// simultaneous limit" below), the offered load is the step's M/G/∞ load on the
// combination, and each admitted invocation is refused with probability B(load, servers)
// (an arrival that finds every admissible environment busy needs a new one, which the
// gateway refuses). Exact functions see the aggregate ones' charges to the rate pacers,
// front-loaded at the step's start (an exact connection early in the step can be refused
// for aggregate connections that, spread evenly, would come later).

// aggAllDown reports whether none of f's combinations has a ready ENI (a failed health
// check took the last one of each); false for a function with no combinations.
func (m *Model) aggAllDown(f *function) bool {
	return len(f.cur.combos) > 0 && m.readyCombos(f) == 0
}

// readyCombos is how many of f's combinations have a ready ENI.
func (m *Model) readyCombos(f *function) int {
	ready := 0
	for _, c := range f.cur.combos {
		if m.combos[c].ready > 0 {
			ready++
		}
	}
	return ready
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
	ready := m.readyCombos(f)
	if ready == 0 {
		return 0, 0 // no combination: nothing goes through a gateway or an ENI
	}
	per := int64(a.connsPerInv) // connections of one set, all targets
	// The environments' connections the gateways count (keep-alive, placed on the current
	// configuration's combos): cnt[j] for combo f.cur.combos[j].
	var cnt []int32
	if a.conns > 0 && len(uses) > 0 && slices.Equal(a.onCombos, f.cur.combos) {
		cnt = m.aggCounted(a)
		m.exactNATWant()
	}
	k := 0
	for j, c := range f.cur.combos {
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
		if g >= 0 && (inv > 0 || cnt != nil) {
			gw := &nl.gws[g]
			load := rho / float64(ready)
			pLoss := 0.0
			room := int64(math.MaxInt32) // environments that fit beside everyone else's
			for _, u := range uses {
				d := &gw.dests[u.d]
				free := int64(gw.limit) - int64(d.conns)
				if cnt != nil {
					own, ownWant := m.aggOwn(a, cnt, g, u.n)
					free -= int64(d.agg) - own
					if want := int64(d.want) + max(int64(d.xwant), int64(d.conns)); want > int64(gw.limit) {
						// More wanted than fits: the limit is shared in proportion to what
						// each wants, within what the others hold now.
						free = min(free, int64(gw.limit)*ownWant/want)
					}
				}
				servers := free / int64(u.n)
				room = min(room, max(servers, 0))
				if inv > 0 && !negligibleBlocking(load, int(min(servers, math.MaxInt32))) {
					pLoss = max(pLoss, erlangB(load, int(max(servers, 0))))
				}
			}
			if cnt != nil {
				// The gateway holds this combination's environments up to the room left.
				m.aggCount(a, j, min(a.on[j], int32(room)))
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

// Shared simultaneous limit. Aggregate keep-alive environments hold their connections at
// the gateway like exact ones, so the functions behind one gateway share its limit per
// destination: natDest.agg counts, per destination, the connections of the aggregate
// environments the gateway holds, and
//   - an exact environment needs room beside both (netAdmit, netReconnect);
//   - an aggregate function's Erlang servers are the room beside the exact environments
//     and the other aggregate functions' counted environments (aggNetRefused); when more
//     is wanted than fits (natDest.want, all aggregate environments placed, plus the exact
//     functions' estimated want, exactNATWant), at most its share of the limit in
//     proportion to its own environments — otherwise the first to step after a quiet
//     spell would take the whole room and keep it while its environments live;
//   - at each step a function's environments on a combination are counted up to that
//     room (those beyond it could not have opened their connections), and stop being
//     counted as they go (aggSetEnvs, aggDropConns) or when the network drops their idle
//     flows (aggDropIdleFlows: the gateway forgets them, and the next step counts them
//     again as they reconnect).
// Idle environments of other functions take room an arrival cannot use, as at the exact
// level, where that is what makes a shared gateway refuse more than one Erlang loss system
// over the pooled load would. Counted per environment on a step's schedule, the room
// between steps is what the last steps left: a function's environments on two subnets
// behind one gateway are each counted against the whole room, and per-invocation
// functions' in-flight connections (held for one invocation) are not counted.

// exactNATWant computes, once per sampling interval, what the exact functions want to
// hold at each destination (natDest.xwant): per function and ready combination, the
// environments an M/G/∞ system with the interval's expected load peaks at
// (peakBusy, as an aggregate step's), times its connections. Trace-driven functions have
// no rate to integrate: what they hold (natDest.conns) stands in for their want.
func (m *Model) exactNATWant() {
	nl := m.net
	from := m.intervalStart
	if nl.xOK && nl.xAt == from {
		return
	}
	if !nl.xOK {
		for fi := range m.fns {
			if len(nl.fnDests[fi]) > 0 && m.agg.of[fi] < 0 {
				nl.xUsers = append(nl.xUsers, int32(fi))
			}
		}
	}
	nl.xOK, nl.xAt = true, from
	for g := range nl.gws {
		for d := range nl.gws[g].dests {
			nl.gws[g].dests[d].xwant = 0
		}
	}
	to := from.Add(m.sampleEvery)
	span := m.sampleEvery.Seconds()
	for _, fi := range nl.xUsers {
		f := &m.fns[fi]
		if f.wl == nil || f.state != StateActive {
			continue
		}
		ready := m.readyCombos(f)
		n := expected(f.wl, from, to)
		if ready == 0 || !(n > 0) {
			continue
		}
		rho := n / span * m.agg.busy[fi] / float64(ready)
		peak := peakBusy(rho, int64(math.Ceil(n/float64(ready))))
		for _, c := range f.cur.combos {
			g := nl.subnetGW[m.combos[c].subnet]
			if m.combos[c].ready == 0 || g < 0 {
				continue
			}
			for _, u := range nl.fnDests[fi] {
				nl.gws[g].dests[u.d].xwant += peak * u.n
			}
		}
	}
}

// aggCounted returns the environments of aggregate function a the gateways count, per
// combo of a.onCombos (allocated on first use, then kept).
func (m *Model) aggCounted(a *aggFn) []int32 {
	nl := m.net
	if nl.aggOn == nil {
		nl.aggOn = make([][]int32, len(m.agg.fns))
	}
	ai := m.agg.of[a.fn]
	cnt := nl.aggOn[ai]
	if len(cnt) != len(a.onCombos) {
		// onCombos was replaced after aggDropConns set every count to zero.
		if cap(cnt) >= len(a.onCombos) {
			cnt = cnt[:len(a.onCombos)]
			clear(cnt)
		} else {
			cnt = make([]int32, len(a.onCombos))
		}
		nl.aggOn[ai] = cnt
	}
	return cnt
}

// aggOwn is the connections (n per environment) of a's environments at gateway g that the
// gateway counts, and of all of them.
func (m *Model) aggOwn(a *aggFn, cnt []int32, g int32, n int32) (counted, placed int64) {
	for i, v := range cnt {
		if m.net.subnetGW[m.combos[a.onCombos[i]].subnet] == g {
			counted += int64(v) * int64(n)
			placed += int64(a.on[i]) * int64(n)
		}
	}
	return counted, placed
}

// aggWant adds delta environments of a on combo a.onCombos[i] to the connections aggregate
// environments want at its gateway (natDest.want).
func (m *Model) aggWant(a *aggFn, i int, delta int32) {
	nl := m.net
	if nl == nil || len(nl.fnDests[a.fn]) == 0 {
		return
	}
	if g := nl.subnetGW[m.combos[a.onCombos[i]].subnet]; g >= 0 {
		for _, u := range nl.fnDests[a.fn] {
			nl.gws[g].dests[u.d].want += delta * u.n
		}
	}
}

// aggCount sets how many of a's environments on combo a.onCombos[i] the gateway counts.
func (m *Model) aggCount(a *aggFn, i int, v int32) {
	nl := m.net
	cnt := nl.aggOn[m.agg.of[a.fn]]
	delta := v - cnt[i]
	if delta == 0 {
		return
	}
	cnt[i] = v
	g := nl.subnetGW[m.combos[a.onCombos[i]].subnet]
	for _, u := range nl.fnDests[a.fn] {
		nl.gws[g].dests[u.d].agg += delta * u.n
	}
}

// aggUncount stops counting a's environments on combo a.onCombos[i] beyond the a.on[i]
// it still has (called as environments go).
func (m *Model) aggUncount(a *aggFn, i int) {
	if nl := m.net; nl != nil && nl.aggOn != nil {
		if cnt := nl.aggOn[m.agg.of[a.fn]]; i < len(cnt) && cnt[i] > a.on[i] {
			m.aggCount(a, i, a.on[i])
		}
	}
}

// aggDropIdleFlows is dropIdleFlows for aggregate functions at gateway g: the counted
// environments of a function idle longer than the network idle timeout (without effective
// probes) are no longer counted. It returns next lowered to the earliest time another can
// be dropped.
func (m *Model) aggDropIdleFlows(g int32, now, next sim.Time) sim.Time {
	nl := m.net
	if m.agg == nil || nl.aggOn == nil {
		return next
	}
	for ai, cnt := range nl.aggOn {
		a := &m.agg.fns[ai]
		if !a.resets {
			continue
		}
		due := a.lastEnd.Add(m.p.NetworkIdleTimeout)
		for i, v := range cnt {
			if v == 0 || nl.subnetGW[m.combos[a.onCombos[i]].subnet] != g {
				continue
			}
			if now > due {
				m.aggCount(a, i, 0)
			} else {
				next = min(next, due)
			}
		}
	}
	return next
}

// checkAggNAT is the aggregate part of invariant 6: every destination's agg count is the
// sum of the counted aggregate environments, each count within the environments there,
// and its want the sum of all aggregate environments there. held is zeroed scratch.
func (m *Model) checkAggNAT(held [][]int32) error {
	nl := m.net
	want := make([][]int32, len(held))
	for g := range held {
		want[g] = make([]int32, len(held[g]))
	}
	if m.agg != nil {
		for ai := range m.agg.fns {
			a := &m.agg.fns[ai]
			for i, v := range a.on {
				if g := nl.subnetGW[m.combos[a.onCombos[i]].subnet]; g >= 0 && v > 0 {
					for _, u := range nl.fnDests[a.fn] {
						want[g][u.d] += v * u.n
					}
				}
			}
		}
	}
	for ai, cnt := range nl.aggOn {
		a := &m.agg.fns[ai]
		for i, v := range cnt {
			if v < 0 || i >= len(a.on) || v > a.on[i] {
				return invariantError(m.seed, "invariant 6: aggregate function %d counts %d environments at a NAT gateway on combo %d, has %d",
					a.fn, v, i, a.on)
			}
			if v == 0 {
				continue
			}
			g := nl.subnetGW[m.combos[a.onCombos[i]].subnet]
			for _, u := range nl.fnDests[a.fn] {
				held[g][u.d] += v * u.n
			}
		}
	}
	for g := range nl.gws {
		for d := range nl.gws[g].dests {
			if got := nl.gws[g].dests[d].agg; got != held[g][d] {
				return invariantError(m.seed, "invariant 6: NAT gateway %d destination %d counts %d aggregate connections, aggregate environments hold %d",
					g, d, got, held[g][d])
			}
			if got := nl.gws[g].dests[d].want; got != want[g][d] {
				return invariantError(m.seed, "invariant 6: NAT gateway %d destination %d: aggregate environments want %d connections, %d counted",
					g, d, want[g][d], got)
			}
		}
	}
	return nil
}
