package model

import (
	"fmt"

	"github.com/enisim/enisim/model/dataplane"
	"github.com/enisim/enisim/sim"
)

// Connection limits on the way out of a VPC (facts §6): a NAT gateway carries at most
// Params.NATConnectionsPerIP simultaneous connections to one destination (IP, port,
// protocol) per public IP and opens about Params.NATNewConnectionRate new connections per
// second to one destination; a Hyperplane ENI has a new-connection rate limit of its own
// (Params.ENINewConnectionRate, no published figure: off by default). A connection these
// refuse is a connection timeout for the invocation that needed it (ErrConnectionTimeout),
// counted in Counters.NATConnFails / ENIConnRateFails.
//
// Connections are the ones the model already accounts on ENIs: a keep-alive environment's
// connections, opened at its cold start and held while it lives; a per-invocation
// function's, opened by each invocation and held until it completes. A keep-alive
// environment that reconnects after the network dropped its idle flows (the 350 s idle
// timeout: a dataplane reset) opens new connections: they are charged to the NAT gateway's
// and the ENI's new-connection rates like any other (netReconnect). The gateway forgets
// dropped flows: when a destination is at its simultaneous limit, the flows of environments
// idle past the timeout are taken out of its count (dropIdleFlows, a lazy scan), and their
// environments' reconnects then need a place under the limit like new connections; a
// reconnect whose dropped flow is still counted takes that place back. A refused reconnect
// fails its invocation and leaves the environment without those connections (no longer
// counted): its next invocation dials again and is charged again (fnRuntime.envRedial; the
// dataplane does not know, so that retry adds no handshake time).
// Environments of published versions (version_invoke.go) are subject to
// all of this like $LATEST's. Legacy mode (per-environment ENIs) is not subject to these
// limits; FidelityAggregate functions are, per step (aggregate_net.go).

// netLimits is the state of those limits; nil when none can apply.
type netLimits struct {
	gws []natGateway
	// subnetGW[subnet] is the NAT gateway that subnet's internet traffic goes through, -1
	// when it has no NAT route.
	subnetGW []int32
	// fnDests[fn] lists the internet destinations of a function's targets (nil: none).
	fnDests [][]natUse
	// eniRate[combo] paces new connections over the combination's ENIs (grown on demand:
	// combinations appear at run time).
	eniRate []pacer
	// aggOn[ai][i] is how many of aggregate function ai's environments on combo
	// onCombos[i] the gateways count (aggregate_net.go, "Shared simultaneous limit"); nil
	// until an aggregate step needs it.
	aggOn [][]int32
	// xUsers are the exact functions with internet destinations; natDest.xwant was
	// computed for the sampling interval starting at xAt (when xOK).
	xUsers []int32
	xAt    sim.Time
	xOK    bool
}

// natGateway is one NAT gateway: per destination, its open connections and new-connection pacer.
type natGateway struct {
	limit int32 // simultaneous connections per destination: NATConnectionsPerIP × its IPs
	dests []natDest
	// nextDrop: no flow it counts can have been dropped for idleness before this time
	// (dropIdleFlows' last scan found none earlier): a scan before it finds nothing.
	nextDrop sim.Time
}

type natDest struct {
	conns int32 // held by exact environments (and invocations), each counted
	// agg is held by aggregate functions' keep-alive environments: counted per step
	// (aggregate_net.go), so exact functions see them and they see each other.
	agg int32
	// want is what aggregate environments would hold without the limit: the room is
	// shared among aggregate functions in proportion to it when they want more than fits.
	want int32
	// xwant is what exact functions would hold (exactNATWant): their share of the limit
	// when aggregate ones want more than fits.
	xwant int32
	pace  pacer
}

// natUse is n connections of one environment to destination d (an index into the account's
// destinations: targets with the same name in one account are one destination).
type natUse struct {
	d, n int32
}

// pacer is a token bucket holding one second's worth of tokens at its rate, kept as the
// time it would be full again (GCRA): a fresh pacer (tat 0) is full, and the bucket's rate
// may change between calls (an ENI rate scales with the combination's ready ENIs). The burst
// of one second is unsourced.
type pacer struct {
	tat sim.Time
}

// admits reports whether n new connections fit now at rate per second.
func (p *pacer) admits(now sim.Time, n int32, rate float64) bool {
	// A full bucket admits any one request, even one larger than a second's worth.
	return p.tat <= now || p.next(now, n, rate)-now <= sim.Time(1e9)
}

