package model

import (
	"fmt"
	"slices"

	"github.com/enisim/enisim/model/iam"
	"github.com/enisim/enisim/sim"
)

// setState moves function fi to state `to`, checking the edge (invariant 5) and reporting it.
func (m *Model) setState(fi int32, to State, r Reason, now sim.Time) {
	f := &m.fns[fi]
	if !stateEdges[f.state][to] {
		m.panicf("function %s: state %s -> %s is not a documented transition", m.fmeta[fi].name, f.state, to)
	}
	from := f.state
	f.state, f.reason = to, r
	m.obs.StateChange(StateChange{At: now, Account: m.accts[f.acct].id, Function: m.fmeta[fi].name,
		Version: "$LATEST", From: from.String(), To: to.String(), Reason: r.String()})
}

// setUpdate moves LastUpdateStatus.
func (m *Model) setUpdate(fi int32, to UpdateStatus, r Reason, now sim.Time) {
	f := &m.fns[fi]
	from := f.upd
	f.upd, f.updReason = to, r
	m.obs.StateChange(StateChange{At: now, Account: m.accts[f.acct].id, Function: m.fmeta[fi].name,
		Version: "$LATEST", From: f.state.String(), To: f.state.String(), Reason: r.String(),
		UpdateFrom: from.String(), UpdateTo: to.String()})
}

// vpcName is the id of VPC v, "" for none.
func (m *Model) vpcName(v int32) string {
	if v < 0 {
		return ""
	}
	return m.vpcs[v].id
}

// operation reports a control-plane call.
func (m *Model) operation(fi int32, kind OpKind, op *opState, start, end sim.Time, outcome string, code ErrCode, principal string, d *iam.Decision) {
	f := &m.fns[fi]
	o := Operation{Start: start, End: end, Account: m.accts[f.acct].id, Principal: principal,
		Op: kind.String(), Function: m.fmeta[fi].name, Outcome: outcome, Error: code.String()}
	if d != nil {
		o.IAMDecision = d.Effect.String()
		o.IAMStatement = d.Statement
	}
	if op != nil {
		o.NewENIs = int(op.newENIs)
		o.AttachedOnly = outcome == "Successful" && op.waits == 0 && len(op.pend.combos) > 0
		o.FromVPC, o.ToVPC = op.fromVPC, op.toVPC
		if op.decision.Effect != iam.ImplicitDeny || op.principal != "" {
			o.IAMDecision = op.decision.Effect.String()
			o.IAMStatement = op.decision.Statement
		}
	}
	m.obs.Operation(o)
}

func (m *Model) onTimeline(ev sim.Event, s sim.Scheduler) {
	it := m.timeline[ev.Obj]
	m.applyOp(&m.cfg.Timeline[it.op], it.fn, s)
}

// applyOp performs one operation now; fn is the global function index (-1 for
// account-level operations).
func (m *Model) applyOp(top *TimelineOp, fn int32, s sim.Scheduler) {
	if fn < 0 {
		m.accountOp(top, s)
		return
	}
	switch top.Kind {
	case OpCreateFunction:
		m.opCreateFunction(fn, top, s)
	case OpUpdateFunctionConfiguration:
		m.opUpdateConfig(fn, top, s)
	case OpUpdateFunctionCode:
		m.opUpdateCode(fn, top, s)
	case OpPublishVersion:
		m.opPublish(fn, top, s)
	case OpDeleteFunction:
		m.opDelete(fn, top, s)
	}
}

