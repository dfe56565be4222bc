package model

import (
	"fmt"
	"slices"

	"github.com/enisim/enisim/sim"
)

// invariantError formats a broken invariant with the seed that reproduces it.
func invariantError(seed sim.Seed, format string, args ...any) error {
	return fmt.Errorf("model invariant broken (seed %d): %s", uint64(seed), fmt.Sprintf(format, args...))
}

// CheckInvariants verifies the numbered invariants of doc.go on the whole state. It is
// O(entities): tests call it after every event; builds with the enisim_invariants tag do so
// for every run.
func (m *Model) CheckInvariants() error {
	bad := func(format string, args ...any) error { return invariantError(m.seed, format, args...) }
	// Recount ENIs per subnet, VPC and combo from the ENI table.
	subnetENIs := make([]int32, len(m.subnets))
	vpcENIs := make([]int32, len(m.vpcs))
	comboReady := make([]int32, len(m.combos))
	comboCreating := make([]int32, len(m.combos))
	for e := range m.enis {
		en := &m.enis[e]
		if en.state == eniGone {
			continue
		}
		subnetENIs[en.subnet]++
		vpcENIs[en.vpc]++
		listed := slices.Contains(m.combos[en.combo].enis, int32(e))
		switch en.state {
		case eniReady:
			comboReady[en.combo]++
		case eniCreating:
			comboCreating[en.combo]++
		}
		// Invariant 4: a deleting or lingering ENI is detached from its combo, so no
		// function uses it; a creating or ready one is attached.
		attached := en.state == eniReady || en.state == eniCreating
		if listed != attached {
			return bad("invariant 4: ENI %s is %s but listed=%v in its combination", m.eniName(int32(e)), en.state, listed)
		}
		// A legacy ENI enters the table only to be deleted; only a ready ENI is replaced.
		if en.legacy && attached {
			return bad("invariant 4: legacy ENI %s is %s", m.eniName(int32(e)), en.state)
		}
		if en.replacing && en.state != eniReady {
			return bad("ENI %s is %s with a replacement on the way", m.eniName(int32(e)), en.state)
		}
	}
	for i := range m.subnets {
		sn := &m.subnets[i]
		subnetENIs[i] += sn.legacy
		vpcENIs[sn.vpc] += sn.legacy
	}
	for i := range m.subnets {
		sn := &m.subnets[i]
		if subnetENIs[i] != sn.enis {
			return bad("subnet %s counts %d ENIs, has %d", sn.id, sn.enis, subnetENIs[i])
		}
		// Invariant 1: IPs used = ENIs × IPs/ENI (+ IPs of others) ≤ usable.
		if u := m.ipsUsed(sn); u > sn.usable {
			return bad("invariant 1: subnet %s uses %d IPs of %d usable", sn.id, u, sn.usable)
		}
	}
	acctENIs := make([]int32, len(m.accts))
	for i := range m.vpcs {
		acctENIs[m.vpcs[i].acct] += vpcENIs[i]
	}
	for i := range m.accts {
		a := &m.accts[i]
		if acctENIs[i] != a.enis {
			return bad("account %s counts %d ENIs, has %d", a.id, a.enis, acctENIs[i])
		}
		// Invariant 2b: the account's ENIs in the region ≤ EC2's regional quota.
		if a.enis > a.eniQuota {
			return bad("invariant 2b: account %s has %d ENIs, regional quota %d", a.id, a.enis, a.eniQuota)
		}
	}
	for i := range m.vpcs {
		v := &m.vpcs[i]
		if vpcENIs[i] != v.enis {
			return bad("VPC %s counts %d ENIs, has %d", v.id, v.enis, vpcENIs[i])
		}
		// Invariant 2: ENIs per VPC ≤ quota.
		if v.enis > v.quota {
			return bad("invariant 2: VPC %s has %d ENIs, quota %d", v.id, v.enis, v.quota)
		}
	}
	for c := range m.combos {
		cb := &m.combos[c]
		if cb.ready != comboReady[c] || cb.creating != comboCreating[c] {
			return bad("combination %s/%s counts ready %d creating %d, has %d and %d",
				m.subnets[cb.subnet].id, cb.sgs, cb.ready, cb.creating, comboReady[c], comboCreating[c])
		}
		if int(cb.refs) != len(cb.users) || cb.refs < 0 {
			return bad("combination %s/%s: refs %d, users %d", m.subnets[cb.subnet].id, cb.sgs, cb.refs, len(cb.users))
		}
		// Invariant 6: connections per ENI ≤ ConnectionsPerENI.
		if int64(cb.conns) > int64(cb.ready)*int64(m.p.ConnectionsPerENI) || cb.conns < 0 {
			return bad("invariant 6: combination %s/%s carries %d connections on %d ENIs",
				m.subnets[cb.subnet].id, cb.sgs, cb.conns, cb.ready)
		}
	}
	refs := make([]int32, len(m.combos))
	for fi := range m.fns {
		f := &m.fns[fi]
		name := m.fmeta[fi].name
		nets := []netcfg{f.cur}
		if f.op != nil {
			nets = append(nets, f.op.pend)
		}
		for _, v := range m.fmeta[fi].versions {
			nets = append(nets, v.net)
		}
		for _, nc := range nets {
			for _, c := range nc.combos {
				refs[c]++
			}
		}
		// Invariant 3: every Active function's ENIs are ready (Hyperplane mode), or a failed
		// health check's replacement is on the way.
		if f.state == StateActive && !m.cfg.Legacy {
			for _, c := range f.cur.combos {
				if cb := &m.combos[c]; cb.ready == 0 && !(cb.down && cb.creating > 0) {
					return bad("invariant 3: function %s is Active but combination %s/%s has no ready ENI",
						name, m.subnets[m.combos[c].subnet].id, m.combos[c].sgs)
				}
			}
		}
		// Invariant 5 (the part visible in a snapshot): Pending ⇔ a create/restore in
		// progress; InProgress ⇔ an update in progress.
		pendingOp := f.op != nil && (f.op.kind == opCreate || f.op.kind == opRestore)
		if (f.state == StatePending) != pendingOp {
			return bad("invariant 5: function %s is %s with operation %v", name, f.state, f.op)
		}
		updOp := f.op != nil && (f.op.kind == opUpdateConfig || f.op.kind == opUpdateCode)
		if (f.upd == UpdateInProgress) != updOp {
			return bad("invariant 5: function %s LastUpdateStatus %s with operation %v", name, f.upd, f.op)
		}
	}
	if err := m.checkNetLimits(); err != nil {
		return err
	}
	if err := m.checkVersions(); err != nil {
		return err
	}
	for c := range m.combos {
		if refs[c] != m.combos[c].refs {
			return bad("combination %d: %d references counted, %d held", c, m.combos[c].refs, refs[c])
		}
	}
	return nil
}
