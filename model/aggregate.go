package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/enisim/enisim/model/dataplane"
	"github.com/enisim/enisim/sim"
)

// Fidelity is how a function's workload is simulated (docs/design/fidelity.md).
type Fidelity uint8

const (
	// FidelityExact simulates every invocation as an arrival and a completion event.
	FidelityExact Fidelity = iota
	// FidelityAggregate simulates a function's invocations as one count per sampling
	// interval ("step"): the first arrival of a non-empty step is drawn exactly (so idle
	// gaps, Inactive transitions and restores stay exact), the rest of the step is a
	// Poisson count, and environments, cold starts and connections follow from the count
	// in aggregate. States, operations and the ENI lifecycle run the exact code paths.
	FidelityAggregate
)

var fidelityNames = [...]string{"exact", "aggregate"}

func (f Fidelity) String() string {
	if int(f) < len(fidelityNames) {
		return fidelityNames[f]
	}
	return fmt.Sprintf("Fidelity(%d)", uint8(f))
}

// ParseFidelity maps "exact" or "aggregate" to its Fidelity ("" is exact).
func ParseFidelity(s string) (Fidelity, bool) {
	switch s {
	case "", "exact":
		return FidelityExact, true
	case "aggregate":
		return FidelityAggregate, true
	}
	return 0, false
}

// aggregates is the state of the model's FidelityAggregate functions.
type aggregates struct {
	of     []int32 // per function: index into fns, -1 for exact functions
	fns    []aggFn
	recs   []aggRec
	free   []int32
	active []int32 // functions holding a record this interval

	busy    []float64 // per function (all of them): mean busy time of an invocation, seconds
	acct    []aggAcct // per account: throttling state (aggregate_limits.go)
	scratch []float64
	cold    map[int]coldStats // by memory size (aggregate_dist.go)
	rows    []rand.PCG        // per aggregate function: per-invocation row draws; nil when off
}

// aggFn is one aggregate function's data-plane summary: instead of a Pool, the number of
// environments it keeps warm and when they were last used.
type aggFn struct {
	fn      int32
	rec     int32    // its record for the current interval, -1 when none
	envs    int32    // environments alive (warm) after its last step
	envsAt  sim.Time // when that many were last needed at once
	lastEnd sim.Time // end of its last invocation (last arrival + mean service)
	// on[i] environments hold connections on combo onCombos[i] (the configuration's
	// combos when they were placed); rr spreads new environments round-robin.
	on       []int32
	onCombos []int32
	rr       uint32
	conns    int32 // keep-alive connections per environment (0: none tracked)
	resets   bool  // kept-alive flows die after NetworkIdleTimeout (no effective probes)
	// downStep: the current step was accounted while none of the function's combinations
	// had a ready ENI (aggregate_net.go): it is accounted again when one is ready.
	downStep bool
	expArmed bool
	expGen   uint32

	service     float64       // mean service time, seconds
	p50, p99    time.Duration // of the service time
	mem         int           // memory size cold holds the statistics of (kept by aggRestep)
	cold        coldStats     // cold start at that size, clamped at InitLimit
	opMean      float64       // mean operation time per invocation (all targets), seconds
	setupMean   float64       // mean time to set up all of an invocation's connections
	resetMean   float64       // extra time of an invocation whose kept-alive flows were dropped
	connsPerInv int32         // connections an invocation uses (all targets)
	draws       rand.PCG
}

// aggSums are the additive parts of a step: its counts and sums, and the two errors a
// step of an Active function can have (ConnectionTimeout: no room for a new environment's
// connections; Task timed out: no route).
type aggSums struct {
	inv, cold, initTO, throttled    int64
	connNew, connReused, connResets int64
	latSum, coldSum, setupSum       float64 // seconds
	opSum                           float64
	natBytes                        int64
	connTO, timedOut                int64
	ec2                             int64 // cold starts with no ready ENI on any subnet (aggregate_net.go)
	// connLate: admitted invocations that ran but whose connections a NAT gateway or ENI
	// rate refused (per-invocation connections, reconnects): in inv and ConnectionTimeout.
	connLate int64
}

