package model

import (
	"cmp"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/enisim/enisim/model/dataplane"
	"github.com/enisim/enisim/sim"
)

// Upper bounds of integer parameters (see validateParams).
const (
	maxIPsPerENI   = 1_000
	maxENIQuota    = 1_000_000
	maxConcurrency = 10_000_000
	maxCount       = 1 << 30
)

// errorf builds a configuration error naming the field and its value.
func errorf(field string, value any, format string, args ...any) error {
	return fmt.Errorf("%w: %s = %v: %s", ErrInvalidConfig, field, value, fmt.Sprintf(format, args...))
}

// wrapf wraps a nested validation error (e.g. from sim.Dist) with the field path.
func wrapf(field string, err error) error {
	return fmt.Errorf("%w: %s: %w", ErrInvalidConfig, field, err)
}

func checkDist(field string, d sim.Dist) error {
	if err := d.Validate(); err != nil {
		return wrapf(field, err)
	}
	return nil
}

func checkWindow(field string, w Window) error {
	if w.Start < 0 || w.End <= w.Start {
		return errorf(field, fmt.Sprintf("[%v, %v)", w.Start, w.End), "want 0 <= start < end")
	}
	return nil
}

func (p *Params) validate() error {
	dists := []struct {
		name string
		d    sim.Dist
	}{
		{"params.eniCreate", p.ENICreate}, {"params.eniAttach", p.ENIAttach},
		{"params.switchover", p.Switchover}, {"params.eniDelete", p.ENIDelete},
		{"params.restore", p.Restore}, {"params.ec2RetryBackoff", p.EC2RetryBackoff},
		{"params.coldStart", p.ColdStart}, {"params.legacyENICreate", p.LegacyENICreate},
		{"params.resetDelay", p.ResetDelay}, {"params.codeUpdate", p.CodeUpdate},
	}
	for _, x := range dists {
		if err := checkDist(x.name, x.d); err != nil {
			return err
		}
	}
	pos := []struct {
		name string
		d    time.Duration
	}{
		{"params.idleReclaim", p.IdleReclaim}, {"params.scalingPeriod", p.ScalingPeriod},
		{"params.envIdleExpiry", p.EnvIdleExpiry}, {"params.networkIdleTimeout", p.NetworkIdleTimeout},
		{"params.internetTimeout", p.InternetTimeout},
	}
	for _, x := range pos {
		if x.d <= 0 {
			return errorf(x.name, x.d, "must be positive")
		}
	}
	// The upper bounds keep every count inside the model's 32-bit counters (a quota of
	// 3·10^9 would wrap) with room to spare; each is far above any real AWS limit.
	ints := []struct {
		name     string
		v        int
		min, max int
	}{
		{"params.ipsPerENI", p.IPsPerENI, 1, maxIPsPerENI}, {"params.connectionsPerENI", p.ConnectionsPerENI, 1, maxCount},
		{"params.vpcENIQuota", p.VPCENIQuota, 1, maxENIQuota}, {"params.ec2MaxRetries", p.EC2MaxRetries, 0, 200},
		{"params.regionENIQuota", p.RegionENIQuota, 1, maxENIQuota},
		{"params.accountConcurrency", p.AccountConcurrency, 1, maxConcurrency}, {"params.scalingStep", p.ScalingStep, 0, maxCount},
		{"params.legacyMemoryPerIPMB", p.LegacyMemoryPerIPMB, 1, maxCount}, {"params.resetRTTs", p.ResetRTTs, 0, 1000},
		{"params.natConnectionsPerIP", p.NATConnectionsPerIP, 1, maxCount},
	}
	for _, x := range ints {
		if x.v < x.min {
			return errorf(x.name, x.v, "must be at least %d", x.min)
		}
		if x.v > x.max {
			return errorf(x.name, x.v, "must be at most %d", x.max)
		}
	}
	if p.InitLimit < 0 {
		return errorf("params.initLimit", p.InitLimit, "must not be negative")
	}
	// Zero switches the replacement events off (replace.go).
	if p.ENIRebalanceEvery < 0 {
		return errorf("params.eniRebalanceEvery", p.ENIRebalanceEvery, "must not be negative (0: off)")
	}
	if p.ENIHealthFailEvery < 0 {
		return errorf("params.eniHealthFailEvery", p.ENIHealthFailEvery, "must not be negative (0: off)")
	}
	for _, b := range []struct {
		name string
		b    TokenBucket
	}{{"params.ec2Create", p.EC2Create}, {"params.ec2Delete", p.EC2Delete},
		{"params.ec2Describe", p.EC2Describe}, {"params.ec2AssignIP", p.EC2AssignIP}} {
		if err := checkBucket(b.name, b.b); err != nil {
			return err
		}
	}
	for _, c := range []struct {
		name string
		v    float64
	}{{"params.natHourly", p.NATHourly}, {"params.natPerGB", p.NATPerGB}} {
		if math.IsNaN(c.v) || math.IsInf(c.v, 0) || c.v < 0 {
			return errorf(c.name, c.v, "must be a finite, non-negative price")
		}
	}
	if r := p.NATNewConnectionRate; math.IsNaN(r) || math.IsInf(r, 0) || r <= 0 {
		return errorf("params.natNewConnectionRate", r, "must be a positive number of connections per second")
	}
	if r := p.ENINewConnectionRate; math.IsNaN(r) || math.IsInf(r, 0) || r < 0 {
		return errorf("params.eniNewConnectionRate", r, "must be a finite, non-negative rate (0: unlimited)")
	}
	return nil
}

