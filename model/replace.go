package model

import (
	"slices"
	"time"

	"github.com/enisim/enisim/sim"
)

// ENI replacement (facts §1: "Lambda may delete and recreate ENIs to balance load or after
// failed health checks"). No rate is published: Params.ENIRebalanceEvery and
// ENIHealthFailEvery are mean times per ready Hyperplane ENI, off by default.
//
// A rebalance is make-before-break: the ENI keeps carrying its combination's traffic
// while a replacement is created through the usual path (quota, IPs, the execution role's
// permissions, the EC2 buckets); when the replacement is ready the old ENI is detached and
// deleted (reason Rebalanced). If the replacement cannot be made the old ENI stays.
//
// A failed health check makes the ENI unusable at once: it is detached and deleted (it
// keeps its IP and its place in the quotas until deleted), the connections through it are
// broken — the environments of the functions using the combination are retired, so their
// next invocations cold-start — and a replacement is requested. While the combination has
// no ready ENI its functions stay Active; a cold start goes to another subnet of the
// function with a ready ENI, and fails with EC2UnexpectedException when there is none.
// If the replacement cannot be made (quota, IPs, permissions, throttling, InternalError),
// the functions lose their VPC connection: they go Inactive with the failure as reason,
// and the next invocation restores them like after idle reclamation (facts §3, §4).

// replaceHealth marks an evENIReplace event as a failed health check (else a rebalance).
const replaceHealth = 1 << 32

// armReplace schedules ready ENI e's next rebalance or failed health check, the earlier
// of two exponential draws from its own stream (none when both are off).
func (m *Model) armReplace(e int32, s sim.Scheduler) {
	rb, hf := m.p.ENIRebalanceEvery, m.p.ENIHealthFailEvery
	if rb <= 0 && hf <= 0 {
		return
	}
	en := &m.enis[e]
	now := s.Now()
	wait, kind := time.Duration(-1), uint64(0)
	if rb > 0 {
		wait = expSpan(rb, &en.rng)
	}
	if hf > 0 {
		if w := expSpan(hf, &en.rng); wait < 0 || w < wait {
			wait, kind = w, replaceHealth
		}
	}
	if wait >= sim.MaxTime.Sub(now) {
		return // beyond the end of time
	}
	m.must(s, sim.Event{At: now.Add(wait), Kind: evENIReplace, Obj: uint32(e), Arg: uint64(en.gen) | kind})
}

// expSpan is an exponential draw of mean d, saturating instead of overflowing.
func expSpan(d time.Duration, src *randPCG) time.Duration {
	v := expDraw(src) * float64(d)
	if v >= float64(1<<63-1) {
		return time.Duration(1<<63 - 1)
	}
	return time.Duration(v)
}

// armReplaceAll arms every ready ENI (the deployed functions' ENIs at the start).
func (m *Model) armReplaceAll(s sim.Scheduler) {
	for e := range m.enis {
		if m.enis[e].state == eniReady {
			m.armReplace(int32(e), s)
		}
	}
}

func (m *Model) onENIReplace(ev sim.Event, s sim.Scheduler) {
	e := int32(ev.Obj)
	en := &m.enis[e]
	if en.gen != uint32(ev.Arg) || en.state != eniReady {
		return
	}
	if cb := &m.combos[en.combo]; cb.refs == 0 || len(cb.users) == 0 {
		return
	}
	if ev.Arg&replaceHealth != 0 {
		m.healthFail(e, s)
		return
	}
	m.rebalance(e, s)
}

// replaceRole is the role that creates a replacement for combo c and deletes the old ENI:
// the first function using it, as for the ENIs added for connections (wantMoreENIs).
func (m *Model) replaceRole(c int32) int32 {
	return m.fns[m.combos[c].users[0]].role
}

// rebalance starts replacing ready ENI e; it keeps serving until the replacement is ready.
func (m *Model) rebalance(e int32, s sim.Scheduler) {
	now := s.Now()
	c := m.enis[e].combo
	if m.enis[e].replacing {
		return // its replacement is on the way
	}
	m.counters.ENIsRebalanced++
	m.eniEvent(e, now, "Rebalance", "", 0)
	if r := m.newRequest(c, m.replaceRole(c), false, "Rebalance", e, s); r != ReasonNone {
		m.counters.ENIReplaceFails++
		m.eniEvent(e, now, "ReplaceFailed", r.String(), 0)
		m.armReplace(e, s) // it keeps serving; Lambda tries again later
	}
}

