package model

import (
	"slices"

	"github.com/enisim/enisim/model/dataplane"
	"github.com/enisim/enisim/sim"
)

func (m *Model) onSample(ev sim.Event, s sim.Scheduler) {
	now := s.Now()
	m.emitSamples(now)
	m.must(s, sim.Event{At: now.Add(m.sampleEvery), Kind: evSample})
}

// emitSamples reports the interval that ends at now (per-function aggregates) and the
// ENI and subnet state at now, in index order so output does not depend on event order.
func (m *Model) emitSamples(now sim.Time) {
	m.intervalStart = now
	slices.Sort(m.active)
	m.active = slices.Compact(m.active)
	for _, fi := range m.active {
		if m.fns[fi].acc >= 0 {
			m.emitInterval(fi, now)
		}
	}
	m.emitVersionIntervals(now)
	m.active = m.active[:0]
	clear(m.splitAt)
	m.emitState(now)
}

// splitInterval ends fi's interval record at now, so that the invocations served by the
// old and the new VPC of a switchover are reported apart.
func (m *Model) splitInterval(fi int32, now sim.Time) {
	if m.fns[fi].acc < 0 {
		return
	}
	m.emitInterval(fi, now)
	if m.splitAt == nil {
		m.splitAt = map[int32]sim.Time{}
	}
	m.splitAt[fi] = now
}

// emitInterval reports fi's accumulator up to now and frees it.
func (m *Model) emitInterval(fi int32, now sim.Time) {
	f := &m.fns[fi]
	m.emitAcc(f.acc, m.fmeta[fi].name, f.pool, now)
	f.acc = -1
}

// emitAcc reports accumulator slot i (of a function, or of a published version under its
// qualified name) up to now, with pool's concurrency peak and environments, and frees it.
func (m *Model) emitAcc(i int32, name string, pool *dataplane.Pool, now sim.Time) {
	{
		a := &m.accs[i]
		st := IntervalStats{Start: a.start, End: now, Account: m.accts[m.fns[a.fn].acct].id,
			Function: name, VPC: m.vpcName(a.vpc)}
		x := &a.acc
		st.Invocations = int(x.Invocations)
		st.ColdStarts = int(x.ColdStarts)
		st.InitTimeouts = int(x.InitTimeouts)
		st.Throttled = int(x.Throttled)
		st.ConnReused, st.ConnNew, st.ConnResets = int(x.ConnReused), int(x.ConnNew), int(x.ConnResets)
		st.LatencySum, st.ColdStartSum = x.LatencySum, x.ColdStartSum
		st.ConnSetupSum, st.OperationSum = x.ConnSetupSum, x.OperationSum
		if x.Invocations > 0 {
			st.LatencyP50, st.LatencyP99 = x.P50(), x.P99()
			st.Latency = &x.Latency
		}
		st.NATBytes = a.natBytes
		if x.Throttled > 0 {
			st.Errors = map[string]int{ErrTooManyRequests.String(): int(x.Throttled)}
		}
		for code, n := range a.errors {
			if n > 0 {
				if st.Errors == nil {
					st.Errors = map[string]int{}
				}
				st.Errors[ErrCode(code).String()] = int(n)
				st.Failed += int(n)
			}
		}
		if pool != nil {
			busy, _ := pool.TakePeaks()
			st.ConcurrentPeak = busy
			st.EnvironmentsAlive = pool.Alive()
		}
		m.obs.Interval(st)
		*a = intervalAcc{}
		m.freeAccs = append(m.freeAccs, i)
	}
}

// emitState reports the ENI and subnet state at now.
func (m *Model) emitState(now sim.Time) {

	// Deleting and lingering ENIs per combo, counted in one pass; legacy ENIs being
	// deleted count in their subnet's IPsLegacy instead (ENISample is about Hyperplane ENIs).
	deleting := make([]int32, len(m.combos))
	lingering := make([]int32, len(m.combos))
	legacyGoing := make([]int32, len(m.subnets))
	for e := range m.enis {
		en := &m.enis[e]
		if en.legacy && en.state != eniGone {
			legacyGoing[en.subnet]++
			continue
		}
		switch en.state {
		case eniDeleting:
			deleting[en.combo]++
		case eniLingering:
			lingering[en.combo]++
		}
	}
	for c := range m.combos {
		cb := &m.combos[c]
		if cb.refs == 0 && len(cb.enis) == 0 && deleting[c] == 0 && lingering[c] == 0 {
			continue
		}
		sn := &m.subnets[cb.subnet]
		v := &m.vpcs[sn.vpc]
		m.obs.ENISample(ENISample{At: now, Account: m.accts[cb.acct].id, VPC: v.id, Subnet: sn.id,
			SGSet: cb.sgs, ENIs: len(cb.enis), ENIsReady: int(cb.ready), Connections: int(cb.conns),
			VPCENIs: int(v.enis), VPCQuota: int(v.quota), ENIsDeleting: int(deleting[c]),
			ENIsLingering: int(lingering[c]), References: int(cb.refs)})
	}
	for i := range m.subnets {
		sn := &m.subnets[i]
		m.obs.SubnetSample(SubnetSample{At: now, Account: m.accts[sn.acct].id, VPC: m.vpcs[sn.vpc].id,
			Subnet: sn.id, IPsUsed: int(m.ipsUsed(sn)), IPsUsable: int(sn.usable),
			IPsOther: int(sn.taken), IPsLegacy: int(sn.legacy+legacyGoing[i]) * m.p.IPsPerENI})
	}
}
