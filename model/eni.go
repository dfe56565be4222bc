package model

import (
	"fmt"
	"slices"
	"time"

	"github.com/enisim/enisim/model/iam"
	"github.com/enisim/enisim/sim"
)

// acquire records that function fi's configuration or version uses nc's combos.
func (m *Model) acquire(fi int32, nc netcfg) {
	for _, c := range nc.combos {
		cb := &m.combos[c]
		cb.refs++
		cb.users = append(cb.users, fi)
	}
}

// release drops one reference per combo of nc; a combo left without references has its
// ENIs deleted with the releasing function's execution role (facts §3).
func (m *Model) release(fi int32, nc netcfg, s sim.Scheduler) {
	for _, c := range nc.combos {
		cb := &m.combos[c]
		cb.refs--
		if i := slices.Index(cb.users, fi); i >= 0 {
			cb.users = slices.Delete(cb.users, i, i+1)
		}
		cb.lastRole = m.fns[fi].role
		if cb.refs == 0 {
			m.retireCombo(c, "NoUsers", s)
		}
	}
}

// retireCombo detaches the combo's ready ENIs and deletes them; ENIs still being created
// are deleted when they become ready (onENICreated sees refs == 0).
func (m *Model) retireCombo(c int32, why string, s sim.Scheduler) {
	cb := &m.combos[c]
	cb.idleGen++
	cb.idleArmed = false
	kept := cb.enis[:0]
	for _, e := range cb.enis {
		if m.enis[e].state == eniReady {
			m.enis[e].role = cb.lastRole
			m.startDelete(e, why, s)
			continue
		}
		kept = append(kept, e)
	}
	cb.enis = kept
	cb.ready = 0
}

// newENI takes an ENI slot for combo c in state Creating and counts it against its
// subnet's IPs and its VPC's quota.
func (m *Model) newENI(c, role int32, now sim.Time) int32 {
	cb := &m.combos[c]
	sn := &m.subnets[cb.subnet]
	var e int32
	if n := len(m.freeENIs); n > 0 {
		e = m.freeENIs[n-1]
		m.freeENIs = m.freeENIs[:n-1]
	} else {
		e = int32(len(m.enis))
		m.enis = append(m.enis, eni{})
	}
	cb.eniSeq++
	gen := m.enis[e].gen + 1
	m.enis[e] = eni{combo: c, subnet: cb.subnet, vpc: sn.vpc, role: role, state: eniCreating, gen: gen,
		seq: cb.eniSeq, requested: now, replaces: -1}
	m.enis[e].rng = *m.seed.Stream("eni", cb.key^(cb.eniSeq*0x9e3779b97f4a7c15))
	m.countENI(sn)
	cb.enis = append(cb.enis, e)
	cb.creating++
	return e
}

// legacyENI moves a legacy per-environment ENI of combo c, already counted in its
// subnet, VPC and account, into the ENI table (detached: Deleting once startDelete runs),
// so that its deletion is an ENI's like any other.
func (m *Model) legacyENI(c, role int32, now sim.Time) int32 {
	cb := &m.combos[c]
	var e int32
	if n := len(m.freeENIs); n > 0 {
		e = m.freeENIs[n-1]
		m.freeENIs = m.freeENIs[:n-1]
	} else {
		e = int32(len(m.enis))
		m.enis = append(m.enis, eni{})
	}
	cb.eniSeq++
	gen := m.enis[e].gen + 1
	m.enis[e] = eni{combo: c, subnet: cb.subnet, vpc: m.subnets[cb.subnet].vpc, role: role,
		state: eniDeleting, legacy: true, gen: gen, seq: cb.eniSeq, requested: now, replaces: -1}
	m.enis[e].rng = *m.seed.Stream("eni", cb.key^(cb.eniSeq*0x9e3779b97f4a7c15))
	return e
}

// freeENI gives an ENI's IP and quotas back and its slot to the free list.
func (m *Model) freeENI(e int32) {
	en := &m.enis[e]
	m.subnets[en.subnet].enis--
	m.vpcs[en.vpc].enis--
	m.accts[m.vpcs[en.vpc].acct].enis--
	en.state = eniGone
	en.gen++
	m.freeENIs = append(m.freeENIs, e)
}

// eniName is a stable, partition-independent name for an ENI.
func (m *Model) eniName(e int32) string {
	en := &m.enis[e]
	return fmt.Sprintf("eni-%08x%04d", uint32(m.combos[en.combo].key), en.seq)
}

