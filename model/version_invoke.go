package model

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/enisim/enisim/model/dataplane"
	"github.com/enisim/enisim/sim"
)

// The data plane of published versions. Lambda runs each version of a function in
// execution environments of its own: an invocation of version 1 never reuses an
// environment of $LATEST or of version 2, so it cold-starts even while those are warm.
// The environments connect through the configuration the version was published with (its
// subnets and security groups: the combination's ENIs it pins), so a version published
// before a VPC switchover keeps serving through the old VPC's ENIs.
//
// A version's invocations otherwise go through everything $LATEST's do: the account's
// concurrency and rate, the scaling rate, cold starts, keep-alive and reconnects after the
// idle drop, the 65,000 connections per ENI, the NAT gateway and ENI connection limits,
// latency and RTT spikes. They are reported under the qualified name "function:N": their
// own interval records (with the version's VPC) and per-invocation rows.
//
// A version keeps the memory it was published with (its cold starts scale with it).
// Simplifications: its targets, connection mode and service time are the function's (the
// model never changes those of a function); the scaling-rate bucket belongs to the
// dataplane pool, so each version has its own where facts §8 gives the rate per function
// (a version and $LATEST bursting together can scale faster than one function would).
// runVersion runs a version's invocation through invoke's own body (invokeOn, invoke.go)
// with the version's pool, runtime and configuration.

// versionRT is the data plane of one published version, made on its first invocation.
type versionRT struct {
	fi, n       int32
	idx         int32 // index in Model.vrts: the Obj of its completion and expiry events
	acc         int32 // interval accumulator slot, -1 when none this interval
	nextCombo   uint32
	mem         int    // the version's memory (MB)
	unreachable bool   // from the version's configuration, something the function calls has no route
	net         netcfg // the version's configuration (immutable, shared with its version)
	name        string // "function:N", made once (no allocation per invocation)
	pool        *dataplane.Pool
	rt          fnRuntime // its own draws and per-environment bookkeeping (arrivals unused)
}

// versionRTFor returns the data plane of fi's version vi, making it on first use.
func (m *Model) versionRTFor(fi int32, vi int) *versionRT {
	meta := &m.fmeta[fi]
	v := &meta.versions[vi]
	if v.rt != nil {
		return v.rt
	}
	pool, err := dataplane.NewPool(meta.dpCfg)
	if err != nil {
		m.panicf("function %s: data-plane configuration validated in New: %v", meta.name, err)
	}
	// A stream per version, apart from $LATEST's: invoking a version leaves $LATEST's
	// draws unchanged.
	key := meta.key ^ uint64(v.n)*0x9e3779b97f4a7c15
	vr := &versionRT{fi: fi, n: int32(v.n), idx: int32(len(m.vrts)), acc: -1, net: v.net, mem: v.mem,
		name: meta.name + ":" + strconv.Itoa(v.n), pool: pool, unreachable: m.unreachable(fi, v.net)}
	vr.rt = fnRuntime{
		draws:   *m.seed.Stream("invoke-version", key),
		sampled: *m.seed.Stream("per-invocation-version", key),
		conns:   int32(len(meta.dpCfg.Targets)),
		perInv:  meta.dpCfg.Mode == dataplane.PerInvocation,
		dp:      m.accts[m.fns[fi].acct].dp,
	}
	vr.rt.drawR = rand.New(&vr.rt.draws)
	m.vrts = append(m.vrts, vr)
	v.rt = vr
	return vr
}

// versionAcc returns vr's accumulator for the current interval.
func (m *Model) versionAcc(vr *versionRT) *intervalAcc {
	if vr.acc >= 0 {
		return &m.accs[vr.acc]
	}
	i := m.takeAcc()
	vr.acc = i
	a := &m.accs[i]
	a.fn, a.vpc, a.start = vr.fi, vr.net.vpc, m.intervalStart
	m.vactive = append(m.vactive, vr.idx)
	m.active = append(m.active, vr.fi) // the interval had activity (Finish)
	return a
}