// authorize evaluates a Lambda API call by the timeline's principal (facts §4): the
// action with the VPC condition keys and, when the request configures a VPC, the EC2
// Describe calls the console and API need. It returns the deciding Decision and whether the
// call may proceed. An operation without a principal is not checked.
func (m *Model) authorize(fi int32, action string, top *TimelineOp, cfg *VPCConfig, vpcID string) (iam.Decision, bool) {
	if top.Principal == "" {
		return iam.Decision{Effect: iam.Allow, Policy: -1, Statement: "(unchecked)"}, true
	}
	pr := m.accts[m.fns[fi].acct].principals[top.Principal]
	var ctx map[string][]string
	if cfg != nil {
		ctx = iam.VPCConfigContext(vpcID, cfg.SubnetIds, cfg.SecurityGroupIds)
	}
	d := iam.Evaluate(pr.Policies, iam.Request{Action: "lambda:" + action, Resource: m.arn(fi), Context: ctx})
	if !d.Allowed() {
		return d, false
	}
	if cfg != nil && len(cfg.SubnetIds) > 0 {
		if missing := iam.CheckVPCConfigUserPermissions(pr.Policies); len(missing) > 0 {
			return missing[0].Decision, false
		}
	}
	return d, true
}

// vpcOf is the VPC id a configuration's first subnet belongs to ("" if none or unknown):
// lambda:VpcIds is derived by Lambda from the subnets.
func (m *Model) vpcOf(ai int32, c *VPCConfig) string {
	if len(c.SubnetIds) == 0 {
		return ""
	}
	if si, ok := m.accts[ai].subnetByID[c.SubnetIds[0]]; ok {
		return m.vpcs[m.subnets[si].vpc].id
	}
	return ""
}

// newOp starts an asynchronous operation on fi.
func (m *Model) newOp(fi int32, kind opKind, now sim.Time) *opState {
	meta := &m.fmeta[fi]
	meta.opSeq++
	op := &opState{kind: kind, gen: uint32(meta.opSeq), start: now, pend: noVPC()}
	m.fns[fi].op = op
	return op
}

// controlStream is the random stream of one control-plane operation on a function.
func (m *Model) controlStream(fi int32) *randPCG {
	meta := &m.fmeta[fi]
	return m.seed.Stream("control", meta.key^(meta.opSeq*0xbf58476d1ce4e5b9))
}

// setupNet gets nc's ENIs for fi's operation: combos with a ready ENI are attached (one
// attach delay), combos with an ENI on the way are waited for, others get a new ENI.
// It returns a failure reason when an ENI cannot even be requested.
func (m *Model) setupNet(fi int32, op *opState, nc netcfg, restore bool, s sim.Scheduler) Reason {
	attach := false
	role := m.fns[fi].role
	for _, c := range nc.combos {
		cb := &m.combos[c]
		if cb.ready > 0 {
			attach = true
			continue
		}
		if cb.creating == 0 {
			if r := m.requestENI(c, role, restore, s); r != ReasonNone {
				return r
			}
			op.newENIs++
		}
		cb = &m.combos[c]
		cb.waiters = append(cb.waiters, waiter{fn: fi, gen: op.gen})
		op.outstanding++
		op.waits++
	}
	if attach {
		op.outstanding++
		// Restoring an Inactive function whose combination kept its ENIs (shared with busy
		// functions) is an attach: the facts sheet's recovery figure ("ENI re-created",
		// 40–106 s) is for reclaimed ENIs, which requestENI re-creates with Params.Restore.
		d := sampleDur(&m.p.ENIAttach, m.controlStream(fi))
		m.must(s, sim.Event{At: s.Now().Add(d), Kind: evOpStep, Obj: uint32(fi), Arg: uint64(op.gen)})
	}
	return ReasonNone
}

// opTimer adds a timer of distribution d to the operation.
func (m *Model) opTimer(fi int32, op *opState, d *sim.Dist, s sim.Scheduler) {
	op.outstanding++
	at := s.Now().Add(sampleDur(d, m.controlStream(fi)))
	m.must(s, sim.Event{At: at, Kind: evOpStep, Obj: uint32(fi), Arg: uint64(op.gen)})
}

func (m *Model) onOpStep(ev sim.Event, s sim.Scheduler) {
	m.opStepDone(int32(ev.Obj), uint32(ev.Arg), s)
}

// opStepDone counts one finished part of fi's operation gen (stale ones are ignored).
func (m *Model) opStepDone(fi int32, gen uint32, s sim.Scheduler) {
	if gen&versionOpFlag != 0 {
		m.versionStepDone(fi, gen, s)
		return
	}
	op := m.fns[fi].op
	if op == nil || op.gen != gen {
		return
	}
	op.outstanding--
	if op.outstanding > 0 {
		return
	}
	m.opSucceeded(fi, s)
}

