package model

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/enisim/enisim/model/dataplane"
	"github.com/enisim/enisim/sim"
)

type randPCG = rand.PCG

// rtFor returns fi's invocation-side state, creating it (and the function's environment
// pool) on first use.
func (m *Model) rtFor(fi int32) *fnRuntime {
	f := &m.fns[fi]
	if f.rt != nil {
		return f.rt
	}
	meta := &m.fmeta[fi]
	pool, err := dataplane.NewPool(meta.dpCfg)
	if err != nil {
		m.panicf("function %s: data-plane configuration validated in New: %v", meta.name, err)
	}
	f.pool = pool
	rt := &fnRuntime{
		arrivals: *m.seed.Stream("arrivals", meta.key),
		draws:    *m.seed.Stream("invoke", meta.key),
		sampled:  *m.seed.Stream("per-invocation", meta.key),
		conns:    int32(len(meta.dpCfg.Targets)),
		perInv:   meta.dpCfg.Mode == dataplane.PerInvocation,
		dp:       m.accts[f.acct].dp,
	}
	rt.arrR = rand.New(&rt.arrivals)
	rt.drawR = rand.New(&rt.draws)
	f.rt = rt
	return rt
}

// rateAt is the workload's rate at t (invocations per second).
func (wl *workload) rateAt(t sim.Time) float64 {
	w := wl.w
	r := wl.rate
	if w.Diurnal.Period > 0 {
		ph := float64((t.Duration()+w.Diurnal.Phase)%w.Diurnal.Period) / float64(w.Diurnal.Period)
		r *= 1 + w.Diurnal.Amplitude*math.Sin(2*math.Pi*ph)
	}
	for _, b := range w.Bursts {
		if t >= sim.Time(b.Start) && t < sim.Time(b.End) {
			r *= b.Multiplier
		}
	}
	return r
}

// nextArrival draws the first arrival after t: a Poisson process at the peak rate, thinned
// to the time-varying rate (Lewis–Shedler), with quiet windows skipped.
func (m *Model) nextArrival(f *function, rt *fnRuntime, t sim.Time) (sim.Time, bool) {
	wl := f.wl
	for {
		gap := rt.arrR.ExpFloat64() / wl.rateMax * 1e9
		if gap >= float64(sim.MaxTime-t) {
			return 0, false
		}
		t += sim.Time(gap)
		if q, in := inQuiet(wl.w.Quiet, t); in {
			t = sim.Time(q.End) // the process is memoryless: restart at the window's end
			if q.End <= 0 {
				return 0, false
			}
			continue
		}
		if wl.constRate || u01(&rt.arrivals)*wl.rateMax < wl.rateAt(t) {
			return t, true
		}
	}
}

func inQuiet(ws []Window, t sim.Time) (Window, bool) {
	for _, w := range ws {
		if t >= sim.Time(w.Start) && t < sim.Time(w.End) {
			return w, true
		}
	}
	return Window{}, false
}

func (m *Model) scheduleArrival(fi int32, from sim.Time, s sim.Scheduler) {
	f := &m.fns[fi]
	rt := m.rtFor(fi)
	if at, ok := m.nextArrival(f, rt, from); ok {
		m.must(s, sim.Event{At: at, Kind: evArrival, Obj: uint32(fi), Arg: uint64(f.wl.gen)})
	}
}

func (m *Model) onArrival(ev sim.Event, s sim.Scheduler) {
	fi := int32(ev.Obj)
	if wl := m.fns[fi].wl; wl == nil || wl.gen != uint32(ev.Arg) {
		return
	}
	if m.agg != nil && m.agg.of[fi] >= 0 {
		m.aggArrival(fi, s) // FidelityAggregate: the arrival opens a step (aggregate.go)
		return
	}
	if q := m.fns[fi].wl.quals; q == nil || !m.invokeQualified(fi, q, s) {
		m.invoke(fi, s.Now(), 0, s)
	}
	m.scheduleArrival(fi, s.Now(), s)
}

