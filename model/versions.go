package model

import (
	"fmt"
	"math"
	"slices"

	"github.com/enisim/enisim/sim"
)

// Published versions invoked by a workload (facts §3, §10). A version is a snapshot of the
// function's configuration holding its own ENIs: its invocations keep its combinations in
// use, it goes Inactive(Idle) after IdleReclaim without one (like $LATEST), and invoking an
// Inactive version fails with ResourceNotReadyException and starts its own restore
// (Pending(Restoring), then Active; Inactive again if the ENIs cannot be set up).
//
// An Active version's invocations run in the version's own execution environments, over
// its own configuration's ENIs (version_invoke.go); every invocation of a version counts in
// Counters.Invocations and VersionInvocations and, once the version exists, in the version's
// interval record ("function:N").

// versionOpFlag marks an operation generation as a version's restore: gen = flag |
// version index << 16 | low 16 bits of the function's operation sequence. Combo waiters
// and attach timers carry it unchanged through setupNet, and opStepDone / opFailed hand
// such generations to the version.
const (
	versionOpFlag = 1 << 31
	maxVersions   = 1<<15 - 1
)

// qualifiers sends a share of a workload's invocations to published versions.
type qualifiers struct {
	versions []int     // version numbers
	cum      []float64 // cumulative shares, parallel to versions
	rng      randPCG
}

// buildQualifiers validates Workload.Qualifiers and compiles them into wl.
func (m *Model) buildQualifiers(wl *workload, fc *Function, key uint64, path string) error {
	qs := fc.Workload.Qualifiers
	if len(qs) == 0 {
		return nil
	}
	if fc.Fidelity == FidelityAggregate {
		return errorf(path+".qualifiers", len(qs), "not with fidelity aggregate (version invocations are simulated one by one)")
	}
	if wl == nil {
		return errorf(path+".qualifiers", len(qs), "the workload has no rate: nothing to share")
	}
	q := &qualifiers{rng: *m.seed.Stream("qualifier", key)}
	total := 0.0
	for i, x := range qs {
		f := fmt.Sprintf("%s.qualifiers[%d]", path, i)
		if x.Version < 1 || x.Version > maxVersions {
			return errorf(f+".version", x.Version, "want a published version number, 1 to %d", maxVersions)
		}
		if slices.Contains(q.versions, x.Version) {
			return errorf(f+".version", x.Version, "listed twice")
		}
		if math.IsNaN(x.Share) || x.Share <= 0 || x.Share > 1 {
			return errorf(f+".share", x.Share, "must be in (0, 1]")
		}
		total += x.Share
		if total > 1+1e-9 {
			return errorf(f+".share", x.Share, "the shares add up to %.4g: at most 1", total)
		}
		q.versions = append(q.versions, x.Version)
		q.cum = append(q.cum, total)
	}
	wl.quals = q
	return nil
}

// invokeQualified draws whether an arrival of fi goes to a published version and, if so,
// invokes it; false leaves the arrival to $LATEST.
func (m *Model) invokeQualified(fi int32, q *qualifiers, s sim.Scheduler) bool {
	u := u01(&q.rng)
	for i, c := range q.cum {
		if u < c {
			m.invokeVersion(fi, q.versions[i], s)
			return true
		}
	}
	return false
}

// invokeVersion handles one invocation of fi's published version n now.
func (m *Model) invokeVersion(fi int32, n int, s sim.Scheduler) {
	now := s.Now()
	f := &m.fns[fi]
	meta := &m.fmeta[fi]
	m.counters.Invocations++
	m.counters.VersionInvocations++
	if f.state == StateAbsent || n > len(meta.versions) {
		m.fail(m.accFor(fi), ErrResourceNotFound)
		return
	}
	vi := n - 1 // versions are numbered 1, 2… in publication order
	v := &meta.versions[vi]
	vr := m.versionRTFor(fi, vi)
	acc := m.versionAcc(vr)
	switch v.state {
	case StateActive:
		v.last = now
		m.runVersion(vr, acc, now, s)
	case StateInactive:
		m.fail(acc, ErrResourceNotReady)
		v.last = now
		if v.op == nil {
			m.startVersionRestore(fi, vi, s)
		}
	case StatePending:
		m.fail(acc, ErrResourceNotReady)
	default:
		m.fail(acc, v.reason.invokeError())
	}
}