func (m *Model) opSucceeded(fi int32, s sim.Scheduler) {
	now := s.Now()
	f := &m.fns[fi]
	op := f.op
	f.op = nil
	switch op.kind {
	case opCreate:
		m.setCur(fi, op.pend)
		m.fmeta[fi].cfg = op.pendCfg
		f.lastInvoked = now
		m.setState(fi, StateActive, ReasonNone, now)
		m.operation(fi, OpCreateFunction, op, op.start, now, "Successful", ErrNone, op.principal, nil)
	case opUpdateConfig:
		if op.vpcChange {
			m.splitInterval(fi, now)
			old := f.cur
			m.setCur(fi, op.pend)
			m.fmeta[fi].cfg = op.pendCfg
			m.release(fi, old, s)
			f.lastInvoked = now
		}
		if op.memoryMB > 0 {
			m.fmeta[fi].mem = op.memoryMB
		}
		m.retireEnvs(fi, s)
		m.aggRestep(fi, op.vpcChange, s) // aggregate_split.go
		m.setUpdate(fi, UpdateSuccessful, ReasonNone, now)
		m.operation(fi, OpUpdateFunctionConfiguration, op, op.start, now, "Successful", ErrNone, op.principal, nil)
	case opUpdateCode:
		m.retireEnvs(fi, s)
		m.aggRestep(fi, false, s)
		m.setUpdate(fi, UpdateSuccessful, ReasonNone, now)
		m.operation(fi, OpUpdateFunctionCode, op, op.start, now, "Successful", ErrNone, op.principal, nil)
	case opRestore:
		m.setState(fi, StateActive, ReasonNone, now)
	}
	for _, c := range f.cur.combos {
		m.armIdle(c, now, s)
	}
}

// opFailed fails fi's operation gen with reason r: a creation leaves the function
// Failed, an update is rolled back, a restore returns to Inactive (facts §3).
func (m *Model) opFailed(fi int32, gen uint32, r Reason, s sim.Scheduler) {
	if gen&versionOpFlag != 0 {
		m.versionOpFailed(fi, gen, r, s)
		return
	}
	f := &m.fns[fi]
	op := f.op
	if op == nil || op.gen != gen {
		return
	}
	now := s.Now()
	f.op = nil
	switch op.kind {
	case opCreate:
		m.release(fi, op.pend, s)
		m.setState(fi, StateFailed, r, now)
		m.operation(fi, OpCreateFunction, op, op.start, now, "Failed", r.invokeError(), op.principal, nil)
	case opUpdateConfig:
		m.release(fi, op.pend, s)
		m.setUpdate(fi, UpdateFailed, r, now)
		m.operation(fi, OpUpdateFunctionConfiguration, op, op.start, now, "Failed", r.invokeError(), op.principal, nil)
	case opRestore:
		m.setState(fi, StateInactive, r, now)
	default:
		m.panicf("operation kind %d cannot fail", op.kind)
	}
}

// reject reports an API call refused synchronously.
func (m *Model) reject(fi int32, top *TimelineOp, code ErrCode, d *iam.Decision, now sim.Time) {
	m.operation(fi, top.Kind, nil, now, now, "Rejected", code, top.Principal, d)
}

// conflict reports whether fi cannot take an update now (facts §3): Pending, or an update
// in progress → ResourceConflictException; deleted → ResourceNotFoundException.
func (m *Model) conflict(fi int32) ErrCode {
	f := &m.fns[fi]
	switch {
	case f.state == StateAbsent:
		return ErrResourceNotFound
	case f.state == StatePending, f.op != nil, f.state == StateFailed:
		return ErrResourceConflict
	}
	return ErrNone
}