// aggRec accumulates one aggregate function's interval record.
type aggRec struct {
	start  sim.Time
	vpc    int32
	peak   int32
	errors [numErrCodes]int64 // by code, the step errors included
	aggSums
	// The current step (the last one accounted): its share of the sums, its span, its
	// arrivals (first: one of them is at stepFrom) and its mean RTT-spike factor. A
	// configuration change inside the step moves part of it (aggregate_split.go); the
	// per-invocation rows of the step are drawn from it when the record is written.
	step      aggSums
	stepFrom  sim.Time
	stepEnd   sim.Time
	stepArr   int64
	stepFirst bool
	stepSpike float64
}

// buildAggregates validates every function's Fidelity and sets up the aggregate ones.
func (m *Model) buildAggregates() error {
	var ag *aggregates
	for ai := range m.cfg.Accounts {
		a := &m.cfg.Accounts[ai]
		for j := range a.Functions {
			fc := &a.Functions[j]
			path := fmt.Sprintf("accounts[%d].functions[%d].fidelity", ai, j)
			switch fc.Fidelity {
			case FidelityExact:
				continue
			case FidelityAggregate:
			default:
				return errorf(path, fc.Fidelity, "must be exact or aggregate")
			}
			if m.cfg.Legacy {
				return errorf(path, fc.Fidelity, "the legacy (per-environment ENI) model needs exact environments")
			}
			if ag == nil {
				ag = &aggregates{of: make([]int32, len(m.fns)), acct: make([]aggAcct, len(m.accts))}
				for i := range ag.of {
					ag.of[i] = -1
				}
				for i := range ag.acct {
					ag.acct[i].draws = *m.seed.Stream("aggregate-account", stableKey(m.accts[i].id))
				}
				m.agg = ag // newAggFn reads the cold-start statistics' cache
			}
			fi := m.accts[ai].fn0 + int32(j)
			ag.of[fi] = int32(len(ag.fns))
			ag.fns = append(ag.fns, m.newAggFn(fi, fc))
			ag.acct[ai].has = true
		}
	}
	m.agg = ag
	if ag == nil {
		return nil
	}
	if m.cfg.PerInvocation > 0 {
		ag.rows = make([]rand.PCG, len(ag.fns))
		for i := range ag.fns {
			ag.rows[i] = *m.seed.Stream("aggregate-rows", m.fmeta[ag.fns[i].fn].key)
		}
	}
	// Mean busy time of every function (exact ones too: they share the account's
	// concurrency) and the accounts' static load bounds.
	ag.busy = make([]float64, len(m.fns))
	for fi := range m.fns {
		svc := m.defaultService
		if w := m.fns[fi].wl; w != nil {
			svc = w.service
		}
		op, setup, _ := netMeans(m, fi)
		ag.busy[fi] = svc.Mean() + op
		if m.fmeta[fi].dpCfg.Mode == dataplane.PerInvocation {
			ag.busy[fi] += setup
		}
	}
	for ai := range m.accts {
		c := &ag.acct[ai]
		acct := &m.accts[ai]
		if acct.arrivals != nil {
			c.bound, c.rateMax = math.Inf(1), math.Inf(1)
			continue
		}
		for fi := acct.fn0; fi < acct.fn0+acct.nfn; fi++ {
			if w := m.fns[fi].wl; w != nil {
				c.bound += w.rateMax * ag.busy[fi]
				c.rateMax += w.rateMax
			}
		}
	}
	return nil
}

// netMeans returns the mean operation time of one invocation of fi over all its targets,
// the mean time to set up all its connections (handshake round trips), and the extra time
// when its kept-alive flows were dropped (the failed attempt and the back-off), as the
// data plane draws them (dataplane/conn.go).
func netMeans(m *Model, fi int) (op, setup, reset float64) {
	dp := m.fmeta[fi].dpCfg
	for _, t := range dp.Targets {
		rtt := t.RTT.Mean()
		op += float64(max(t.Ops, 1)) * t.Operation.Mean()
		setup += float64(t.TLS.HandshakeRTTs()) * rtt
		reset += float64(dp.ResetRTTs)*rtt + dp.ResetDelay.Mean()
	}
	return op, setup, reset
}

func (m *Model) newAggFn(fi int32, fc *Function) aggFn {
	meta := &m.fmeta[fi]
	a := aggFn{fn: fi, rec: -1, draws: *m.seed.Stream("aggregate", meta.key)}
	svc := m.defaultService
	if w := m.fns[fi].wl; w != nil {
		svc = w.service
	}
	a.mem, a.cold = meta.mem, m.coldStatsFor(meta.mem)
	a.service = svc.Mean()
	a.p50, a.p99 = distQuantile(&svc, 0.5), distQuantile(&svc, 0.99)
	dp := meta.dpCfg
	a.opMean, a.setupMean, a.resetMean = netMeans(m, int(fi))
	a.connsPerInv = int32(len(dp.Targets))
	if dp.Mode != dataplane.PerInvocation {
		a.conns = a.connsPerInv
	}
	a.resets = dp.ProbeInterval <= 0 || dp.ProbeInterval >= dp.NetIdleTimeout
	return a
}