// readAhead fetches the account's first external arrival and schedules it (at Start):
// onTrace with nothing read ahead yet only reads.
func (m *Model) readAhead(ai int32, s sim.Scheduler) {
	m.onTrace(sim.Event{At: s.Now(), Kind: evTrace, Obj: uint32(ai)}, s)
}

// onTrace runs the account's external arrival read ahead, if any, at the event's time,
// then fetches the account's next one and schedules it. (An account's trace event is
// scheduled only with an arrival read ahead.) The reading is written here rather than in
// a function of its own, which saved a call frame per trace invocation.
func (m *Model) onTrace(ev sim.Event, s sim.Scheduler) {
	ai, now := int32(ev.Obj), ev.At
	a := &m.accts[ai]
	if a.hasNext {
		m.invoke(a.fn0+a.nextFn, now, a.nextDur, s)
	}
	if a.arrivals == nil {
		return
	}
	for {
		at, fn, dur, ok := a.arrivals.Next()
		if !ok {
			a.hasNext = false
			return
		}
		if fn < 0 || fn >= a.nfn {
			m.counters.TraceSkipped++
			continue
		}
		a.nextAt, a.nextFn, a.nextDur, a.hasNext = max(at, now), fn, dur, true
		ev := sim.Event{At: a.nextAt, Kind: evTrace, Obj: uint32(ai)}
		if _, err := s.Schedule(ev); err != nil {
			m.scheduleFailed(ev, err)
		}
		return
	}
}

// scheduleFailed is must's failure. The events of every invocation (its trace arrival,
// completion and expiry) call the scheduler directly and only this on failure, which
// saves must's call frame on the hot path (must, with two calls, cannot be inlined).
//
//go:noinline
func (m *Model) scheduleFailed(ev sim.Event, err error) {
	m.panicf("scheduling %+v: %v", ev, err)
}

// accFor returns fi's accumulator for the current interval.
func (m *Model) accFor(fi int32) *intervalAcc {
	if i := m.fns[fi].acc; i >= 0 {
		return &m.accs[i]
	}
	return m.newAcc(fi)
}

// newAcc gives f (function fi) an accumulator for the current interval: accFor's slow
// path, once per function and interval, kept out of line so that accFor inlines.
func (m *Model) newAcc(fi int32) *intervalAcc {
	f := &m.fns[fi]
	i := m.takeAcc()
	f.acc = i
	a := &m.accs[i]
	a.fn = fi
	a.vpc = f.cur.vpc
	a.start = m.intervalStart
	if len(m.splitAt) > 0 {
		if t, ok := m.splitAt[fi]; ok {
			a.start = t
		}
	}
	m.active = append(m.active, fi)
	return a
}

// takeAcc returns a free accumulator slot (reused from earlier intervals when possible).
func (m *Model) takeAcc() int32 {
	if n := len(m.freeAccs); n > 0 {
		i := m.freeAccs[n-1]
		m.freeAccs = m.freeAccs[:n-1]
		return i
	}
	m.accs = append(m.accs, intervalAcc{})
	return int32(len(m.accs) - 1)
}

// invoke handles one invocation of fi's $LATEST at now; dur > 0 overrides the service time.
func (m *Model) invoke(fi int32, now sim.Time, dur time.Duration, s sim.Scheduler) {
	m.invokeOn(fi, nil, nil, now, dur, s) // inlined: $LATEST's path stays one call
}