func (m *Model) opCreateFunction(fi int32, top *TimelineOp, s sim.Scheduler) {
	now := s.Now()
	f := &m.fns[fi]
	if f.state != StateAbsent {
		m.reject(fi, top, ErrResourceConflict, nil, now)
		return
	}
	ai := f.acct
	cfg := m.cfg.Accounts[ai].Functions[fi-m.accts[ai].fn0].VPC
	if top.VPC != nil {
		cfg = *top.VPC
	}
	d, ok := m.authorize(fi, "CreateFunction", top, &cfg, m.vpcOf(ai, &cfg))
	if !ok {
		m.reject(fi, top, ErrAccessDenied, &d, now)
		return
	}
	nc, _, perr := m.resolve(ai, cfg, "vpcConfig")
	if perr != nil && perr.code != ErrNone {
		m.reject(fi, top, perr.code, &d, now)
		return
	}
	if top.MemoryMB > 0 {
		m.fmeta[fi].mem = top.MemoryMB
	}
	op := m.newOp(fi, opCreate, now)
	op.principal, op.decision = top.Principal, d
	m.startWorkload(fi, s)
	c := cloneVPC(cfg)
	op.pendCfg = &c
	op.toVPC = m.vpcName(nc.vpc)
	if nc.vpc < 0 && perr == nil {
		// No VPC: no ENI to wait for.
		f.op = nil
		m.fmeta[fi].cfg = op.pendCfg
		f.lastInvoked = now
		m.setState(fi, StateActive, ReasonNone, now)
		m.operation(fi, OpCreateFunction, op, now, now, "Successful", ErrNone, top.Principal, nil)
		return
	}
	m.setState(fi, StatePending, ReasonCreating, now)
	if perr != nil {
		m.opFailed(fi, op.gen, perr.reason, s)
		return
	}
	op.pend = nc
	m.acquire(fi, nc)
	if m.cfg.Legacy {
		// Before Hyperplane a function had no Pending state: its ENIs came with each
		// execution environment's cold start.
		m.opSucceeded(fi, s)
		return
	}
	if r := m.setupNet(fi, op, nc, false, s); r != ReasonNone {
		m.opFailed(fi, op.gen, r, s)
	}
}

func (m *Model) opUpdateConfig(fi int32, top *TimelineOp, s sim.Scheduler) {
	now := s.Now()
	f := &m.fns[fi]
	if code := m.conflict(fi); code != ErrNone {
		m.reject(fi, top, code, nil, now)
		return
	}
	ai := f.acct
	var cur VPCConfig
	if c := m.fmeta[fi].cfg; c != nil {
		cur = *c
	}
	d, ok := m.authorize(fi, "UpdateFunctionConfiguration", top, top.VPC, vpcOfPtr(m, ai, top.VPC))
	if !ok {
		m.reject(fi, top, ErrAccessDenied, &d, now)
		return
	}
	change := top.VPC != nil && !sameVPCConfig(*top.VPC, cur)
	var nc netcfg
	var perr *placeErr
	if change {
		nc, _, perr = m.resolve(ai, *top.VPC, "vpcConfig")
		if perr != nil && perr.code != ErrNone {
			m.reject(fi, top, perr.code, &d, now)
			return
		}
	}
	op := m.newOp(fi, opUpdateConfig, now)
	op.principal, op.decision = top.Principal, d
	op.memoryMB = top.MemoryMB
	op.vpcChange = change
	op.fromVPC = m.vpcName(f.cur.vpc)
	op.toVPC = op.fromVPC
	m.setUpdate(fi, UpdateInProgress, ReasonNone, now)
	if !change {
		m.opTimer(fi, op, &m.p.CodeUpdate, s)
		return
	}
	c := cloneVPC(*top.VPC)
	op.pendCfg = &c
	op.toVPC = m.vpcName(nc.vpc)
	if perr != nil {
		m.opFailed(fi, op.gen, perr.reason, s)
		return
	}
	op.pend = nc
	m.acquire(fi, nc)
	if m.cfg.Legacy {
		m.opTimer(fi, op, &m.p.Switchover, s)
		return
	}
	if r := m.setupNet(fi, op, nc, false, s); r != ReasonNone {
		m.opFailed(fi, op.gen, r, s)
		return
	}
	// Changing the VPC configuration takes "several minutes" beyond the ENI work; detaching
	// (no VPC) as well.
	m.opTimer(fi, op, &m.p.Switchover, s)
}