func checkBucket(field string, b TokenBucket) error {
	if b.Burst < 1 {
		return errorf(field+".burst", b.Burst, "must be at least 1")
	}
	if math.IsNaN(b.Rate) || math.IsInf(b.Rate, 0) || b.Rate <= 0 {
		return errorf(field+".rate", b.Rate, "must be a positive number of tokens per second")
	}
	return nil
}

// build validates the configuration and creates the runtime state.
func (m *Model) build() error {
	cfg := m.cfg
	if err := m.p.validate(); err != nil {
		return err
	}
	m.sampleEvery = cfg.SampleEvery
	if m.sampleEvery == 0 {
		m.sampleEvery = time.Minute
	}
	if m.sampleEvery < 0 {
		return errorf("sampleEvery", cfg.SampleEvery, "must not be negative")
	}
	if math.IsNaN(cfg.PerInvocation) || cfg.PerInvocation < 0 || cfg.PerInvocation > 1 {
		return errorf("perInvocation", cfg.PerInvocation, "must be in [0, 1]")
	}
	if err := m.buildFaults(); err != nil {
		return err
	}
	ids := map[string]int{}
	for a := range cfg.Accounts {
		ac := &cfg.Accounts[a]
		path := fmt.Sprintf("accounts[%d]", a)
		if ac.ID == "" {
			return errorf(path+".id", `""`, "must be set")
		}
		if prev, dup := ids[ac.ID]; dup {
			return errorf(path+".id", ac.ID, "duplicates accounts[%d]", prev)
		}
		ids[ac.ID] = a
		if err := m.buildAccount(int32(a), ac, path); err != nil {
			return err
		}
	}
	for i, st := range cfg.Faults.EC2Storms {
		field := fmt.Sprintf("faults.ec2Storms[%d]", i)
		if err := checkWindow(field, st.Window); err != nil {
			return err
		}
		found := false
		for a := range m.accts {
			if st.Account == "" || m.accts[a].id == st.Account {
				m.accts[a].storms = append(m.accts[a].storms, st.Window)
				found = true
			}
		}
		if !found {
			return errorf(field+".account", st.Account, "no such account")
		}
	}
	for i, g := range cfg.Faults.SubnetIPsTaken {
		field := fmt.Sprintf("faults.subnetIPsTaken[%d]", i)
		if _, ok := m.subnetIndex(g.Account, g.Subnet); !ok {
			return errorf(field+".subnet", g.Account+"/"+g.Subnet, "no such subnet")
		}
		if g.IPs < 1 || g.At < 0 {
			return errorf(field, fmt.Sprintf("ips %d at %v", g.IPs, g.At), "want ips >= 1 and at >= 0")
		}
	}
	if err := m.buildTimeline(); err != nil {
		return err
	}
	return m.buildNetLimits()
}

func (m *Model) subnetIndex(acctID, subnetID string) (int32, bool) {
	for a := range m.accts {
		if m.accts[a].id == acctID {
			s, ok := m.accts[a].subnetByID[subnetID]
			return s, ok
		}
	}
	return 0, false
}