// invokeOn runs one invocation of fi at now (dur > 0 overrides the service time): with vr
// nil, of $LATEST — it checks the function's state and runs on its environments, runtime
// and current configuration; with vr set, of that published version, which invokeVersion
// found Active (acc is then the version's record), on the version's own environments,
// runtime and pinned configuration. One body for both, so that a version's invocations go
// through exactly what $LATEST's do: a combination for a new environment, the times, the
// account's and the connection limits, the accounting, the completion.
func (m *Model) invokeOn(fi int32, vr *versionRT, acc *intervalAcc, now sim.Time, dur time.Duration, s sim.Scheduler) {
	f := &m.fns[fi]
	var rt *fnRuntime
	var pool *dataplane.Pool
	nc, next, unreachable := &f.cur, &f.nextCombo, f.unreachable
	if vr == nil {
		acc = m.accFor(fi)
		m.counters.Invocations++
		switch f.state {
		case StateActive:
		case StateInactive:
			m.fail(acc, ErrResourceNotReady)
			f.lastInvoked = now // an invocation, even a failed one, makes the function busy again
			if f.op == nil {
				// (With an update in progress the restore waits for the next invocation after it.)
				m.startRestore(fi, s)
			}
			return
		case StatePending:
			m.fail(acc, ErrResourceNotReady)
			return
		case StateFailed:
			m.fail(acc, f.reason.invokeError())
			return
		default:
			m.fail(acc, ErrResourceNotFound)
			return
		}
		f.lastInvoked = now
		acc.vpc = f.cur.vpc
		if rt = f.rt; rt == nil {
			rt = m.rtFor(fi) // makes the pool too
		}
		pool = f.pool
	} else {
		rt = &vr.rt
		pool, nc, next, unreachable = vr.pool, &vr.net, &vr.nextCombo, vr.unreachable
	}
	cold := !pool.HasIdle(now)
	var req dataplane.Request
	c := int32(-1) // the combo of a new environment
	if n := uint32(len(nc.combos)); cold && n > 0 {
		c = nc.combos[*next%n]
		if m.cfg.Legacy {
			if code := m.legacyENICheck(c); code != ErrNone {
				m.fail(acc, code)
				return
			}
			req.ENICreate = sampleDur(&m.p.LegacyENICreate, &rt.draws)
		} else {
			if m.combos[c].ready == 0 {
				// A failed health check took the subnet's last ENI (replace.go).
				if c = m.usableCombo(nc, *next); c < 0 {
					m.fail(acc, ErrEC2Unexpected)
					return
				}
			}
			if !rt.perInv && rt.conns > 0 && !m.connRoom(c, rt.conns, s) {
				m.fail(acc, ErrConnectionTimeout)
				return
			}
			if m.net != nil && !rt.perInv && rt.conns > 0 && !m.netAdmit(fi, c, rt.conns, now) {
				m.fail(acc, ErrConnectionTimeout) // a NAT gateway or ENI connection limit (nat.go)
				return
			}
		}
	}
	switch {
	case unreachable:
		// No route to the internet or a service it calls: the call hangs until the
		// function times out, holding its execution environment meanwhile.
		req.Compute = m.p.InternetTimeout
	case dur > 0:
		req.Compute = dur
	case f.wl != nil:
		req.Compute = fastDur(&f.wl.service, rt.drawR, &rt.draws)
	default:
		req.Compute = fastDur(&m.defaultService, rt.drawR, &rt.draws)
	}
	if cold {
		cs := fastDur(&m.p.ColdStart, rt.drawR, &rt.draws)
		mem := m.fmeta[fi].mem
		if vr != nil {
			mem = vr.mem
		}
		req.ColdStart = time.Duration(float64(cs) * math.Sqrt(1024/float64(mem)))
	}
	var out dataplane.Outcome
	pool.InvokeWarmTo(&out, now, rt.dp, req, &rt.draws, !cold)
	if out.Throttle != dataplane.NotThrottled {
		m.counters.Throttled++
		acc.acc.Add(&out)
		return
	}
	if len(m.rttSpikes) > 0 {
		m.applySpikes(&out, now)
	}
	acc.acc.Add(&out)
	if unreachable {
		m.counters.NoInternet++
		m.fail(acc, ErrTimeout)
	}
	env := int(out.Env)
	if out.Cold {
		m.counters.ColdStarts++
		*next++
		for len(rt.envCombo) <= env {
			rt.envCombo = append(rt.envCombo, -1)
			rt.envConns = append(rt.envConns, 0)
		}
		rt.envCombo[env] = c
		if m.cfg.Legacy && c >= 0 {
			m.legacyENIAdd(c)
		} else if c >= 0 && !rt.perInv && rt.conns > 0 {
			m.combos[c].conns += rt.conns
			rt.envConns[env] = rt.conns
			if m.net != nil {
				m.netOpen(fi, c, rt.conns, rt, env, now)
			}
		}
	}
	if m.net != nil && !m.cfg.Legacy && (out.Conn.Resets > 0 || m.redialDue(rt, env)) && !m.netReconnect(fi, rt, env, now) {
		m.fail(acc, ErrConnectionTimeout) // a reconnect after the idle drop refused (nat.go)
	}
	if m.net != nil {
		m.netUsed(rt, env, out.End)
	}
	if rt.perInv && rt.conns > 0 && !m.cfg.Legacy {
		if c := rt.envCombo[env]; c >= 0 {
			if m.connRoom(c, rt.conns, s) && (m.net == nil || m.netAdmit(fi, c, rt.conns, now)) {
				m.combos[c].conns += rt.conns
				rt.envConns[env] = rt.conns
				if m.net != nil {
					m.netOpen(fi, c, rt.conns, rt, env, now)
				}
			} else {
				m.fail(acc, ErrConnectionTimeout)
			}
		}
	}
	if f.needsNet && nc.vpc >= 0 && !unreachable {
		b := m.fmeta[fi].natBytes
		m.vpcs[nc.vpc].natBytes += b
		m.counters.NATBytes += b
		acc.natBytes += b
	}
	if p := m.cfg.PerInvocation; p > 0 && (p >= 1 || u01(&rt.sampled) < p) {
		name := m.fmeta[fi].name
		if vr != nil {
			name = vr.name
		}
		m.obs.Invocation(Invocation{At: now, Account: m.accts[f.acct].id, Function: name,
			VPC: m.vpcName(nc.vpc), Cold: out.Cold, ColdStart: out.Latency.ColdStart,
			ConnSetup: out.Latency.ConnSetup, Operation: out.Latency.Operation,
			Reconnect: out.Conn.Resets > 0})
	}
	ev := sim.Event{At: out.End, Kind: evComplete, Obj: uint32(fi), Arg: dataplane.PackArg(out.Env, out.Gen)}
	if vr != nil {
		ev.Kind, ev.Obj = evVerComplete, uint32(vr.idx)
	}
	if _, err := s.Schedule(ev); err != nil {
		m.scheduleFailed(ev, err)
	}
}