// take charges n connections (after admits said yes).
func (p *pacer) take(now sim.Time, n int32, rate float64) { p.tat = p.next(now, n, rate) }

func (p *pacer) next(now sim.Time, n int32, rate float64) sim.Time {
	// Clamped so a vanishing rate cannot overflow the conversion (2^50 ns is 13 days).
	return max(p.tat, now) + sim.Time(min(float64(n)*1e9/rate, 1<<50))
}

// maxNATIPs is the most public IPs of one NAT gateway (facts §6: up to 8).
const maxNATIPs = 8

// buildNetLimits works out, once the topology is built, which NAT gateway each subnet uses
// and which destinations each function's targets are. A VPC's NAT gateways are assigned to
// the availability zones of its NAT-routed subnets in order of first appearance (one
// gateway per AZ, the recommended layout; with fewer gateways than AZs they are reused
// round-robin).
func (m *Model) buildNetLimits() error {
	cfg := m.cfg
	n := &netLimits{subnetGW: make([]int32, len(m.subnets)), fnDests: make([][]natUse, len(m.fns))}
	hasDests := false
	for ai := range cfg.Accounts {
		ac := &cfg.Accounts[ai]
		a := &m.accts[ai]
		names := map[string]int32{}
		for i := range ac.Functions {
			fc := &ac.Functions[i]
			var uses []natUse
			seen := map[int]bool{}
			for j, t := range fc.InternetTargets {
				if t < 0 || t >= len(fc.Targets) {
					return errorf(fmt.Sprintf("accounts[%d].functions[%d].internetTargets[%d]", ai, i, j), t,
						"no such target (function has %d)", len(fc.Targets))
				}
				if seen[t] {
					return errorf(fmt.Sprintf("accounts[%d].functions[%d].internetTargets[%d]", ai, i, j), t, "listed twice")
				}
				seen[t] = true
				name := fc.Targets[t].Name
				d, ok := names[name]
				if !ok {
					d = int32(len(names))
					names[name] = d
				}
				k := 0
				for k < len(uses) && uses[k].d != d {
					k++
				}
				if k == len(uses) {
					uses = append(uses, natUse{d: d})
				}
				uses[k].n++
			}
			n.fnDests[a.fn0+int32(i)] = uses
			hasDests = hasDests || len(uses) > 0
		}
		// Gateways of this account's VPCs.
		for vi := range ac.VPCs {
			v := &ac.VPCs[vi]
			field := fmt.Sprintf("accounts[%d].vpcs[%d].natGatewayIPs", ai, vi)
			if v.NATGatewayIPs < 0 || v.NATGatewayIPs > maxNATIPs {
				return errorf(field, v.NATGatewayIPs, "want 0 (one) to %d public IPs per NAT gateway", maxNATIPs)
			}
			ips := max(v.NATGatewayIPs, 1)
			g0 := int32(len(n.gws))
			for k := 0; k < v.NATGateways; k++ {
				n.gws = append(n.gws, natGateway{limit: int32(min(int64(m.p.NATConnectionsPerIP)*int64(ips), maxCount)),
					dests: make([]natDest, len(names))})
			}
			gvi := a.vpcByID[v.ID]
			var azs []string
			for si := range m.subnets {
				sn := &m.subnets[si]
				if sn.acct != int32(ai) || sn.vpc != gvi {
					continue
				}
				n.subnetGW[si] = -1
				if sn.route != RouteNAT || v.NATGateways == 0 {
					continue
				}
				k := 0
				for k < len(azs) && azs[k] != sn.az {
					k++
				}
				if k == len(azs) {
					azs = append(azs, sn.az)
				}
				n.subnetGW[si] = g0 + int32(k%v.NATGateways)
			}
		}
	}
	if !hasDests && m.p.ENINewConnectionRate == 0 {
		return nil // nothing to limit: the invocation path skips every check
	}
	m.net = n
	return nil
}