func (m *Model) buildFaults() error {
	f := &m.cfg.Faults
	if math.IsNaN(f.ENICreateFailProb) || f.ENICreateFailProb < 0 || f.ENICreateFailProb > 1 {
		return errorf("faults.eniCreateFailProb", f.ENICreateFailProb, "must be in [0, 1]")
	}
	m.createFactor = f.CreateLatencyFactor
	if m.createFactor == 0 {
		m.createFactor = 1
	}
	if math.IsNaN(m.createFactor) || math.IsInf(m.createFactor, 0) || m.createFactor < 0 {
		return errorf("faults.createLatencyFactor", f.CreateLatencyFactor, "must be a finite, non-negative factor")
	}
	for i, sp := range f.RTTSpikes {
		field := fmt.Sprintf("faults.rttSpikes[%d]", i)
		if err := checkWindow(field, sp.Window); err != nil {
			return err
		}
		if math.IsNaN(sp.Factor) || math.IsInf(sp.Factor, 0) || sp.Factor <= 0 {
			return errorf(field+".factor", sp.Factor, "must be positive")
		}
	}
	m.rttSpikes = f.RTTSpikes
	return nil
}

// usableIPs parses an IPv4 CIDR and returns its usable addresses (2^(32-p) - 5).
func usableIPs(cidr string) (int32, error) {
	pfx, err := netip.ParsePrefix(cidr)
	if err != nil {
		return 0, err
	}
	if !pfx.Addr().Is4() {
		return 0, fmt.Errorf("not an IPv4 prefix")
	}
	b := pfx.Bits()
	if b < 16 || b > 28 {
		return 0, fmt.Errorf("prefix /%d: AWS subnets are /16 to /28", b)
	}
	return int32(1)<<(32-b) - 5, nil
}