// setVersionState moves fi's version vi to state `to`, checking the edge and reporting it.
// A version leaving Active loses its execution environments, as $LATEST does.
func (m *Model) setVersionState(fi int32, vi int, to State, r Reason, s sim.Scheduler) {
	now := s.Now()
	meta := &m.fmeta[fi]
	v := &meta.versions[vi]
	if !stateEdges[v.state][to] {
		m.panicf("function %s version %d: state %s -> %s is not a documented transition", meta.name, v.n, v.state, to)
	}
	from := v.state
	v.state, v.reason = to, r
	if from == StateActive && to != StateActive && v.rt != nil {
		m.retireVersionEnvs(v.rt, s)
	}
	m.obs.StateChange(StateChange{At: now, Account: m.accts[m.fns[fi].acct].id, Function: meta.name,
		Version: fmt.Sprint(v.n), From: from.String(), To: to.String(), Reason: r.String()})
}

// startVersionRestore sets up an Inactive version's ENIs again after an invocation, as
// startRestore does for $LATEST: attach where its combinations still have a ready ENI,
// re-create them otherwise.
func (m *Model) startVersionRestore(fi int32, vi int, s sim.Scheduler) {
	now := s.Now()
	meta := &m.fmeta[fi]
	meta.opSeq++ // a fresh control stream for the restore's draws
	gen := uint32(versionOpFlag | vi<<16 | int(meta.opSeq&0xffff))
	op := &opState{kind: opRestore, gen: gen, start: now, pend: noVPC()}
	meta.versions[vi].op = op
	m.setVersionState(fi, vi, StatePending, ReasonRestoring, s)
	if r := m.setupNet(fi, op, meta.versions[vi].net, true, s); r != ReasonNone {
		m.versionOpFailed(fi, gen, r, s)
		return
	}
	if op.outstanding == 0 {
		m.versionOpDone(fi, vi, s)
	}
}

// versionOp returns the version restore that gen names, or -1 if it is stale (the
// version or the function is gone, or another restore started since).
func (m *Model) versionOp(fi int32, gen uint32) int {
	vi := int(gen>>16) & maxVersions
	vs := m.fmeta[fi].versions
	if vi >= len(vs) || vs[vi].op == nil || vs[vi].op.gen != gen {
		return -1
	}
	return vi
}

// versionStepDone counts one finished part of a version's restore.
func (m *Model) versionStepDone(fi int32, gen uint32, s sim.Scheduler) {
	vi := m.versionOp(fi, gen)
	if vi < 0 {
		return
	}
	op := m.fmeta[fi].versions[vi].op
	op.outstanding--
	if op.outstanding > 0 {
		return
	}
	m.versionOpDone(fi, vi, s)
}

func (m *Model) versionOpDone(fi int32, vi int, s sim.Scheduler) {
	now := s.Now()
	v := &m.fmeta[fi].versions[vi]
	v.op = nil
	m.setVersionState(fi, vi, StateActive, ReasonNone, s)
	for _, c := range m.fmeta[fi].versions[vi].net.combos {
		m.armIdle(c, now, s)
	}
}

// versionOpFailed ends a version's restore that could not set up its ENIs: it returns to
// Inactive (facts §3).
func (m *Model) versionOpFailed(fi int32, gen uint32, r Reason, s sim.Scheduler) {
	vi := m.versionOp(fi, gen)
	if vi < 0 {
		return
	}
	m.fmeta[fi].versions[vi].op = nil
	m.setVersionState(fi, vi, StateInactive, r, s)
}