func (m *Model) fail(acc *intervalAcc, code ErrCode) {
	acc.errors[code]++
	m.counters.Errors[code]++
}

// applySpikes scales the network parts of an invocation's latency during an RTT spike.
func (m *Model) applySpikes(o *dataplane.Outcome, now sim.Time) {
	for _, sp := range m.rttSpikes {
		if now >= sim.Time(sp.Start) && now < sim.Time(sp.End) {
			extra := time.Duration(float64(o.Latency.ConnSetup+o.Latency.Operation) * (sp.Factor - 1))
			o.Latency.Operation += extra
			o.End = o.End.Add(extra)
			if o.End < now {
				o.End = now
			}
		}
	}
}

// connRoom reports whether combo c's ENIs can carry n more connections, asking for an
// extra ENI when the combination passes 80 % of its capacity (facts §1: 65,000 per ENI).
func (m *Model) connRoom(c, n int32, s sim.Scheduler) bool {
	cb := &m.combos[c]
	capacity := int64(cb.ready) * int64(m.p.ConnectionsPerENI)
	need := int64(cb.conns) + int64(n)
	if need*5 > capacity*4 {
		m.wantMoreENIs(c, s)
	}
	return need <= capacity
}

func (m *Model) onComplete(ev sim.Event, s sim.Scheduler) {
	fi := int32(ev.Obj)
	f := &m.fns[fi]
	env, gen := dataplane.UnpackArg(ev.Arg)
	rt := f.rt
	x, destroyed := f.pool.Complete(ev.At, rt.dp, env, gen)
	if rt.perInv {
		m.dropConns(rt, int(env))
	}
	if destroyed {
		m.envGone(fi, int(env), s)
	}
	if x.Set {
		ev := sim.Event{At: x.At, Kind: evExpire, Obj: uint32(fi), Arg: x.Arg()}
		if _, err := s.Schedule(ev); err != nil {
			m.scheduleFailed(ev, err)
		}
	}
}