// distQuantile is the q-quantile of the kinds a service time usually has (Const, Exp,
// LogNormal); other kinds fall back to the mean (used only for reported percentiles).
func distQuantile(d *sim.Dist, q float64) time.Duration {
	var v float64
	switch d.Kind {
	case sim.DistConst:
		v = d.A
	case sim.DistExp:
		v = -math.Log1p(-q) * d.A
	case sim.DistLogNormal:
		v = math.Exp(d.A + d.B*math.Sqrt2*math.Erfinv(2*q-1))
	default:
		v = d.Mean()
	}
	if !(v < float64(sim.MaxTime)/1e9) {
		return time.Duration(sim.MaxTime)
	}
	return time.Duration(v * 1e9)
}

// stepEnd is the end of the sampling interval holding t: the aggregate step.
func (m *Model) stepEnd(t sim.Time) sim.Time {
	e := m.intervalStart.Add(m.sampleEvery)
	for e <= t {
		e = e.Add(m.sampleEvery)
	}
	return e
}

// expected is the workload's expected invocations in [from, to): the rate integrated
// exactly, piecewise between the burst and quiet-window boundaries, with the diurnal
// sinusoid integrated in closed form.
func expected(wl *workload, from, to sim.Time) float64 {
	if to <= from {
		return 0
	}
	w := wl.w
	if len(w.Bursts) == 0 && len(w.Quiet) == 0 {
		return wl.rate * diurnalIntegral(w.Diurnal, from, to)
	}
	sum := 0.0
	for a := from; a < to; {
		// the next boundary after a
		b := to
		for _, x := range w.Bursts {
			b = nextBoundary(b, a, x.Start, x.End)
		}
		for _, x := range w.Quiet {
			b = nextBoundary(b, a, x.Start, x.End)
		}
		if _, in := inQuiet(w.Quiet, a); !in {
			mul := 1.0
			for _, x := range w.Bursts {
				if a >= sim.Time(x.Start) && a < sim.Time(x.End) {
					mul *= x.Multiplier
				}
			}
			sum += mul * diurnalIntegral(w.Diurnal, a, b)
		}
		a = b
	}
	return wl.rate * sum
}

// nextBoundary is the earlier of b and whichever of start, end lies after a.
func nextBoundary(b, a sim.Time, start, end time.Duration) sim.Time {
	if s := sim.Time(start); s > a && s < b {
		b = s
	}
	if e := sim.Time(end); e > a && e < b {
		b = e
	}
	return b
}

// diurnalIntegral is ∫ (1 + A·sin(2π(t+Phase)/Period)) dt over [from, to), in seconds.
func diurnalIntegral(d Diurnal, from, to sim.Time) float64 {
	span := to.Sub(from).Seconds()
	if d.Period <= 0 || d.Amplitude == 0 {
		return span
	}
	p := d.Period.Seconds()
	k := 2 * math.Pi / p
	ph := func(t sim.Time) float64 {
		return k * float64((t.Duration()+d.Phase)%d.Period) / 1e9
	}
	return span - d.Amplitude/k*(math.Cos(ph(to))-math.Cos(ph(from)))
}

// recFor returns the aggregate function's record for the current interval.
func (m *Model) recFor(a *aggFn) *aggRec {
	ag := m.agg
	if a.rec >= 0 {
		return &ag.recs[a.rec]
	}
	var i int32
	if n := len(ag.free); n > 0 {
		i = ag.free[n-1]
		ag.free = ag.free[:n-1]
	} else {
		i = int32(len(ag.recs))
		ag.recs = append(ag.recs, aggRec{})
	}
	a.rec = i
	r := &ag.recs[i]
	*r = aggRec{start: m.intervalStart, vpc: m.fns[a.fn].cur.vpc}
	ag.active = append(ag.active, a.fn)
	return r
}

func (m *Model) aggFail(r *aggRec, code ErrCode, n int64) {
	r.errors[code] += n
	m.counters.Errors[code] += n
}