func vpcOfPtr(m *Model, ai int32, c *VPCConfig) string {
	if c == nil {
		return ""
	}
	return m.vpcOf(ai, c)
}

func (m *Model) opUpdateCode(fi int32, top *TimelineOp, s sim.Scheduler) {
	now := s.Now()
	if code := m.conflict(fi); code != ErrNone {
		m.reject(fi, top, code, nil, now)
		return
	}
	d, ok := m.authorize(fi, "UpdateFunctionCode", top, nil, "")
	if !ok {
		m.reject(fi, top, ErrAccessDenied, &d, now)
		return
	}
	op := m.newOp(fi, opUpdateCode, now)
	op.principal, op.decision = top.Principal, d
	m.setUpdate(fi, UpdateInProgress, ReasonNone, now)
	m.opTimer(fi, op, &m.p.CodeUpdate, s)
}

func (m *Model) opPublish(fi int32, top *TimelineOp, s sim.Scheduler) {
	now := s.Now()
	f := &m.fns[fi]
	if code := m.conflict(fi); code != ErrNone {
		m.reject(fi, top, code, nil, now)
		return
	}
	d, ok := m.authorize(fi, "PublishVersion", top, nil, "")
	if !ok {
		m.reject(fi, top, ErrAccessDenied, &d, now)
		return
	}
	meta := &m.fmeta[fi]
	n := len(meta.versions) + 1
	st := f.state
	if n > maxVersions {
		m.reject(fi, top, ErrResourceConflict, &d, now) // beyond what version restores can name
		return
	}
	m.acquire(fi, f.cur)
	meta.versions = append(meta.versions, version{n: n, net: f.cur, state: st, reason: f.reason, last: now, mem: meta.mem})
	m.obs.StateChange(StateChange{At: now, Account: m.accts[f.acct].id, Function: meta.name,
		Version: fmt.Sprint(n), From: StateAbsent.String(), To: st.String()})
	m.operation(fi, OpPublishVersion, nil, now, now, "Successful", ErrNone, top.Principal, &d)
}

func (m *Model) opDelete(fi int32, top *TimelineOp, s sim.Scheduler) {
	now := s.Now()
	f := &m.fns[fi]
	if f.state == StateAbsent {
		m.reject(fi, top, ErrResourceNotFound, nil, now)
		return
	}
	d, ok := m.authorize(fi, "DeleteFunction", top, nil, "")
	if !ok {
		m.reject(fi, top, ErrAccessDenied, &d, now)
		return
	}
	if op := f.op; op != nil {
		f.op = nil
		if op.kind != opRestore {
			m.release(fi, op.pend, s)
		}
		if op.kind == opUpdateConfig || op.kind == opUpdateCode {
			m.setUpdate(fi, UpdateFailed, ReasonNone, now)
		}
	}
	m.release(fi, f.cur, s)
	m.setCur(fi, noVPC())
	meta := &m.fmeta[fi]
	m.retireVersions(fi, s)
	for _, v := range meta.versions {
		m.release(fi, v.net, s)
	}
	meta.versions = nil
	m.retireEnvs(fi, s)
	if f.wl != nil {
		f.wl.gen++ // its workload stops with it
	}
	m.setState(fi, StateAbsent, ReasonNone, now)
	m.aggRestep(fi, false, s)
	f.upd, f.updReason = UpdateNone, ReasonNone
	m.operation(fi, OpDeleteFunction, nil, now, now, "Successful", ErrNone, top.Principal, &d)
}

// startRestore begins re-creating an Inactive function's ENIs after an invocation (facts §3).
func (m *Model) startRestore(fi int32, s sim.Scheduler) {
	now := s.Now()
	f := &m.fns[fi]
	op := m.newOp(fi, opRestore, now)
	m.setState(fi, StatePending, ReasonRestoring, now)
	if r := m.setupNet(fi, op, f.cur, true, s); r != ReasonNone {
		m.opFailed(fi, op.gen, r, s)
		return
	}
	if op.outstanding == 0 {
		m.opSucceeded(fi, s)
	}
}