func (m *Model) buildAccount(ai int32, ac *Account, path string) error {
	p := &m.p
	a := account{
		id:         ac.ID,
		vpcByID:    map[string]int32{},
		subnetByID: map[string]int32{},
		sgByID:     map[string]int32{},
		roleByName: map[string]int32{},
		principals: map[string]*Principal{},
		comboByKey: map[comboKey]int32{},
		arrivals:   ac.Arrivals,
	}
	conc := ac.Concurrency
	if conc == 0 {
		conc = p.AccountConcurrency
	}
	if conc < 0 || conc > maxConcurrency {
		return errorf(path+".concurrency", ac.Concurrency, "must be between 0 and %d", maxConcurrency)
	}
	dpa, err := dataplane.NewAccount(dataplane.AccountConfig{Concurrency: conc})
	if err != nil {
		return wrapf(path+".concurrency", err)
	}
	a.dp = dpa
	buckets := []struct {
		field    string
		def, own TokenBucket
		dst      *ec2Bucket
	}{
		{".ec2Create", p.EC2Create, ac.EC2Create, &a.create}, {".ec2Delete", p.EC2Delete, ac.EC2Delete, &a.del},
		{".ec2Describe", p.EC2Describe, ac.EC2Describe, &a.describe}, {".ec2AssignIP", p.EC2AssignIP, ac.EC2AssignIP, &a.assign},
	}
	for _, b := range buckets {
		tb := b.def
		if b.own.Burst > 0 {
			if err := checkBucket(path+b.field, b.own); err != nil {
				return err
			}
			tb = b.own
		}
		*b.dst = newEC2Bucket(tb)
	}
	rq := ac.ENIQuota
	if rq == 0 {
		rq = p.RegionENIQuota
	}
	if rq < 0 || rq > maxENIQuota {
		return errorf(path+".eniQuota", ac.ENIQuota, "must be between 0 and %d", maxENIQuota)
	}
	a.eniQuota = int32(rq)
	for i := range ac.VPCs {
		v := &ac.VPCs[i]
		f := fmt.Sprintf("%s.vpcs[%d]", path, i)
		if v.ID == "" {
			return errorf(f+".id", `""`, "must be set")
		}
		if _, dup := a.vpcByID[v.ID]; dup {
			return errorf(f+".id", v.ID, "duplicate VPC id")
		}
		if v.Tenancy > TenancyDedicated {
			return errorf(f+".tenancy", v.Tenancy, "want default or dedicated")
		}
		if v.IPv4CIDR != "" {
			if _, err := netip.ParsePrefix(v.IPv4CIDR); err != nil {
				return errorf(f+".ipv4Cidr", v.IPv4CIDR, "%v", err)
			}
		}
		if v.IPv6CIDR != "" {
			if pf, err := netip.ParsePrefix(v.IPv6CIDR); err != nil || !pf.Addr().Is6() {
				return errorf(f+".ipv6Cidr", v.IPv6CIDR, "not an IPv6 prefix")
			}
		}
		q := v.ENIQuota
		if q == 0 {
			q = p.VPCENIQuota
		}
		if q < 0 || q > maxENIQuota {
			return errorf(f+".eniQuota", v.ENIQuota, "must be between 0 and %d", maxENIQuota)
		}
		if v.NATGateways < 0 {
			return errorf(f+".natGateways", v.NATGateways, "must not be negative")
		}
		a.vpcByID[v.ID] = int32(len(m.vpcs))
		m.vpcs = append(m.vpcs, vpc{acct: ai, id: v.ID, tenancy: v.Tenancy, dualOK: v.IPv6CIDR != "",
			quota: int32(q), nat: int32(v.NATGateways)})
	}
	for i := range ac.VPCs {
		for j, peer := range ac.VPCs[i].PeeredWith {
			if strings.Contains(peer, "/") {
				continue // another account's VPC; Partitions keeps the two together
			}
			if _, ok := a.vpcByID[peer]; !ok {
				return errorf(fmt.Sprintf("%s.vpcs[%d].peeredWith[%d]", path, i, j), peer, "no such VPC in the account")
			}
		}
	}
	for i := range ac.Subnets {
		s := &ac.Subnets[i]
		f := fmt.Sprintf("%s.subnets[%d]", path, i)
		if s.ID == "" {
			return errorf(f+".id", `""`, "must be set")
		}
		if _, dup := a.subnetByID[s.ID]; dup {
			return errorf(f+".id", s.ID, "duplicate subnet id")
		}
		vi, ok := a.vpcByID[s.VPC]
		if !ok {
			return errorf(f+".vpc", s.VPC, "no such VPC")
		}
		sn := subnet{acct: ai, vpc: vi, id: s.ID, az: s.AZ, route: s.Route, endpoints: s.GatewayEndpoints}
		if s.CIDR != "" {
			u, err := usableIPs(s.CIDR)
			if err != nil {
				return errorf(f+".cidr", s.CIDR, "%v", err)
			}
			sn.usable, sn.hasIPv4 = u, true
		}
		if s.IPv6CIDR != "" {
			if pf, err := netip.ParsePrefix(s.IPv6CIDR); err != nil || !pf.Addr().Is6() {
				return errorf(f+".ipv6Cidr", s.IPv6CIDR, "not an IPv6 prefix")
			}
			sn.hasIPv6 = true
		}
		if !sn.hasIPv4 && !sn.hasIPv6 {
			return errorf(f+".cidr", `""`, "a subnet needs an IPv4 or IPv6 CIDR")
		}
		if s.Route > RoutePublic {
			return errorf(f+".route", s.Route, "want private, nat or public")
		}
		if s.Route == RouteNAT && m.vpcs[vi].nat == 0 {
			return errorf(f+".route", "nat", "VPC %s has no NAT gateway", s.VPC)
		}
		a.subnetByID[s.ID] = int32(len(m.subnets))
		m.subnets = append(m.subnets, sn)
	}
	for i := range ac.SecurityGroups {
		g := &ac.SecurityGroups[i]
		f := fmt.Sprintf("%s.securityGroups[%d]", path, i)
		if g.ID == "" {
			return errorf(f+".id", `""`, "must be set")
		}
		if _, dup := a.sgByID[g.ID]; dup {
			return errorf(f+".id", g.ID, "duplicate security group id")
		}
		vi, ok := a.vpcByID[g.VPC]
		if !ok {
			return errorf(f+".vpc", g.VPC, "no such VPC")
		}
		a.sgByID[g.ID] = int32(len(m.sgs))
		m.sgs = append(m.sgs, securityGroup{acct: ai, vpc: vi, id: g.ID})
	}
	for i := range ac.Roles {
		r := &ac.Roles[i]
		f := fmt.Sprintf("%s.roles[%d]", path, i)
		if r.Name == "" {
			return errorf(f+".name", `""`, "must be set")
		}
		if _, dup := a.roleByName[r.Name]; dup {
			return errorf(f+".name", r.Name, "duplicate role")
		}
		ro := role{acct: ai, name: r.Name}
		for j, pol := range r.Policies {
			if pol == nil {
				return errorf(fmt.Sprintf("%s.policies[%d]", f, j), "nil", "must be a parsed policy")
			}
			ro.names = append(ro.names, fmt.Sprintf("policy-%d", j))
			ro.policies = append(ro.policies, pol)
		}
		a.roleByName[r.Name] = int32(len(m.roles))
		m.roles = append(m.roles, ro)
	}
	for i := range ac.Principals {
		pr := &ac.Principals[i]
		f := fmt.Sprintf("%s.principals[%d]", path, i)
		if pr.Name == "" {
			return errorf(f+".name", `""`, "must be set")
		}
		if _, dup := a.principals[pr.Name]; dup {
			return errorf(f+".name", pr.Name, "duplicate principal")
		}
		for j, pol := range pr.Policies {
			if pol == nil {
				return errorf(fmt.Sprintf("%s.policies[%d]", f, j), "nil", "must be a parsed policy")
			}
		}
		a.principals[pr.Name] = pr
	}
	a.fn0, a.nfn = int32(len(m.fns)), int32(len(ac.Functions))
	m.accts = append(m.accts, a)
	names := map[string]int{}
	for i := range ac.Functions {
		if err := m.buildFunction(ai, i, &ac.Functions[i], fmt.Sprintf("%s.functions[%d]", path, i), names); err != nil {
			return err
		}
	}
	// The deployed functions' ENIs exist at the start: they must fit the quotas
	// (invariants 2 and 2b hold from the first event on).
	rt := &m.accts[ai]
	for j := range ac.VPCs {
		if v := &m.vpcs[rt.vpcByID[ac.VPCs[j].ID]]; v.enis > v.quota {
			return errorf(fmt.Sprintf("%s.vpcs[%d].eniQuota", path, j), v.quota,
				"the deployed functions already need %d ENIs in VPC %s", v.enis, v.id)
		}
	}
	if rt.enis > rt.eniQuota {
		return errorf(path+".eniQuota", rt.eniQuota, "the deployed functions already need %d ENIs (one per subnet and security-group set)", rt.enis)
	}
	return nil
}