// netAdmit reports whether a new environment (keep-alive) or invocation (per-invocation)
// of fi on combo c may open its connections now; a refusal is counted.
func (m *Model) netAdmit(fi, c int32, conns int32, now sim.Time) bool {
	n := m.net
	if r := m.p.ENINewConnectionRate; r > 0 {
		if int(c) >= len(n.eniRate) {
			n.eniRate = append(n.eniRate, make([]pacer, len(m.combos)-len(n.eniRate))...)
		}
		if rate := r * float64(m.combos[c].ready); rate <= 0 || !n.eniRate[c].admits(now, conns, rate) {
			m.counters.ENIConnRateFails++
			return false
		}
	}
	uses := n.fnDests[fi]
	if len(uses) == 0 {
		return true
	}
	g := n.subnetGW[m.combos[c].subnet]
	if g < 0 {
		return true
	}
	gw := &n.gws[g]
	for _, u := range uses {
		d := &gw.dests[u.d]
		if d.conns+d.agg+u.n > gw.limit {
			m.dropIdleFlows(g, now)
		}
		if d.conns+d.agg+u.n > gw.limit || !d.pace.admits(now, u.n, m.p.NATNewConnectionRate) {
			m.counters.NATConnFails++
			return false
		}
	}
	return true
}

// netOpen charges the connections netAdmit allowed and records, for environment env, the
// NAT gateway whose destinations it now holds connections to.
func (m *Model) netOpen(fi, c int32, conns int32, rt *fnRuntime, env int, now sim.Time) {
	n := m.net
	if r := m.p.ENINewConnectionRate; r > 0 {
		if int(c) >= len(n.eniRate) { // a cold start the pool did not foresee: charge it all the same
			n.eniRate = append(n.eniRate, make([]pacer, len(m.combos)-len(n.eniRate))...)
		}
		n.eniRate[c].take(now, conns, r*float64(m.combos[c].ready))
	}
	uses := n.fnDests[fi]
	if len(uses) == 0 {
		return
	}
	g := n.subnetGW[m.combos[c].subnet]
	if g < 0 {
		return
	}
	gw := &n.gws[g]
	for _, u := range uses {
		d := &gw.dests[u.d]
		d.conns += u.n
		d.pace.take(now, u.n, m.p.NATNewConnectionRate)
	}
	m.holdNAT(rt, env, g, uses)
}

// holdNAT records that environment env holds connections to uses' destinations at gateway g.
func (m *Model) holdNAT(rt *fnRuntime, env int, g int32, uses []natUse) {
	for len(rt.envGW) <= env {
		rt.envGW = append(rt.envGW, -1)
		rt.envLast = append(rt.envLast, 0)
	}
	rt.envGW[env] = g
	rt.natUses = uses
}

// netUsed notes that environment env's connections were last used by an invocation ending
// at end (for dropIdleFlows).
func (m *Model) netUsed(rt *fnRuntime, env int, end sim.Time) {
	if env < len(rt.envLast) {
		rt.envLast[env] = end
	}
}

// dropIdleFlows takes out of gateway g's counts the flows of idle keep-alive environments
// that the network has dropped (idle longer than Params.NetworkIdleTimeout, no keepalive
// probes below it: the dataplane's reset condition, measured from the end of the last
// invocation): the gateway has forgotten them, and their environments reconnect through
// netReconnect. It runs when a destination is at its simultaneous limit and scans every
// environment, so only when a drop can have happened since its last scan (nextDrop).
func (m *Model) dropIdleFlows(g int32, now sim.Time) {
	gw := &m.net.gws[g]
	if now <= gw.nextDrop {
		return
	}
	timeout := m.p.NetworkIdleTimeout
	// Environments busy now or opened later cannot be dropped before now + timeout.
	next := now.Add(timeout)
	scan := func(fi int32, rt *fnRuntime, pool *dataplane.Pool) {
		if p := m.fmeta[fi].dpCfg.ProbeInterval; p > 0 && p < timeout {
			return // probes keep its flows alive
		}
		for env, eg := range rt.envGW {
			if eg != g || pool.EnvBusy(dataplane.EnvID(env)) {
				continue
			}
			if due := rt.envLast[env].Add(timeout); now > due {
				m.netClose(rt, env)
			} else {
				next = min(next, due)
			}
		}
	}
	for fi := range m.fns {
		if rt := m.fns[fi].rt; rt != nil {
			scan(int32(fi), rt, m.fns[fi].pool)
		}
	}
	for _, vr := range m.vrts {
		scan(vr.fi, &vr.rt, vr.pool)
	}
	next = m.aggDropIdleFlows(g, now, next) // aggregate_net.go
	gw.nextDrop = next
}

// redialDue reports whether warm environment env must dial its connections again: its
// last reconnect was refused.
func (m *Model) redialDue(rt *fnRuntime, env int) bool {
	return env < len(rt.envRedial) && rt.envRedial[env]
}