// aggArrival handles an arrival of an aggregate function at now: the first invocation of
// a step. When the function is Active it accounts for the whole step (to the end of the
// sampling interval) and draws the next arrival after the step; otherwise the arrival
// fails like an exact one and, while a state change is pending (Inactive, Pending), the
// next arrival is drawn exactly so that the failures before the function turns Active
// again are counted one by one.
func (m *Model) aggArrival(fi int32, s sim.Scheduler) {
	now := s.Now()
	f := &m.fns[fi]
	a := &m.agg.fns[m.agg.of[fi]]
	r := m.recFor(a)
	switch f.state {
	case StateActive:
	case StateInactive, StatePending:
		m.counters.Invocations++
		m.aggFail(r, ErrResourceNotReady, 1)
		if f.state == StateInactive {
			f.lastInvoked = now
			if f.op == nil {
				m.startRestore(fi, s)
			}
		}
		m.scheduleArrival(fi, now, s)
		return
	default:
		// Failed or gone: nothing an invocation does changes the state, so the whole
		// step fails at once.
		end := m.stepEnd(now)
		n := 1 + poisson(expected(f.wl, now, end), &a.draws)
		m.counters.Invocations += n
		code := ErrResourceNotFound
		if f.state == StateFailed {
			code = f.reason.invokeError()
		}
		m.aggFail(r, code, n)
		m.scheduleArrival(fi, end, s)
		return
	}
	end := m.stepEnd(now)
	k := poisson(expected(f.wl, now, end), &a.draws)
	m.aggStep(fi, a, r, now, end, 1+k, true, s)
	m.scheduleArrival(fi, end, s)
}