// dataplaneConfig is a function's data-plane configuration.
func (m *Model) dataplaneConfig(f *Function) *dataplane.Config {
	c := dataplane.DefaultConfig()
	c.IdleExpiry = m.p.EnvIdleExpiry
	c.InitLimit = m.p.InitLimit
	c.ScaleBurst = m.p.ScalingStep
	c.ScaleWindow = m.p.ScalingPeriod
	c.NetIdleTimeout = m.p.NetworkIdleTimeout
	c.ResetRTTs = m.p.ResetRTTs
	c.ResetDelay = m.p.ResetDelay
	c.Mode = f.ConnMode
	c.Targets = f.Targets
	c.ProbeInterval = f.ProbeInterval
	return &c
}

func (m *Model) buildFunction(ai int32, fi int, fc *Function, path string, names map[string]int) error {
	a := &m.accts[ai]
	if fc.Name == "" {
		return errorf(path+".name", `""`, "must be set")
	}
	if prev, dup := names[fc.Name]; dup {
		return errorf(path+".name", fc.Name, "duplicates functions[%d]", prev)
	}
	names[fc.Name] = fi
	mem := fc.MemoryMB
	if mem == 0 {
		mem = 1024
	}
	if mem < 128 || mem > 10240 {
		return errorf(path+".memoryMB", fc.MemoryMB, "want 128..10240")
	}
	ri, ok := a.roleByName[fc.Role]
	if !ok {
		return errorf(path+".role", fc.Role, "no such role")
	}
	dp := m.dataplaneConfig(fc)
	if err := dp.Validate(); err != nil {
		return wrapf(path+".connections", err)
	}
	for i, svc := range fc.Services {
		if svc == "" {
			return errorf(fmt.Sprintf("%s.services[%d]", path, i), `""`, "name a service, e.g. s3 or dynamodb")
		}
	}
	if fc.Versions < 0 || (fc.Versions > 0 && !fc.Deployed) {
		return errorf(path+".versions", fc.Versions, "only a deployed function can have published versions")
	}
	if fc.Versions > maxVersions {
		return errorf(path+".versions", fc.Versions, "at most %d", maxVersions)
	}
	idx := int32(len(m.fns))
	f := function{acct: ai, role: ri, acc: -1, needsNet: fc.NeedsInternet, cur: noVPC(), lastInvoked: 0}
	if len(fc.Targets) == 0 && fc.ConnMode == dataplane.KeepAlive && fc.ProbeInterval == 0 {
		// Most functions share the plain configuration (it is read-only once validated).
		if m.plainDP == nil {
			m.plainDP = dp
		}
		dp = m.plainDP
	}
	meta := functionMeta{name: fc.Name, key: stableKey(a.id, fc.Name), mem: mem, dpCfg: dp,
		natBytes: int64(fc.Workload.BytesPerInvocation)}
	wl, err := compileWorkload(&fc.Workload, path+".workload")
	if err != nil {
		return err
	}
	if err := m.buildQualifiers(wl, fc, meta.key, path+".workload"); err != nil {
		return err
	}
	f.wl = wl
	m.fns = append(m.fns, f)
	m.fmeta = append(m.fmeta, meta)
	if !fc.Deployed {
		return nil
	}
	nc, field, rerr := m.resolve(ai, fc.VPC, path+".vpcConfig")
	if rerr != nil {
		return errorf(field, rerrValue(fc.VPC, field), "%s", rerr.msg)
	}
	m.acquire(idx, nc)
	fp := &m.fns[idx]
	m.setCur(idx, nc)
	fp.state = StateActive
	m.fmeta[idx].cfg = &fc.VPC // the Config is immutable once given to New
	for v := 1; v <= fc.Versions; v++ {
		m.acquire(idx, nc)
		m.fmeta[idx].versions = append(m.fmeta[idx].versions, version{n: v, net: nc, state: StateActive, mem: m.fmeta[idx].mem})
	}
	// A deployed function's ENIs exist at the start: one ready ENI per combination (none
	// in legacy mode, where each execution environment brings its own).
	if m.cfg.Legacy {
		return nil
	}
	for _, c := range nc.combos {
		if len(m.combos[c].enis) == 0 {
			e := m.newENI(c, ri, 0)
			m.enis[e].state = eniReady
			m.combos[c].creating--
			m.combos[c].ready++
		}
	}
	return nil
}