func (m *Model) eniEvent(e int32, now sim.Time, what, reason string, d time.Duration) {
	en := &m.enis[e]
	cb := &m.combos[en.combo]
	m.obs.ENIEvent(ENIEvent{At: now, Account: m.accts[cb.acct].id, VPC: m.vpcs[en.vpc].id,
		Subnet: m.subnets[en.subnet].id, SGSet: cb.sgs, ENI: m.eniName(e), Event: what,
		Reason: reason, Duration: d})
}

// eniScope is what the execution role's EC2 permissions are judged against.
func (m *Model) eniScope(c int32, e int32) iam.ENIScope {
	cb := &m.combos[c]
	sc := iam.ENIScope{Region: "us-east-1", Account: m.accts[cb.acct].id,
		SubnetIDs: []string{m.subnets[cb.subnet].id}}
	if cb.sgs != "" {
		sc.SecurityGroupIDs = splitComma(cb.sgs)
	}
	if e >= 0 {
		sc.ENIID = m.eniName(e)
	}
	return sc
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

// roleMay reports whether role r lets Lambda create (create=true) or delete the combo's
// ENIs, and which check failed. A deleted role can do nothing.
func (m *Model) roleMay(r, c, e int32, create bool) (bool, string) {
	ro := &m.roles[r]
	if ro.deleted {
		return false, "role " + ro.name + " deleted"
	}
	for _, pc := range iam.CheckENIPermissions(ro.policies, m.eniScope(c, e)) {
		switch pc.Action {
		case iam.ActionCreateNetworkInterface, iam.ActionDescribeNetworkInterfaces, iam.ActionDescribeSubnets:
			if create {
				return false, pc.Action + " " + pc.Decision.Effect.String()
			}
		case iam.ActionDeleteNetworkInterface:
			if !create {
				return false, pc.Action + " " + pc.Decision.Effect.String()
			}
		case iam.ActionAssignPrivateIpAddresses:
			// Only an ENI with secondary IPs needs the call (ec2calls.go).
			if create && m.p.IPsPerENI > 1 {
				return false, pc.Action + " " + pc.Decision.Effect.String()
			}
		}
	}
	return true, ""
}

// requestENI asks for one more ENI for combo c, made with role; it fails at once when the
// VPC's or the region's ENI quota, the subnet's IPs or the role's permissions do not
// allow it.
func (m *Model) requestENI(c, role int32, restore bool, s sim.Scheduler) Reason {
	why := "Create"
	if restore {
		why = "Restore"
	}
	return m.newRequest(c, role, restore, why, -1, s)
}

// newRequest is requestENI with the Requested event's reason and, for a rebalance, the
// ENI the new one replaces (-1: none), linked before the first EC2 call so that a
// creation failing at once already knows what it replaced.
func (m *Model) newRequest(c, role int32, restore bool, why string, replaces int32, s sim.Scheduler) Reason {
	now := s.Now()
	cb := &m.combos[c]
	sn := &m.subnets[cb.subnet]
	v := &m.vpcs[sn.vpc]
	if v.enis >= v.quota {
		return ReasonEniLimitExceeded
	}
	if a := &m.accts[cb.acct]; a.enis >= a.eniQuota {
		return ReasonEniLimitExceeded
	}
	if m.ipsUsed(sn)+int32(m.p.IPsPerENI) > sn.usable {
		return ReasonSubnetOutOfIPAddresses
	}
	if ok, _ := m.roleMay(role, c, -1, true); !ok {
		return ReasonInsufficientRolePermissions
	}
	e := m.newENI(c, role, now)
	if replaces >= 0 {
		m.enis[e].replaces, m.enis[e].replacesGen = replaces, m.enis[replaces].gen
		m.enis[replaces].replacing = true
	}
	m.eniEvent(e, now, "Requested", why, 0)
	m.tryCreate(e, restore, s)
	return ReasonNone
}

// inStorm reports whether the account's EC2 calls are throttled by a fault window.
func (m *Model) inStorm(ai int32, now sim.Time) bool {
	for _, w := range m.accts[ai].storms {
		if now >= sim.Time(w.Start) && now < sim.Time(w.End) {
			return true
		}
	}
	return false
}

// tryCreate makes the EC2 calls of an ENI's creation (ec2calls.go), each through its
// bucket: a throttled call is retried, from where the creation stopped, with linear
// backoff; past EC2MaxRetries throttles in all the creation fails with
// EC2RequestLimitExceeded.
func (m *Model) tryCreate(e int32, restore bool, s sim.Scheduler) {
	now := s.Now()
	en := &m.enis[e]
	ai := m.combos[en.combo].acct
	for ; en.phase < callsDone; en.phase++ {
		if en.phase == callAssign && m.p.IPsPerENI <= 1 {
			continue
		}
		if m.ec2Take(ai, en.phase, now) {
			continue
		}
		m.counters.EC2Throttles++
		en.retries++
		if int(en.retries) > m.p.EC2MaxRetries {
			m.eniCreateFailed(e, ReasonEC2RequestLimitExceeded, s)
			return
		}
		m.eniEvent(e, now, "Throttled", en.phase.throttleReason(), 0)
		wait := time.Duration(en.retries) * sampleDur(&m.p.EC2RetryBackoff, &en.rng)
		arg := uint64(en.gen)
		if restore {
			arg |= 1 << 32
		}
		m.must(s, sim.Event{At: now.Add(wait), Kind: evENIRetry, Obj: uint32(e), Arg: arg})
		return
	}
	d := &m.p.ENICreate
	if restore {
		d = &m.p.Restore
	}
	lat := time.Duration(float64(sampleDur(d, &en.rng)) * m.createFactor)
	m.must(s, sim.Event{At: now.Add(lat), Kind: evENICreated, Obj: uint32(e), Arg: uint64(en.gen)})
}

func (m *Model) onENIRetry(ev sim.Event, s sim.Scheduler) {
	e := int32(ev.Obj)
	if m.enis[e].gen != uint32(ev.Arg) || m.enis[e].state != eniCreating {
		return
	}
	m.tryCreate(e, ev.Arg>>32 != 0, s)
}

func (m *Model) onENICreated(ev sim.Event, s sim.Scheduler) {
	e := int32(ev.Obj)
	en := &m.enis[e]
	if en.gen != uint32(ev.Arg) || en.state != eniCreating {
		return
	}
	now := s.Now()
	if p := m.cfg.Faults.ENICreateFailProb; p > 0 && u01(&en.rng) < p {
		m.eniCreateFailed(e, ReasonInternalError, s)
		return
	}
	c := en.combo
	cb := &m.combos[c]
	en.state = eniReady
	cb.creating--
	cb.ready++
	cb.down = false
	m.counters.ENIsCreated++
	m.eniEvent(e, now, "Ready", "", now.Sub(en.requested))
	m.replacedBy(e, s)
	cb = &m.combos[c]
	if cb.refs == 0 {
		// Its users left while it was being created.
		m.retireCombo(c, "NoUsers", s)
		return
	}
	m.armReplace(e, s)
	m.armIdle(c, now, s)
	ws := cb.waiters
	cb.waiters = nil
	for _, w := range ws {
		m.opStepDone(w.fn, w.gen, s)
	}
}

// eniCreateFailed drops a failed creation; when the combo has no other ENI ready or on the
// way, the functions waiting for it fail with reason.
func (m *Model) eniCreateFailed(e int32, r Reason, s sim.Scheduler) {
	now := s.Now()
	en := &m.enis[e]
	c := en.combo
	cb := &m.combos[c]
	m.counters.ENICreateFails++
	m.eniEvent(e, now, "CreateFailed", r.String(), now.Sub(en.requested))
	if i := slices.Index(cb.enis, e); i >= 0 {
		cb.enis = slices.Delete(cb.enis, i, i+1)
	}
	cb.creating--
	m.replaceFailed(e, r, s)
	m.freeENI(e)
	if cb.ready > 0 || cb.creating > 0 {
		return
	}
	ws := cb.waiters
	cb.waiters = nil
	for _, w := range ws {
		m.opFailed(w.fn, w.gen, r, s)
	}
	// A failed health check's replacement that could not be made leaves the functions
	// using the combination without an ENI (replace.go).
	m.comboLost(c, r, s)
}

// startDelete begins deleting a detached ENI with its role: without the role or its
// permission the ENI lingers (facts §3).
func (m *Model) startDelete(e int32, why string, s sim.Scheduler) {
	now := s.Now()
	en := &m.enis[e]
	en.state = eniDeleting
	en.requested = now
	en.retries = 0
	en.replacing = false
	m.eniEvent(e, now, "DeleteRequested", why, 0)
	m.tryDelete(e, s)
}

func (m *Model) tryDelete(e int32, s sim.Scheduler) {
	now := s.Now()
	en := &m.enis[e]
	if en.role < 0 {
		en.state = eniLingering
		m.eniEvent(e, now, "Lingering", "no execution role", 0)
		return
	}
	if ok, why := m.roleMay(en.role, en.combo, e, false); !ok {
		en.state = eniLingering
		m.eniEvent(e, now, "Lingering", why, 0)
		return
	}
	ai := m.combos[en.combo].acct
	if m.inStorm(ai, now) || !m.accts[ai].del.take(now) {
		// Deletion is Lambda's own background work: it keeps retrying.
		m.counters.EC2Throttles++
		if en.retries < 255 {
			en.retries++
		}
		m.eniEvent(e, now, "Throttled", "RequestLimitExceeded", 0)
		wait := time.Duration(en.retries) * sampleDur(&m.p.EC2RetryBackoff, &en.rng)
		m.must(s, sim.Event{At: now.Add(wait), Kind: evENIDeleteTry, Obj: uint32(e), Arg: uint64(en.gen)})
		return
	}
	m.must(s, sim.Event{At: now.Add(sampleDur(&m.p.ENIDelete, &en.rng)), Kind: evENIDeleted,
		Obj: uint32(e), Arg: uint64(en.gen)})
}

func (m *Model) onENIDeleteTry(ev sim.Event, s sim.Scheduler) {
	e := int32(ev.Obj)
	if m.enis[e].gen != uint32(ev.Arg) || m.enis[e].state != eniDeleting {
		return
	}
	m.tryDelete(e, s)
}

func (m *Model) onENIDeleted(ev sim.Event, s sim.Scheduler) {
	e := int32(ev.Obj)
	en := &m.enis[e]
	if en.gen != uint32(ev.Arg) || en.state != eniDeleting {
		return
	}
	now := s.Now()
	m.counters.ENIsDeleted++
	m.eniEvent(e, now, "Deleted", "", now.Sub(en.requested))
	m.freeENI(e)
}

// retryLingering restarts the deletion of ENIs left behind for lack of role r's permissions.
func (m *Model) retryLingering(r int32, s sim.Scheduler) {
	for e := range m.enis {
		if en := &m.enis[e]; en.state == eniLingering && en.role == r {
			m.startDelete(int32(e), "PermissionsRestored", s)
		}
	}
}

// armIdle schedules the combo's idle check, unless one is pending. The check runs at the
// earliest time one of its Active functions, or the combination as a whole, could have
// gone IdleReclaim without an invocation; it re-arms itself lazily, so an invocation only
// stores a timestamp (O(1), no timer reset).
func (m *Model) armIdle(c int32, now sim.Time, s sim.Scheduler) {
	cb := &m.combos[c]
	if cb.idleArmed || cb.ready == 0 || cb.refs == 0 {
		return
	}
	cb.idleArmed = true
	cb.idleGen++
	at := max(m.idleDue(c, now, now), now)
	m.must(s, sim.Event{At: at, Kind: evIdleCheck, Obj: uint32(c), Arg: uint64(cb.idleGen)})
}

// idleDue is when combo c's next idle event is due: the first of (a) an Active function
// or published version using it reaching IdleReclaim without an invocation (it goes
// Inactive) and (b) all its functions and versions having done so, each counted by its
// own use of c (useOf; its ENIs are reclaimed). floor counts as a use of
// the combination (it just became ready); a function with an operation in progress counts
// as used at now (it is not idle while being created, updated or restored).
func (m *Model) idleDue(c int32, floor, now sim.Time) sim.Time {
	latest, earliest := floor, sim.MaxTime
	for _, u := range m.combos[c].users {
		latest = max(latest, m.useOf(u, c, now))
		if m.fns[u].state == StateActive {
			earliest = min(earliest, m.lastUse(u, now))
		}
		earliest = min(earliest, m.versionsIdleDue(u, c))
	}
	return min(earliest, latest).Add(m.p.IdleReclaim)
}

// lastUse is function fi's last invocation, or now while an operation is in progress.
func (m *Model) lastUse(fi int32, now sim.Time) sim.Time {
	if m.fns[fi].op != nil {
		return now
	}
	return m.fns[fi].lastInvoked
}

// comboLastUse is the latest of floor and its users' last uses.
func (m *Model) comboLastUse(c int32, floor, now sim.Time) sim.Time {
	last := floor
	for _, u := range m.combos[c].users {
		last = max(last, m.useOf(u, c, now))
	}
	return last
}

// onIdleCheck applies idle reclamation (facts §2, §3): a function not invoked for
// IdleReclaim goes Inactive(Idle); a combination none of whose functions was invoked for
// that long loses its ENIs. A function whose ENIs are shared with busy functions therefore
// goes Inactive while the ENIs stay.
func (m *Model) onIdleCheck(ev sim.Event, s sim.Scheduler) {
	c := int32(ev.Obj)
	cb := &m.combos[c]
	if cb.idleGen != uint32(ev.Arg) || !cb.idleArmed {
		return
	}
	now := s.Now()
	cb.idleArmed = false
	if m.comboLastUse(c, 0, now).Add(m.p.IdleReclaim) <= now {
		m.reclaim(c, s)
		return
	}
	for _, fi := range m.uniqueUsers(c) {
		f := &m.fns[fi]
		if f.state == StateActive && m.lastUse(fi, now).Add(m.p.IdleReclaim) <= now {
			m.setState(fi, StateInactive, ReasonIdle, now)
			m.retireEnvs(fi, s)
		}
	}
	m.idleVersions(c, s)
	cb = &m.combos[c]
	cb.idleArmed = true
	m.must(s, sim.Event{At: m.idleDue(c, 0, now), Kind: evIdleCheck, Obj: uint32(c), Arg: uint64(cb.idleGen)})
}

// uniqueUsers lists the functions referencing combo c once each, in index order.
func (m *Model) uniqueUsers(c int32) []int32 {
	users := slices.Clone(m.combos[c].users)
	slices.Sort(users)
	return slices.Compact(users)
}

// reclaim removes an idle combo's ENIs; every function and version using it goes
// Inactive (Idle) until invoked again (facts §2, §3).
func (m *Model) reclaim(c int32, s sim.Scheduler) {
	now := s.Now()
	cb := &m.combos[c]
	for _, e := range cb.enis {
		if m.enis[e].state == eniReady {
			m.counters.ENIsReclaimed++
			m.eniEvent(e, now, "Reclaimed", "Idle", 0)
		}
	}
	if cb.lastRole < 0 && len(cb.users) > 0 {
		cb.lastRole = m.fns[cb.users[0]].role
	}
	if len(cb.users) > 0 {
		cb.lastRole = m.fns[cb.users[len(cb.users)-1]].role
	}
	m.retireCombo(c, "Reclaimed", s)
	for _, fi := range m.uniqueUsers(c) {
		f := &m.fns[fi]
		if f.state == StateActive && slices.Contains(f.cur.combos, c) {
			m.setState(fi, StateInactive, ReasonIdle, now)
			m.retireEnvs(fi, s)
		}
		meta := &m.fmeta[fi]
		for i := range meta.versions {
			v := &meta.versions[i]
			if v.state == StateActive && slices.Contains(v.net.combos, c) {
				m.setVersionState(fi, i, StateInactive, ReasonIdle, s)
			}
		}
	}
}

// wantMoreENIs adds an ENI to a combo whose connections approach its capacity (facts §1:
// Lambda scales the ENIs of a combination with traffic). Failures are reported as ENI
// events and otherwise ignored: the combination keeps its ENIs.
func (m *Model) wantMoreENIs(c int32, s sim.Scheduler) {
	cb := &m.combos[c]
	if cb.creating > 0 || cb.refs == 0 || len(cb.users) == 0 {
		return
	}
	role := m.fns[cb.users[0]].role
	if r := m.requestENI(c, role, false, s); r != ReasonNone {
		m.counters.ENICreateFails++
	}
}

// CodeMay evaluates an AWS call that function fi's own code makes with its execution
// role: Lambda injects lambda:SourceFunctionArn into those credentials, so a Deny
// conditioned on that key blocks the code's calls but not the calls Lambda makes itself to
// manage the function's ENIs (facts §4).
func (m *Model) CodeMay(fi int32, action string) iam.Decision {
	r := &m.roles[m.fns[fi].role]
	return iam.Evaluate(r.policies, iam.Request{Action: action, Resource: "*",
		Context: iam.FunctionCodeContext(m.arn(fi))})
}

// countENI counts a new ENI in its subnet, VPC and account and updates the peaks.
func (m *Model) countENI(sn *subnet) {
	sn.enis++
	v := &m.vpcs[sn.vpc]
	v.enis++
	m.accts[v.acct].enis++
	v.peak = max(v.peak, v.enis)
	sn.peakIPs = max(sn.peakIPs, m.ipsUsed(sn))
}