// aggStep accounts for n arrivals of an Active function in [t0, end): with first, one at
// t0 and n−1 spread over (t0, end) like the workload's rate; otherwise all n spread so.
// They become the record's current step.
func (m *Model) aggStep(fi int32, a *aggFn, r *aggRec, t0, end sim.Time, n int64, first bool, s sim.Scheduler) {
	f := &m.fns[fi]
	m.counters.Invocations += n
	r.vpc = f.cur.vpc
	w := end.Sub(t0).Seconds()
	k := n // arrivals spread over (t0, end)
	if first {
		k--
	}
	// The last arrival is the maximum of k uniforms: it keeps lastInvoked (idle
	// reclamation) as exact as the step allows. Throttled invocations count too, as at
	// the exact level.
	last := t0
	if k > 0 {
		last = t0 + sim.Time(float64(end-t0)*math.Pow(u01(&a.draws), 1/float64(k)))
	}
	f.lastInvoked = max(f.lastInvoked, last)

	// Network time, stretched by the RTT spikes the step's arrivals meet.
	spike := 1.0
	if len(m.rttSpikes) > 0 {
		spike = m.spikeMean(f.wl, t0, end, first, k)
	}
	service := a.service
	if f.unreachable {
		service = m.p.InternetTimeout.Seconds()
	}
	busy := service + a.opMean*spike
	if a.conns == 0 {
		busy += a.setupMean * spike // per-invocation connections are set up every time
	}

	expiry := m.p.EnvIdleExpiry
	warm := a.envs
	if warm > 0 && t0.Sub(a.lastEnd) >= expiry {
		warm = 0
	}

	// Throttling: the account's quota and rate cap (Erlang loss, aggregate_limits.go) and
	// the function's scaling rate.
	var d aggSums
	pBlock := m.acctBlock(f.acct, m.intervalStart)
	pThrottle := pBlock
	if burst := m.p.ScalingStep; burst > 0 && n > int64(burst) && f.wl != nil && f.wl.rateMax*busy > float64(burst) && pBlock < 1 {
		sc := m.scaleThrottles(f.wl, warm, busy, 1-pBlock, t0, end)
		pThrottle = 1 - (1-pBlock)*(1-min(sc/(float64(n)*(1-pBlock)), 1))
	}
	d.throttled = binomial(n, pThrottle, &a.draws)
	admitted := n - d.throttled
	r.stepFrom, r.stepEnd, r.stepArr, r.stepFirst, r.stepSpike = t0, end, n, first, spike
	if admitted == 0 {
		m.aggAdd(r, &d, false)
		return
	}
	ka := admitted // admitted arrivals spread over (t0, end)
	if first {
		ka--
	}

	// Environments: M/G/∞ with load rho over the step; peak is the most that ran at once,
	// never above the account's quota.
	rho := float64(admitted) * busy / max(w, busy)
	peak := min(peakBusy(rho, admitted), int32(m.accts[f.acct].dp.Concurrency()))
	if warm > peak && t0.Sub(a.envsAt) >= expiry {
		warm = peak // the extra environments have been idle longer than the expiry
	}
	if warm != a.envs {
		m.aggSetEnvs(a, warm, nil, s)
	}
	// Arrivals after an idle gap longer than the expiry within the step find no warm
	// environment: the expected number of the ka spacings over that long.
	gapColds, gapResets := int64(0), int64(0)
	if ka > 0 && w > 0 {
		x := expiry.Seconds() / w
		if x < 1 {
			gapColds = roundRandom(float64(ka)*math.Pow(1-x, float64(ka)), &a.draws)
		}
		if a.conns > 0 && a.resets {
			y := m.p.NetworkIdleTimeout.Seconds() / w
			if y < 1 {
				e := float64(ka) * math.Pow(1-y, float64(ka))
				if x < 1 {
					e -= float64(ka) * math.Pow(1-x, float64(ka))
				}
				gapResets = roundRandom(e, &a.draws)
			}
		}
	}
	// The first arrival reuses a warm environment whose flows may have been dropped.
	if warm > 0 && a.conns > 0 && a.resets && t0.Sub(a.lastEnd) >= m.p.NetworkIdleTimeout {
		gapResets++
	}
	newEnvs := max(peak-warm, 0)
	failed := int64(0)
	// A failed health check can leave combinations without a ready ENI (replace.go): new
	// environments go to the others (aggSetEnvs), and fail when none has one.
	// (Only health failures take a combination's last ENI: without them, no check.)
	a.downStep = m.p.ENIHealthFailEvery > 0 && m.aggAllDown(f)
	if a.downStep {
		newEnvs = 0
	}
	if newEnvs > 0 {
		placed := m.aggSetEnvs(a, warm+newEnvs, &failed, s)
		newEnvs = placed - warm
	}
	if peak >= a.envs {
		a.envsAt = last // every warm environment was needed in this step
	}
	a.lastEnd = last.Add(time.Duration(service * 1e9))
	m.armAggExpire(a, t0, s)

	// New environments whose connections found no room fail (ConnectionTimeout) and do
	// not run.
	failed = min(failed, admitted)
	errs := failed > 0 || f.unreachable
	if failed > 0 {
		d.connTO = failed
		admitted -= failed
	}
	if a.downStep {
		// Every invocation is a cold start (the environments were retired with the failed
		// ENIs, and a failed cold start leaves none) and fails with EC2UnexpectedException.
		d.ec2 = admitted
		admitted -= d.ec2
		errs = errs || d.ec2 > 0
	}
	cold := int64(newEnvs) + min(gapColds, max(admitted-int64(newEnvs), 0))
	if a.downStep {
		cold = 0
	}
	cold = min(cold, admitted)
	gapResets = min(gapResets, admitted-cold)
	if m.net != nil && admitted > 0 {
		// NAT gateway and ENI connection limits (nat.go): refused connection sets fail
		// their invocations with ConnectionTimeout.
		units := admitted // per-invocation connections: every invocation opens them
		if a.conns > 0 {
			units = cold + gapResets
		}
		simRef, rateRef := m.aggNetRefused(fi, a, t0, end, units, admitted, rho)
		if simRef+rateRef > 0 {
			// As at the exact level: a refused cold start does not run (a keep-alive
			// environment's connections are opened before it starts); a refused reconnect
			// or per-invocation connection fails an invocation that ran.
			late := simRef + rateRef
			if a.conns > 0 {
				refCold := min(rateRef, cold)
				late = min(rateRef-refCold, gapResets)
				notRun := min(simRef+refCold, admitted)
				if refCold > 0 {
					// Those environments never started: the next step opens them again.
					m.aggSetEnvs(a, max(a.envs-int32(refCold), 0), nil, s)
				}
				cold -= refCold
				admitted -= notRun
				d.connTO += notRun
				cold = min(cold, admitted)
				gapResets = min(gapResets, admitted-cold)
			}
			d.connLate = min(late, admitted)
			errs = true
		}
	}
	d.inv = admitted
	d.cold = cold
	d.initTO = binomial(cold, a.cold.tail, &a.draws)
	r.peak = max(r.peak, peak)
	cpi := int64(a.connsPerInv)
	var setups float64
	if a.conns > 0 {
		d.connNew = (cold + gapResets) * cpi // a reset flow is set up again
		d.connResets = gapResets * cpi
		d.connReused = (admitted - cold - gapResets) * cpi
		setups = float64(cold)*a.setupMean + float64(gapResets)*(a.setupMean+a.resetMean)
	} else {
		d.connNew = admitted * cpi
		setups = float64(admitted) * a.setupMean
	}
	ops := float64(admitted) * a.opMean
	// As at the exact level (applySpikes), a spike's extra network time is reported as
	// operation time.
	extra := (spike - 1) * (setups + ops)
	d.coldSum = float64(cold) * a.cold.mean
	d.setupSum = setups
	d.opSum = ops + extra
	d.latSum = float64(admitted)*service + ops + extra + setups + d.coldSum
	if f.unreachable {
		m.counters.NoInternet += admitted
		d.timedOut = admitted
	} else if f.needsNet && f.cur.vpc >= 0 {
		b := m.fmeta[fi].natBytes * admitted
		m.vpcs[f.cur.vpc].natBytes += b
		d.natBytes = b
	}
	m.aggAdd(r, &d, errs)
}