// rerrValue picks the configured value a placement error points at, for the message.
func rerrValue(c VPCConfig, field string) any {
	var i int
	if n, _ := fmt.Sscanf(field[strings.LastIndex(field, "[")+1:], "%d]", &i); n == 1 {
		switch {
		case strings.Contains(field, "subnetIds") && i < len(c.SubnetIds):
			return c.SubnetIds[i]
		case strings.Contains(field, "securityGroupIds") && i < len(c.SecurityGroupIds):
			return c.SecurityGroupIds[i]
		}
	}
	return fmt.Sprintf("%v/%v", c.SubnetIds, c.SecurityGroupIds)
}

func cloneVPC(c VPCConfig) VPCConfig {
	return VPCConfig{SubnetIds: slices.Clone(c.SubnetIds), SecurityGroupIds: slices.Clone(c.SecurityGroupIds),
		Ipv6AllowedForDualStack: c.Ipv6AllowedForDualStack}
}

func compileWorkload(w *Workload, path string) (*workload, error) {
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) || v < 0 }
	if bad(w.Rate) {
		return nil, errorf(path+".rate", w.Rate, "must be a finite, non-negative rate")
	}
	if w.Diurnal.Period < 0 {
		return nil, errorf(path+".diurnal.period", w.Diurnal.Period, "must not be negative")
	}
	if bad(w.Diurnal.Amplitude) || w.Diurnal.Amplitude > 1 {
		return nil, errorf(path+".diurnal.amplitude", w.Diurnal.Amplitude, "must be in [0, 1]")
	}
	maxMul := 1.0
	for i, b := range w.Bursts {
		f := fmt.Sprintf("%s.bursts[%d]", path, i)
		if err := checkWindow(f, Window{b.Start, b.End}); err != nil {
			return nil, err
		}
		if bad(b.Multiplier) {
			return nil, errorf(f+".multiplier", b.Multiplier, "must be a finite, non-negative factor")
		}
		maxMul = max(maxMul, b.Multiplier)
	}
	for i, q := range w.Quiet {
		if err := checkWindow(fmt.Sprintf("%s.quiet[%d]", path, i), q); err != nil {
			return nil, err
		}
	}
	if w.BytesPerInvocation < 0 {
		return nil, errorf(path+".bytesPerInvocation", w.BytesPerInvocation, "must not be negative")
	}
	svc := w.Service
	if svc.Kind == sim.DistConst && svc.A == 0 && len(svc.Values) == 0 {
		svc = sim.Const(10 * time.Millisecond)
	}
	if err := checkDist(path+".service", svc); err != nil {
		return nil, err
	}
	amp := 0.0
	if w.Diurnal.Period > 0 {
		amp = w.Diurnal.Amplitude
	}
	if w.Rate == 0 {
		return nil, nil // no invocations of its own (a trace may still invoke it)
	}
	wl := &workload{rate: w.Rate, rateMax: w.Rate * (1 + amp) * maxMul, w: w, service: svc,
		constRate: amp == 0 && len(w.Bursts) == 0}
	return wl, nil
}