// useOf is function fi's last use of combo c: its own (last invocation, or now while an
// operation is in progress) where $LATEST or the pending configuration uses c, and that
// of each version using c. A version's invocations therefore keep its combinations alive,
// and $LATEST's do not keep alive combinations only old versions use.
func (m *Model) useOf(fi, c int32, now sim.Time) sim.Time {
	f := &m.fns[fi]
	var last sim.Time
	if slices.Contains(f.cur.combos, c) || (f.op != nil && slices.Contains(f.op.pend.combos, c)) {
		last = m.lastUse(fi, now)
	}
	for i := range m.fmeta[fi].versions {
		v := &m.fmeta[fi].versions[i]
		if !slices.Contains(v.net.combos, c) {
			continue
		}
		if v.op != nil {
			return now
		}
		last = max(last, v.last)
	}
	return last
}

// versionsIdleDue is the earliest last use among fi's Active versions on combo c (MaxTime
// when none): when the first of them can go Inactive, minus IdleReclaim.
func (m *Model) versionsIdleDue(fi, c int32) sim.Time {
	due := sim.MaxTime
	for i := range m.fmeta[fi].versions {
		v := &m.fmeta[fi].versions[i]
		if v.state == StateActive && slices.Contains(v.net.combos, c) {
			due = min(due, v.last)
		}
	}
	return due
}

// idleVersions moves the Active versions on combo c that were not invoked for
// IdleReclaim to Inactive(Idle), as onIdleCheck does for functions; the combination's ENIs
// stay while other users are busy.
func (m *Model) idleVersions(c int32, s sim.Scheduler) {
	now := s.Now()
	for _, fi := range m.uniqueUsers(c) {
		vs := m.fmeta[fi].versions
		for vi := range vs {
			v := &vs[vi]
			if v.state == StateActive && v.op == nil && v.last.Add(m.p.IdleReclaim) <= now && slices.Contains(v.net.combos, c) {
				m.setVersionState(fi, vi, StateInactive, ReasonIdle, s)
			}
		}
	}
}

// versionsLost handles combo c losing its ENIs for good (replace.go's comboLost): fi's
// Active versions using it go Inactive with reason r, and a version restore that was
// attaching to it or waiting for it fails (back to Inactive), as $LATEST's would.
func (m *Model) versionsLost(fi, c int32, r Reason, s sim.Scheduler) {
	vs := m.fmeta[fi].versions
	for vi := range vs {
		v := &vs[vi]
		if !slices.Contains(v.net.combos, c) {
			continue
		}
		if v.op != nil {
			m.versionOpFailed(fi, v.op.gen, r, s)
		} else if v.state == StateActive {
			m.setVersionState(fi, vi, StateInactive, r, s)
		}
	}
}

// checkVersions verifies invariants 3 and 5 for published versions: an Active version's
// combinations have a ready ENI (Hyperplane mode) or, after a failed health check, a
// replacement on the way; Pending ⇔ a restore in progress.
func (m *Model) checkVersions() error {
	for fi := range m.fmeta {
		for _, v := range m.fmeta[fi].versions {
			if (v.state == StatePending) != (v.op != nil) {
				return invariantError(m.seed, "invariant 5: function %s version %d is %s with restore %v",
					m.fmeta[fi].name, v.n, v.state, v.op)
			}
			if v.state != StateActive || m.cfg.Legacy {
				continue
			}
			for _, c := range v.net.combos {
				if cb := &m.combos[c]; cb.ready == 0 && !(cb.down && cb.creating > 0) {
					return invariantError(m.seed, "invariant 3: function %s version %d is Active but combination %s/%s has no ready ENI",
						m.fmeta[fi].name, v.n, m.subnets[m.combos[c].subnet].id, m.combos[c].sgs)
				}
			}
		}
	}
	return nil
}