// aggAdd adds a step's sums to its record (as the record's current step) and to the
// run's counters; errs says whether d has errors (most steps have none: skipping the
// arrays keeps the common step short).
func (m *Model) aggAdd(r *aggRec, d *aggSums, errs bool) {
	r.inv += d.inv
	r.cold += d.cold
	r.initTO += d.initTO
	r.throttled += d.throttled
	r.connNew += d.connNew
	r.connReused += d.connReused
	r.connResets += d.connResets
	r.latSum += d.latSum
	r.coldSum += d.coldSum
	r.setupSum += d.setupSum
	r.opSum += d.opSum
	r.natBytes += d.natBytes
	r.step = *d
	m.counters.ColdStarts += d.cold
	m.counters.Throttled += d.throttled
	m.counters.NATBytes += d.natBytes
	if errs {
		r.errors[ErrConnectionTimeout] += d.connTO + d.connLate
		r.errors[ErrTimeout] += d.timedOut
		r.errors[ErrEC2Unexpected] += d.ec2
		m.counters.Errors[ErrConnectionTimeout] += d.connTO + d.connLate
		m.counters.Errors[ErrTimeout] += d.timedOut
		m.counters.Errors[ErrEC2Unexpected] += d.ec2
	}
}

// add adds sign·d to s.
func (s *aggSums) add(d *aggSums, sign int64) {
	s.inv += sign * d.inv
	s.cold += sign * d.cold
	s.initTO += sign * d.initTO
	s.throttled += sign * d.throttled
	s.connNew += sign * d.connNew
	s.connReused += sign * d.connReused
	s.connResets += sign * d.connResets
	f := float64(sign)
	s.latSum += f * d.latSum
	s.coldSum += f * d.coldSum
	s.setupSum += f * d.setupSum
	s.opSum += f * d.opSum
	s.natBytes += sign * d.natBytes
	s.connTO += sign * d.connTO
	s.timedOut += sign * d.timedOut
	s.ec2 += sign * d.ec2
	s.connLate += sign * d.connLate
}

// aggSetEnvs sets the function's warm environments to want, moving the connections they
// hold on its combos; new environments whose connections do not fit fail (counted in
// *failed; with failed nil no environment is added). It returns the environments kept.
func (m *Model) aggSetEnvs(a *aggFn, want int32, failed *int64, s sim.Scheduler) int32 {
	f := &m.fns[a.fn]
	if a.conns == 0 || len(f.cur.combos) == 0 {
		a.envs = want
		return want
	}
	if want <= a.envs && len(a.onCombos) == 0 {
		a.envs = want
		return want
	}
	if want <= a.envs {
		// Drop the most recently placed environments first (reverse round-robin).
		for a.envs > want {
			a.rr--
			i := int(a.rr % uint32(len(a.onCombos)))
			a.on[i]--
			m.combos[a.onCombos[i]].conns -= a.conns
			m.aggWant(a, i, -1) // aggregate_net.go
			m.aggUncount(a, i)
			a.envs--
		}
		return a.envs
	}
	if !slices.Equal(a.onCombos, f.cur.combos) {
		m.aggDropConns(a)
		a.onCombos = f.cur.combos
		if cap(a.on) >= len(a.onCombos) {
			a.on = a.on[:len(a.onCombos)]
			clear(a.on)
		} else {
			a.on = make([]int32, len(a.onCombos))
		}
	}
	for a.envs < want {
		i := int(a.rr % uint32(len(a.onCombos)))
		if m.combos[a.onCombos[i]].ready == 0 {
			// Its ENI failed a health check: the next subnet with a ready ENI, as the exact
			// level's usableCombo (aggStep places none when no subnet has one).
			for k := 1; k < len(a.onCombos); k++ {
				if j := (i + k) % len(a.onCombos); m.combos[a.onCombos[j]].ready > 0 {
					i = j
					break
				}
			}
		}
		c := a.onCombos[i]
		if !m.connRoom(c, a.conns, s) {
			if failed != nil {
				*failed += int64(want - a.envs)
			}
			break
		}
		m.combos[c].conns += a.conns
		a.on[i]++
		m.aggWant(a, i, 1) // aggregate_net.go
		a.rr++
		a.envs++
	}
	return a.envs
}