// buildTimeline validates the operations and expands staggered ones, sorted by time.
func (m *Model) buildTimeline() error {
	for i := range m.cfg.Timeline {
		op := &m.cfg.Timeline[i]
		path := fmt.Sprintf("timeline[%d]", i)
		if op.Kind >= numOpKinds {
			return errorf(path+".kind", op.Kind, "unknown operation")
		}
		if op.At < 0 {
			return errorf(path+".at", op.At, "must not be negative")
		}
		if op.Stagger < 0 {
			return errorf(path+".stagger", op.Stagger, "must not be negative")
		}
		if op.Account < 0 || op.Account >= len(m.accts) {
			return errorf(path+".account", op.Account, "no such account (have %d)", len(m.accts))
		}
		a := &m.accts[op.Account]
		if op.Principal != "" {
			if _, ok := a.principals[op.Principal]; !ok {
				return errorf(path+".principal", op.Principal, "no such principal in account %s", a.id)
			}
		}
		switch op.Kind {
		case OpPutRolePolicy, OpDeleteRolePolicy, OpDeleteRole:
			if _, ok := a.roleByName[op.Role]; !ok {
				return errorf(path+".role", op.Role, "no such role in account %s", a.id)
			}
			if op.Kind != OpDeleteRole && op.PolicyName == "" {
				return errorf(path+".policyName", `""`, "must be set")
			}
			if op.Kind == OpPutRolePolicy && op.Policy == nil {
				return errorf(path+".policy", "nil", "must be a parsed policy")
			}
			m.timeline = append(m.timeline, timelineItem{at: sim.Time(op.At), op: int32(i), fn: -1})
			continue
		case OpSetQuota:
			if op.Value < 1 || op.Value > maxENIQuota {
				return errorf(path+".value", op.Value, "must be between 1 and %d", maxENIQuota)
			}
			switch op.Quota {
			case QuotaVPCENIs:
				if _, ok := a.vpcByID[op.Target]; !ok {
					return errorf(path+".target", op.Target, "no such VPC in account %s", a.id)
				}
			case QuotaConcurrency, QuotaRegionENIs:
			default:
				return errorf(path+".quota", op.Quota, "unknown quota")
			}
			m.timeline = append(m.timeline, timelineItem{at: sim.Time(op.At), op: int32(i), fn: -1})
			continue
		}
		if len(op.Functions) == 0 {
			return errorf(path+".functions", "[]", "name at least one function")
		}
		if op.MemoryMB != 0 && (op.MemoryMB < 128 || op.MemoryMB > 10240) {
			return errorf(path+".memoryMB", op.MemoryMB, "want 128..10240")
		}
		n := len(op.Functions)
		for j, fi := range op.Functions {
			if fi < 0 || fi >= int(a.nfn) {
				return errorf(fmt.Sprintf("%s.functions[%d]", path, j), fi, "no such function (account %s has %d)", a.id, a.nfn)
			}
			at := sim.Time(op.At) + sim.Time(int64(op.Stagger)*int64(j)/int64(n))
			m.timeline = append(m.timeline, timelineItem{at: at, op: int32(i), fn: a.fn0 + int32(fi)})
		}
	}
	for i := range m.timeline {
		m.timeline[i].seq = int32(i)
	}
	slices.SortStableFunc(m.timeline, func(x, y timelineItem) int { return cmp.Compare(x.at, y.at) })
	return nil
}