// healthFail takes ready ENI e out of service, breaks the connections through it and asks
// for a replacement (unless a rebalance's replacement is already on the way).
func (m *Model) healthFail(e int32, s sim.Scheduler) {
	now := s.Now()
	en := &m.enis[e]
	c := en.combo
	cb := &m.combos[c]
	m.counters.ENIHealthFails++
	m.eniEvent(e, now, "HealthCheckFailed", "", 0)
	pending := en.replacing
	if i := slices.Index(cb.enis, e); i >= 0 {
		cb.enis = slices.Delete(cb.enis, i, i+1)
	}
	cb.ready--
	role := m.replaceRole(c)
	en.role = role
	m.startDelete(e, "HealthCheckFailed", s)
	for _, fi := range m.uniqueUsers(c) {
		if slices.Contains(m.fns[fi].cur.combos, c) {
			m.retireEnvs(fi, s)
			m.aggRestep(fi, false, s) // an aggregate step's later arrivals need new environments
		}
		m.versionsBroken(fi, c, s)
	}
	cb = &m.combos[c]
	if cb.ready == 0 {
		cb.down = true
	}
	if pending {
		return
	}
	if r := m.newRequest(c, role, false, "Replace", -1, s); r != ReasonNone {
		m.counters.ENIReplaceFails++
		m.eniEvent(e, now, "ReplaceFailed", r.String(), 0)
		if cb = &m.combos[c]; cb.ready == 0 && cb.creating == 0 {
			m.comboLost(c, r, s)
		}
	}
}

// replacedBy finishes a rebalance when its replacement e is ready: the old ENI, if still
// ready, is detached and deleted.
func (m *Model) replacedBy(e int32, s sim.Scheduler) {
	// Aggregate steps accounted while the combination was down (aggregate_net.go); first,
	// as they may add ENIs (connection scale-out), moving m.enis.
	m.aggComboUp(m.enis[e].combo, s)
	en := &m.enis[e]
	old := en.replaces
	if old < 0 {
		return
	}
	en.replaces = -1
	o := &m.enis[old]
	if o.gen != en.replacesGen || o.state != eniReady || o.combo != en.combo {
		return // it failed a health check or was retired meanwhile
	}
	cb := &m.combos[o.combo]
	if i := slices.Index(cb.enis, old); i >= 0 {
		cb.enis = slices.Delete(cb.enis, i, i+1)
	}
	cb.ready--
	o.role = en.role
	m.startDelete(old, "Rebalanced", s)
}

// replaceFailed handles the failed creation of ENI e when it was a rebalance's
// replacement: the old ENI, still serving, keeps doing so and is armed again.
func (m *Model) replaceFailed(e int32, r Reason, s sim.Scheduler) {
	en := &m.enis[e]
	old := en.replaces
	if old < 0 {
		return
	}
	en.replaces = -1
	m.counters.ENIReplaceFails++
	o := &m.enis[old]
	if o.gen != en.replacesGen || o.state != eniReady {
		return
	}
	o.replacing = false
	m.eniEvent(old, s.Now(), "ReplaceFailed", r.String(), 0)
	m.armReplace(old, s)
}

// comboLost ends a failed health check whose replacement could not be made: combo c has
// no ENI and none on the way, so every function and version using it loses its VPC
// connection and goes Inactive with reason r (the next invocation restores it).
func (m *Model) comboLost(c int32, r Reason, s sim.Scheduler) {
	cb := &m.combos[c]
	if !cb.down || cb.ready > 0 || cb.creating > 0 {
		return
	}
	cb.down = false
	now := s.Now()
	for _, fi := range m.uniqueUsers(c) {
		f := &m.fns[fi]
		if op := f.op; op != nil {
			// An operation that attached to the combination's lost ENI fails as if its
			// creation had (a restore sets up the current configuration).
			nc := op.pend
			if op.kind == opRestore {
				nc = f.cur
			}
			if slices.Contains(nc.combos, c) {
				m.opFailed(fi, op.gen, r, s)
			}
		}
		if f.state == StateActive && slices.Contains(f.cur.combos, c) {
			m.setState(fi, StateInactive, r, now)
			m.retireEnvs(fi, s)
		}
		m.versionsLost(fi, c, r, s)
	}
}

// usableCombo picks, for a cold start on configuration nc whose round-robin position is
// next, the next of its combinations with a ready ENI after the one a failed health check
// left without (-1: none has one).
func (m *Model) usableCombo(nc *netcfg, next uint32) int32 {
	n := uint32(len(nc.combos))
	for k := uint32(1); k < n; k++ {
		if c := nc.combos[(next+k)%n]; m.combos[c].ready > 0 {
			return c
		}
	}
	return -1
}