// aggDropConns removes every connection the function's environments hold.
func (m *Model) aggDropConns(a *aggFn) {
	for i, c := range a.onCombos {
		if i < len(a.on) && a.on[i] > 0 {
			m.combos[c].conns -= a.on[i] * a.conns
			m.aggWant(a, i, -a.on[i]) // aggregate_net.go
			a.on[i] = 0
			m.aggUncount(a, i)
		}
	}
	a.envs = 0
	// rr keeps counting: like the exact model's nextCombo, the next new environment goes
	// to the next subnet.
}

// aggRetire is retireEnvs for an aggregate function: its environments are gone.
func (m *Model) aggRetire(fi int32) {
	if m.agg == nil || m.agg.of[fi] < 0 {
		return
	}
	a := &m.agg.fns[m.agg.of[fi]]
	m.aggDropConns(a)
}

// armAggExpire makes sure one expiry event is pending while the function's environments
// hold connections: they are dropped when the environments expire, as in the exact model
// (re-armed lazily, so a busy function has at most one pending expiry event).
func (m *Model) armAggExpire(a *aggFn, now sim.Time, s sim.Scheduler) {
	if a.expArmed || a.conns == 0 || a.envs == 0 {
		return
	}
	a.expArmed = true
	a.expGen++
	m.must(s, sim.Event{At: max(a.lastEnd.Add(m.p.EnvIdleExpiry), now), Kind: evAggExpire,
		Obj: uint32(a.fn), Arg: uint64(a.expGen)})
}

func (m *Model) onAggExpire(ev sim.Event, s sim.Scheduler) {
	a := &m.agg.fns[m.agg.of[ev.Obj]]
	if a.expGen != uint32(ev.Arg) || !a.expArmed {
		return
	}
	a.expArmed = false
	now := s.Now()
	if due := a.lastEnd.Add(m.p.EnvIdleExpiry); due > now {
		m.armAggExpire(a, now, s)
		return
	}
	m.aggDropConns(a)
}

// aggFlush reports the aggregate functions' records of the interval ending at now, in
// function order (before the exact functions' records of the same interval), and computes
// the accounts' throttling state for the next interval (so that the concurrency reserved
// for aggregate functions never outlives the interval it was drawn for).
func (m *Model) aggFlush(now sim.Time) {
	ag := m.agg
	if ag == nil {
		return
	}
	slices.Sort(ag.active)
	for _, fi := range ag.active {
		a := &ag.fns[ag.of[fi]]
		m.aggEmit(a, &ag.recs[a.rec], now)
		ag.free = append(ag.free, a.rec)
		a.rec = -1
	}
	ag.active = ag.active[:0]
	for ai := range ag.acct {
		if ag.acct[ai].has && !m.finished {
			m.refreshAcct(int32(ai), now)
		}
	}
}