// accountOp applies an IAM or quota change.
func (m *Model) accountOp(top *TimelineOp, s sim.Scheduler) {
	now := s.Now()
	a := &m.accts[top.Account]
	report := func(outcome string, code ErrCode, detail string) {
		m.obs.Operation(Operation{Start: now, End: now, Account: a.id, Principal: top.Principal,
			Op: top.Kind.String(), Resource: detail, Outcome: outcome, Error: code.String()})
	}
	switch top.Kind {
	case OpPutRolePolicy, OpDeleteRolePolicy, OpDeleteRole:
		ri := a.roleByName[top.Role]
		r := &m.roles[ri]
		if r.deleted {
			report("Rejected", ErrResourceNotFound, top.Role)
			return
		}
		switch top.Kind {
		case OpPutRolePolicy:
			if i := slices.Index(r.names, top.PolicyName); i >= 0 {
				r.policies[i] = top.Policy
			} else {
				r.names = append(r.names, top.PolicyName)
				r.policies = append(r.policies, top.Policy)
			}
			report("Successful", ErrNone, top.Role+"/"+top.PolicyName)
			m.retryLingering(ri, s)
		case OpDeleteRolePolicy:
			i := slices.Index(r.names, top.PolicyName)
			if i < 0 {
				report("Rejected", ErrResourceNotFound, top.Role+"/"+top.PolicyName)
				return
			}
			r.names = slices.Delete(r.names, i, i+1)
			r.policies = slices.Delete(r.policies, i, i+1)
			report("Successful", ErrNone, top.Role+"/"+top.PolicyName)
		case OpDeleteRole:
			r.deleted = true
			report("Successful", ErrNone, top.Role)
		}
	case OpSetQuota:
		switch top.Quota {
		case QuotaVPCENIs:
			v := &m.vpcs[a.vpcByID[top.Target]]
			if int32(top.Value) < v.enis {
				// AWS does not lower a quota below current usage.
				report("Rejected", ErrInvalidParameterValue, top.Target)
				return
			}
			v.quota = int32(top.Value)
			report("Successful", ErrNone, top.Target)
		case QuotaRegionENIs:
			if int32(top.Value) < a.enis {
				report("Rejected", ErrInvalidParameterValue, "regionENIs")
				return
			}
			a.eniQuota = int32(top.Value)
			report("Successful", ErrNone, "regionENIs")
		case QuotaConcurrency:
			if err := a.dp.SetConcurrency(top.Value); err != nil {
				report("Rejected", ErrInvalidParameterValue, "concurrency")
				return
			}
			report("Successful", ErrNone, "concurrency")
		default:
			report("Rejected", ErrInvalidParameterValue, "quota")
		}
	}
}

// onIPGrab applies a fault: other services take IPs of a subnet (never more than are free,
// so invariant 1 keeps holding).
func (m *Model) onIPGrab(ev sim.Event, s sim.Scheduler) {
	g := m.cfg.Faults.SubnetIPsTaken[ev.Obj]
	si, _ := m.subnetIndex(g.Account, g.Subnet)
	sn := &m.subnets[si]
	free := sn.usable - m.ipsUsed(sn)
	sn.taken += min(int32(g.IPs), max(free, 0))
	sn.peakIPs = max(sn.peakIPs, m.ipsUsed(sn))
}

// arn is function fi's ARN (built on demand: it is only needed on the control plane).
func (m *Model) arn(fi int32) string {
	return "arn:aws:lambda:us-east-1:" + m.accts[m.fns[fi].acct].id + ":function:" + m.fmeta[fi].name
}

// startWorkload starts the invocations of a function created by the timeline: its
// clients start calling as soon as CreateFunction is accepted, so calls during Pending
// fail with ResourceNotReadyException (facts §3).
func (m *Model) startWorkload(fi int32, s sim.Scheduler) {
	f := &m.fns[fi]
	if f.wl == nil || f.wl.rateMax <= 0 {
		return
	}
	f.wl.gen++
	m.scheduleArrival(fi, s.Now(), s)
}
