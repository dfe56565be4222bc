package model

import "github.com/enisim/enisim/sim"

// Configuration changes inside an aggregate step. A step is accounted when it opens, with
// the configuration of that moment. When the function's environments are retired inside
// the step — a configuration update (a VPC switchover among them), a code update, a
// deletion — the exact level serves the later arrivals differently: new environments
// (cold starts, connections on the new VPC's ENIs), or none once the function is deleted
// (its workload stops with it).
// aggRestep moves those arrivals out of the step: given the step's count, each of its
// spread arrivals falls after the change independently with probability
// expected(now, end) / expected(start, end), so the moved count is binomial; the step's
// sums lose the moved arrivals' share (in proportion, integer parts rounded randomly), and
// the moved arrivals are accounted again from now with the new state (after a deletion
// they are dropped: the workload stops with the function). With a VPC
// switchover the record is also split, as at the exact level (splitInterval): one record
// up to the switch under the old VPC, the next from it under the new one.

// aggRestep is called when fi's environments have been retired at s.Now() by a completed
// configuration or code update (split: the VPC changed) or a deletion.
func (m *Model) aggRestep(fi int32, split bool, s sim.Scheduler) {
	if m.agg == nil || m.agg.of[fi] < 0 {
		return
	}
	a := &m.agg.fns[m.agg.of[fi]]
	if mem := m.fmeta[fi].mem; mem != a.mem {
		a.mem, a.cold = mem, m.coldStatsFor(mem) // a configuration update changed the memory
	}
	if a.rec < 0 {
		return
	}
	now := s.Now()
	f := &m.fns[fi]
	r := &m.agg.recs[a.rec]
	moved, end := int64(0), r.stepEnd
	if r.stepArr > 0 && end > now && f.wl != nil {
		k := r.stepArr
		if r.stepFirst {
			k--
		}
		p := float64(end-now) / float64(end-r.stepFrom)
		if tot := expected(f.wl, r.stepFrom, end); tot > 0 {
			p = expected(f.wl, now, end) / tot
		}
		moved = binomial(k, p, &a.draws)
		if moved > 0 {
			m.aggUnaccount(a, r, moved)
		}
	}
	if m.agg.rows != nil && r.stepArr > 0 {
		m.aggRows(a, r, min(now, r.stepEnd))
	}
	r.stepArr = 0
	if split && r.start < now {
		m.aggEmit(a, r, now)
		*r = aggRec{start: now, vpc: f.cur.vpc}
	} else if split {
		r.vpc = f.cur.vpc
	}
	if moved == 0 {
		return
	}
	switch f.state {
	case StateActive:
		m.aggStep(fi, a, r, now, end, moved, false, s)
	case StateInactive, StatePending:
		m.counters.Invocations += moved
		m.aggFail(r, ErrResourceNotReady, moved)
	case StateFailed:
		m.counters.Invocations += moved
		m.aggFail(r, f.reason.invokeError(), moved)
	default:
		// Deleted: its workload stopped with it (opDelete), so these arrivals never
		// happen, as at the exact level.
	}
}

// aggUnaccount removes moved of the current step's arrivals from r and from the run's
// counters. The moved arrivals are split between the step's throttled, failed (no room
// for connections) and admitted ones like a draw without replacement, so that the three
// still add up to the arrivals; the admitted ones take their share of the cold starts,
// connections and time sums.
func (m *Model) aggUnaccount(a *aggFn, r *aggRec, moved int64) {
	src := &a.draws
	st := &r.step
	var mv aggSums
	pool, left := r.stepArr, moved
	take := func(class int64) int64 {
		var k int64
		if pool > 0 {
			k = binomial(left, float64(class)/float64(pool), src)
		}
		k = min(max(k, left-(pool-class), 0), class, left)
		pool -= class
		left -= k
		return k
	}
	mv.throttled = take(st.throttled)
	mv.connTO = take(st.connTO)
	mv.ec2 = take(st.ec2)
	mv.inv = take(st.inv)
	if st.inv > 0 && mv.inv > 0 {
		q := float64(mv.inv) / float64(st.inv)
		part := func(x int64) int64 { return min(roundRandom(float64(x)*q, src), x) }
		mv.cold = min(part(st.cold), mv.inv)
		mv.initTO = min(part(st.initTO), mv.cold)
		mv.connNew, mv.connReused, mv.connResets = part(st.connNew), part(st.connReused), part(st.connResets)
		mv.latSum, mv.coldSum, mv.setupSum, mv.opSum = st.latSum*q, st.coldSum*q, st.setupSum*q, st.opSum*q
		mv.natBytes = part(st.natBytes)
		mv.timedOut = min(part(st.timedOut), mv.inv)
		mv.connLate = min(part(st.connLate), mv.inv)
		if st.timedOut == st.inv {
			mv.timedOut = mv.inv // unreachable: every admitted invocation timed out
		}
	}
	r.aggSums.add(&mv, -1)
	r.errors[ErrConnectionTimeout] -= mv.connTO + mv.connLate
	r.errors[ErrTimeout] -= mv.timedOut
	r.errors[ErrEC2Unexpected] -= mv.ec2
	st.add(&mv, -1)
	r.stepArr -= moved
	m.counters.Invocations -= moved
	m.counters.ColdStarts -= mv.cold
	m.counters.Throttled -= mv.throttled
	m.counters.NATBytes -= mv.natBytes
	m.counters.NoInternet -= mv.timedOut
	if r.vpc >= 0 {
		m.vpcs[r.vpc].natBytes -= mv.natBytes
	}
	m.counters.Errors[ErrConnectionTimeout] -= mv.connTO + mv.connLate
	m.counters.Errors[ErrTimeout] -= mv.timedOut
	m.counters.Errors[ErrEC2Unexpected] -= mv.ec2
}