// aggEmit reports an aggregate record up to now (and the per-invocation rows of its
// current step).
func (m *Model) aggEmit(a *aggFn, r *aggRec, now sim.Time) {
	fi := a.fn
	f := &m.fns[fi]
	if m.agg.rows != nil && r.stepArr > 0 {
		m.aggRows(a, r, min(now, r.stepEnd))
	}
	st := IntervalStats{Start: r.start, End: now, Account: m.accts[f.acct].id,
		Function: m.fmeta[fi].name, VPC: m.vpcName(r.vpc), Invocations: int(r.inv),
		ColdStarts: int(r.cold), ConnReused: int(r.connReused), ConnNew: int(r.connNew),
		ConnResets: int(r.connResets), LatencySum: secs(r.latSum), ColdStartSum: secs(r.coldSum),
		ConnSetupSum: secs(r.setupSum), OperationSum: secs(r.opSum), ConcurrentPeak: int(r.peak),
		NATBytes: r.natBytes, InitTimeouts: int(r.initTO), Throttled: int(r.throttled)}
	if r.inv > 0 {
		// Percentiles of the mixture: the service time's, shifted by the cold start
		// when cold starts are that frequent.
		svc := secs(a.opMean * max(r.stepSpike, 1)) // operations, stretched by the last step's mean RTT spike
		st.LatencyP50, st.LatencyP99 = a.p50+svc, a.p99+svc
		if f.unreachable {
			st.LatencyP50, st.LatencyP99 = m.p.InternetTimeout, m.p.InternetTimeout
		}
		coldFrac := float64(r.cold) / float64(r.inv)
		if coldFrac >= 0.5 {
			st.LatencyP50 += secs(a.cold.mean)
		}
		if coldFrac >= 0.01 {
			st.LatencyP99 += a.cold.p99
		}
	}
	if a.envs > 0 && now.Sub(a.lastEnd) < m.p.EnvIdleExpiry {
		st.EnvironmentsAlive = int(a.envs)
	}
	if r.throttled > 0 {
		st.Errors = map[string]int{ErrTooManyRequests.String(): int(r.throttled)}
	}
	for code, n := range r.errors {
		if n > 0 {
			if st.Errors == nil {
				st.Errors = map[string]int{}
			}
			st.Errors[ErrCode(code).String()] = int(n)
			st.Failed += int(n)
		}
	}
	m.obs.Interval(st)
}

func secs(v float64) time.Duration { return time.Duration(v * 1e9) }

// roundRandom rounds x ≥ 0 up with probability equal to its fractional part, so that the
// expectation is kept.
func roundRandom(x float64, src *rand.PCG) int64 {
	if !(x > 0) {
		return 0
	}
	i := math.Floor(x)
	if u01(src) < x-i {
		i++
	}
	return int64(i)
}

// peakBusy estimates the most invocations running at once among n arrivals with mean
// load rho (M/G/∞): an arrival finds Poisson(rho) busy (PASTA), so the peak is one more
// than the largest of n such draws, taken as the smallest j with n·P(X > j) < 1/2.
func peakBusy(rho float64, n int64) int32 {
	if n <= 1 || rho <= 0 {
		return int32(min(n, 1))
	}
	var j float64
	if rho < 50 {
		p := math.Exp(-rho)
		cdf := p
		for j = 0; float64(n)*(1-cdf) >= 0.5 && j < 1000; {
			j++
			p *= rho / j
			cdf += p
		}
	} else {
		z := math.Sqrt(2 * math.Log(2*float64(n)))
		j = math.Ceil(rho + z*math.Sqrt(rho))
	}
	return int32(min(int64(j)+1, n, math.MaxInt32))
}

// poisson draws a Poisson(mean) count: inversion for small means, Hörmann's PTRS
// transformed rejection (1993) otherwise. Both are O(1) expected for their range.
func poisson(mean float64, src *rand.PCG) int64 {
	if !(mean > 0) {
		return 0
	}
	if mean < 12 {
		l := math.Exp(-mean)
		k := int64(0)
		p := u01(src)
		for p > l {
			k++
			p *= u01(src)
		}
		return k
	}
	slam := math.Sqrt(mean)
	loglam := math.Log(mean)
	b := 0.931 + 2.53*slam
	a := -0.059 + 0.02483*b
	invAlpha := 1.1239 + 1.1328/(b-3.4)
	vr := 0.9277 - 3.6224/(b-2)
	for {
		u := u01(src) - 0.5
		v := u01(src)
		us := 0.5 - math.Abs(u)
		k := math.Floor((2*a/us+b)*u + mean + 0.43)
		if us >= 0.07 && v <= vr {
			return int64(k)
		}
		if k < 0 || (us < 0.013 && v > us) {
			continue
		}
		lg, _ := math.Lgamma(k + 1)
		if math.Log(v)+math.Log(invAlpha)-math.Log(a/(us*us)+b) <= -mean+k*loglam-lg {
			return int64(k)
		}
	}
}