// emitVersionIntervals reports the versions' records of the interval ending at now, after
// the functions' ones, in function and version order (not in order of first invocation,
// which would depend on how accounts are partitioned).
func (m *Model) emitVersionIntervals(now sim.Time) {
	if len(m.vactive) == 0 {
		return
	}
	slices.SortFunc(m.vactive, func(a, b int32) int {
		x, y := m.vrts[a], m.vrts[b]
		return cmp.Or(cmp.Compare(x.fi, y.fi), cmp.Compare(x.n, y.n), cmp.Compare(a, b))
	})
	for _, i := range m.vactive {
		vr := m.vrts[i]
		m.emitAcc(vr.acc, vr.name, vr.pool, now)
		vr.acc = -1
	}
	m.vactive = m.vactive[:0]
}

// runVersion runs one invocation of an Active version in its own environments, with
// its pool, runtime and pinned configuration.
func (m *Model) runVersion(vr *versionRT, acc *intervalAcc, now sim.Time, s sim.Scheduler) {
	m.invokeOn(vr.fi, vr, acc, now, 0, s)
}

func (m *Model) onVersionComplete(ev sim.Event, s sim.Scheduler) {
	vr := m.vrts[ev.Obj]
	env, gen := dataplane.UnpackArg(ev.Arg)
	x, destroyed := vr.pool.Complete(s.Now(), m.accts[m.fns[vr.fi].acct].dp, env, gen)
	rt := &vr.rt
	if rt.perInv {
		m.dropConns(rt, int(env))
	}
	if destroyed {
		m.versionEnvGone(vr, int(env), s)
	}
	if x.Set {
		m.must(s, sim.Event{At: x.At, Kind: evVerExpire, Obj: uint32(vr.idx), Arg: x.Arg()})
	}
}

func (m *Model) onVersionExpire(ev sim.Event, s sim.Scheduler) {
	vr := m.vrts[ev.Obj]
	env, gen := dataplane.UnpackArg(ev.Arg)
	destroyed, next := vr.pool.Expire(s.Now(), env, gen)
	if destroyed {
		m.versionEnvGone(vr, int(env), s)
	}
	if next.Set {
		m.must(s, sim.Event{At: next.At, Kind: evVerExpire, Obj: uint32(vr.idx), Arg: next.Arg()})
	}
}

// versionEnvGone releases what a destroyed environment of a version held (envGone's work).
func (m *Model) versionEnvGone(vr *versionRT, env int, s sim.Scheduler) {
	rt := &vr.rt
	m.dropConns(rt, env)
	if c := rt.envCombo[env]; c >= 0 && m.cfg.Legacy {
		m.legacyENIDrop(vr.fi, c, s)
	}
	rt.envCombo[env] = -1
}

// retireVersionEnvs makes a version's environments unusable when it leaves Active (idle,
// its combination lost or reclaimed) or its function is deleted: idle ones are destroyed
// now, busy ones when they complete (retireEnvs' work).
func (m *Model) retireVersionEnvs(vr *versionRT, s sim.Scheduler) {
	vr.pool.Retire(s.Now())
	rt := &vr.rt
	for e := range rt.envCombo {
		if rt.envCombo[e] < 0 {
			continue
		}
		if !vr.pool.EnvBusy(dataplane.EnvID(e)) {
			m.versionEnvGone(vr, e, s)
		} else if !m.cfg.Legacy {
			m.dropConns(rt, e) // invariant 6, as in retireEnvs
		}
	}
}

// versionsBroken retires the environments of fi's versions using combo c, whose ENI
// failed a health check and broke their connections (replace.go's healthFail, as for
// $LATEST).
func (m *Model) versionsBroken(fi, c int32, s sim.Scheduler) {
	for i := range m.fmeta[fi].versions {
		v := &m.fmeta[fi].versions[i]
		if v.rt != nil && slices.Contains(v.net.combos, c) {
			m.retireVersionEnvs(v.rt, s)
		}
	}
}

// retireVersions retires the environments of all fi's versions (the function is deleted).
func (m *Model) retireVersions(fi int32, s sim.Scheduler) {
	for i := range m.fmeta[fi].versions {
		if vr := m.fmeta[fi].versions[i].rt; vr != nil {
			m.retireVersionEnvs(vr, s)
		}
	}
}