// netReconnect charges the connections a warm keep-alive environment env of fi re-opens
// after the network dropped them (dataplane resets), or after its last reconnect was
// refused, to its combination's ENI rate and its NAT gateway's per-destination rate; false
// (counted) when a limit refuses them: nothing is charged and the environment redials on
// its next invocation. The dataplane drops all of an environment's flows together (they
// were last used together), so every target, and every internet destination, reconnects.
func (m *Model) netReconnect(fi int32, rt *fnRuntime, env int, now sim.Time) bool {
	nl := m.net
	c := rt.envCombo[env]
	if c < 0 {
		return true
	}
	n := rt.conns
	eniRate := m.p.ENINewConnectionRate * float64(m.combos[c].ready)
	ok := true
	if m.p.ENINewConnectionRate > 0 {
		if int(c) >= len(nl.eniRate) {
			nl.eniRate = append(nl.eniRate, make([]pacer, len(m.combos)-len(nl.eniRate))...)
		}
		if eniRate <= 0 || !nl.eniRate[c].admits(now, n, eniRate) {
			m.counters.ENIConnRateFails++
			ok = false
		}
	}
	// held: the gateway still counts the environment's dropped flows (dropIdleFlows has not
	// removed them), and the reconnects take their places; otherwise they need room.
	uses := nl.fnDests[fi]
	held := env < len(rt.envGW) && rt.envGW[env] >= 0
	g := nl.subnetGW[m.combos[c].subnet]
	if held {
		g = rt.envGW[env]
	} else if len(uses) == 0 {
		g = -1
	}
	if ok && g >= 0 {
		gw := &nl.gws[g]
		for _, u := range uses {
			d := &gw.dests[u.d]
			if !held && d.conns+d.agg+u.n > gw.limit {
				m.dropIdleFlows(g, now)
			}
			if (!held && d.conns+d.agg+u.n > gw.limit) || !d.pace.admits(now, u.n, m.p.NATNewConnectionRate) {
				m.counters.NATConnFails++
				ok = false
				break
			}
		}
	}
	if !ok {
		if held {
			m.netClose(rt, env) // its flows are gone and could not be re-opened
		}
		for len(rt.envRedial) <= env {
			rt.envRedial = append(rt.envRedial, false)
		}
		rt.envRedial[env] = true
		return false
	}
	if env < len(rt.envRedial) {
		rt.envRedial[env] = false
	}
	if g >= 0 {
		gw := &nl.gws[g]
		for _, u := range uses {
			d := &gw.dests[u.d]
			d.pace.take(now, u.n, m.p.NATNewConnectionRate)
			if !held {
				d.conns += u.n
			}
		}
		if !held {
			m.holdNAT(rt, env, g, uses)
		}
	}
	if m.p.ENINewConnectionRate > 0 {
		nl.eniRate[c].take(now, n, eniRate)
	}
	return true
}

// netClose releases the NAT connections environment env holds.
func (m *Model) netClose(rt *fnRuntime, env int) {
	if env < len(rt.envRedial) {
		rt.envRedial[env] = false // the environment is gone, or a new one opens afresh
	}
	if env >= len(rt.envGW) {
		return
	}
	g := rt.envGW[env]
	if g < 0 {
		return
	}
	gw := &m.net.gws[g]
	for _, u := range rt.natUses {
		gw.dests[u.d].conns -= u.n
	}
	rt.envGW[env] = -1
}

// checkNetLimits is the NAT part of invariant 6: every destination's connections are the
// sum of what environments hold, and within the gateway's limit.
func (m *Model) checkNetLimits() error {
	n := m.net
	if n == nil {
		return nil
	}
	held := make([][]int32, len(n.gws))
	for g := range n.gws {
		held[g] = make([]int32, len(n.gws[g].dests))
	}
	hold := func(rt *fnRuntime) {
		for _, g := range rt.envGW {
			if g < 0 {
				continue
			}
			for _, u := range rt.natUses {
				held[g][u.d] += u.n
			}
		}
	}
	for fi := range m.fns {
		if rt := m.fns[fi].rt; rt != nil {
			hold(rt)
		}
	}
	for _, vr := range m.vrts {
		hold(&vr.rt)
	}
	for g := range n.gws {
		for d := range n.gws[g].dests {
			got := n.gws[g].dests[d].conns
			if got != held[g][d] || got > n.gws[g].limit || got < 0 {
				return invariantError(m.seed, "invariant 6: NAT gateway %d destination %d counts %d connections, environments hold %d, limit %d",
					g, d, got, held[g][d], n.gws[g].limit)
			}
			held[g][d] = 0
		}
	}
	return m.checkAggNAT(held)
}