func (m *Model) onExpire(ev sim.Event, s sim.Scheduler) {
	fi := int32(ev.Obj)
	f := &m.fns[fi]
	env, gen := dataplane.UnpackArg(ev.Arg)
	destroyed, next := f.pool.Expire(s.Now(), env, gen)
	if destroyed {
		m.envGone(fi, int(env), s)
	}
	if next.Set {
		m.must(s, sim.Event{At: next.At, Kind: evExpire, Obj: uint32(fi), Arg: next.Arg()})
	}
}

func (m *Model) dropConns(rt *fnRuntime, env int) {
	if m.net != nil {
		m.netClose(rt, env)
	}
	if n := rt.envConns[env]; n > 0 {
		m.combos[rt.envCombo[env]].conns -= n
		rt.envConns[env] = 0
	}
}

// envGone releases what a destroyed environment held: its connections on its combo, or
// in legacy mode its own ENI (whose deletion starts).
func (m *Model) envGone(fi int32, env int, s sim.Scheduler) {
	rt := m.fns[fi].rt
	m.dropConns(rt, env)
	if c := rt.envCombo[env]; c >= 0 && m.cfg.Legacy {
		m.legacyENIDrop(fi, c, s)
	}
	rt.envCombo[env] = -1
}

// retireEnvs makes fi's environments unusable after a configuration change, reclamation
// or deletion: idle ones are destroyed now, busy ones when they complete.
func (m *Model) retireEnvs(fi int32, s sim.Scheduler) {
	m.aggRetire(fi)
	f := &m.fns[fi]
	if f.pool == nil {
		return
	}
	f.pool.Retire(s.Now())
	rt := f.rt
	for e := range rt.envCombo {
		if rt.envCombo[e] < 0 {
			continue
		}
		if !f.pool.EnvBusy(dataplane.EnvID(e)) {
			m.envGone(fi, e, s)
		} else if !m.cfg.Legacy {
			// A running invocation finishes on its connection, but the combination it
			// came from may be losing its ENIs now: stop counting the connection there
			// (invariant 6). The environment is destroyed when it completes.
			m.dropConns(rt, e)
		}
	}
}

// Legacy mode (facts §9): every execution environment has its own ENI, taking an IP of
// its subnet and a place in the VPC's and the region's quotas, created during the cold
// start. A live one is counted in its subnet's legacy field; when its environment goes it
// becomes an entry of the ENI table and is deleted like a Hyperplane ENI (the deletion
// delay, the Delete bucket, the role's permissions), still counted until deleted.
func (m *Model) legacyENICheck(c int32) ErrCode {
	sn := &m.subnets[m.combos[c].subnet]
	v := &m.vpcs[sn.vpc]
	if v.enis >= v.quota {
		return ErrENILimitReached
	}
	if a := &m.accts[v.acct]; a.enis >= a.eniQuota {
		return ErrENILimitReached
	}
	if m.ipsUsed(sn)+int32(m.p.IPsPerENI) > sn.usable {
		return ErrSubnetIPLimit
	}
	return ErrNone
}

func (m *Model) legacyENIAdd(c int32) {
	sn := &m.subnets[m.combos[c].subnet]
	sn.legacy++
	m.countENI(sn)
	m.counters.ENIsCreated++
}

// legacyENIDrop starts deleting the ENI of fi's environment on combo c, with fi's role.
func (m *Model) legacyENIDrop(fi, c int32, s sim.Scheduler) {
	m.subnets[m.combos[c].subnet].legacy--
	e := m.legacyENI(c, m.fns[fi].role, s.Now())
	m.startDelete(e, "EnvironmentGone", s)
}
