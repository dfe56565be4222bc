package scenarios

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"time"

	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/model/dataplane"
	"github.com/enisim/enisim/model/iam"
	"github.com/enisim/enisim/sim"
)

// Settings are how to run a scenario, with defaults applied.
type Settings struct {
	Duration      time.Duration
	Seed          uint64
	Replications  int
	SampleEvery   time.Duration
	PerInvocation float64
}

// Settings returns the run section with its defaults (seed 1, 1 replication, 1m sampling).
func (s *Scenario) Settings() Settings {
	r := s.Run
	out := Settings{Duration: r.Duration.D(), Seed: 1, Replications: r.Replications, SampleEvery: r.SampleEvery.D(), PerInvocation: r.PerInvocation}
	if r.Seed != nil {
		out.Seed = *r.Seed
	}
	if out.Replications == 0 {
		out.Replications = 1
	}
	if out.SampleEvery == 0 {
		out.SampleEvery = time.Minute
	}
	return out
}

// Hash is the sha256 (hex) of the scenario's canonical content: every decoded value (so
// formatting, comments and key order do not matter), the digests of trace files, and the
// model's default parameters (so a changed default changes the hash).
func (s *Scenario) Hash() string {
	type canonical struct {
		Scenario *Scenario
		Defaults model.Params
	}
	b, err := json.Marshal(canonical{s, model.DefaultParams()})
	if err != nil {
		// Every field is a plain value; a failure here is a bug in the types.
		panic(fmt.Sprintf("scenarios: hash: %v", err))
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// paramDists maps each distribution parameter's path to its model field, so that sweeps
// can start from the default of a parameter the file does not set.
var paramDists = map[string]func(*model.Params) *sim.Dist{
	"params.eni.createLatency":          func(p *model.Params) *sim.Dist { return &p.ENICreate },
	"params.eni.attachLatency":          func(p *model.Params) *sim.Dist { return &p.ENIAttach },
	"params.eni.deleteLatency":          func(p *model.Params) *sim.Dist { return &p.ENIDelete },
	"params.eni.restoreLatency":         func(p *model.Params) *sim.Dist { return &p.Restore },
	"params.function.switchoverLatency": func(p *model.Params) *sim.Dist { return &p.Switchover },
	"params.function.coldStart":         func(p *model.Params) *sim.Dist { return &p.ColdStart },
	"params.ec2.retryBackoff":           func(p *model.Params) *sim.Dist { return &p.EC2RetryBackoff },
	"params.legacy.eniCreateLatency":    func(p *model.Params) *sim.Dist { return &p.LegacyENICreate },
}

// defaultDistText is the one-line form of a distribution parameter's default.
func defaultDistText(path string) (string, bool) {
	f, ok := paramDists[path]
	if !ok {
		return "", false
	}
	p := model.DefaultParams()
	return distText(*f(&p)), true
}

// distText prints a sim.Dist in the scenario syntax.
func distText(d sim.Dist) string {
	switch d.Kind {
	case sim.DistConst:
		return "const{" + secs(d.A) + "}"
	case sim.DistExp:
		return "exp{mean=" + secs(d.A) + "}"
	case sim.DistLogNormal:
		const z99 = 2.3263478740408408
		return fmt.Sprintf("lognormal{median=%s,p99=%s}", secs(math.Exp(d.A)), secs(math.Exp(d.A+z99*d.B)))
	case sim.DistWeibull:
		return fmt.Sprintf("weibull{scale=%s,shape=%g}", secs(d.A), d.B)
	case sim.DistPareto:
		return fmt.Sprintf("pareto{scale=%s,shape=%g}", secs(d.A), d.B)
	case sim.DistUniform:
		return fmt.Sprintf("uniform{min=%s,max=%s}", secs(d.A), secs(d.B))
	}
	return "empirical{values=[" + joinSecs(d.Values) + "]}"
}

// Params returns the model parameters: the defaults with the scenario's overrides.
func (s *Scenario) modelParams() model.Params {
	p := model.DefaultParams()
	sp := &s.Params
	setD := func(dst *sim.Dist, src *Dist) {
		if src != nil {
			*dst = src.Dist
		}
	}
	setT := func(dst *time.Duration, src *Duration) {
		if src != nil {
			*dst = src.D()
		}
	}
	setI := func(dst *int, src *int) {
		if src != nil {
			*dst = *src
		}
	}
	setB := func(dst *model.TokenBucket, src *Bucket) {
		if src != nil {
			*dst = model.TokenBucket{Burst: src.Burst, Rate: src.Rate.PerSecond()}
		}
	}
	setD(&p.ENICreate, sp.ENI.CreateLatency)
	setD(&p.ENIAttach, sp.ENI.AttachLatency)
	setD(&p.ENIDelete, sp.ENI.DeleteLatency)
	setD(&p.Restore, sp.ENI.RestoreLatency)
	setT(&p.IdleReclaim, sp.ENI.IdleReclaimAfter)
	setI(&p.IPsPerENI, sp.ENI.IPsPerENI)
	setI(&p.ConnectionsPerENI, sp.ENI.ConnectionsPerENI)
	setT(&p.ENIRebalanceEvery, sp.ENI.RebalanceEvery)
	setT(&p.ENIHealthFailEvery, sp.ENI.HealthFailEvery)
	setD(&p.Switchover, sp.Function.SwitchoverLatency)
	setD(&p.ColdStart, sp.Function.ColdStart)
	setT(&p.EnvIdleExpiry, sp.Function.EnvIdleExpiry)
	setI(&p.ScalingStep, sp.Function.ScalingStep)
	setT(&p.ScalingPeriod, sp.Function.ScalingPeriod)
	setT(&p.NetworkIdleTimeout, sp.Network.IdleTimeout)
	setI(&p.ResetRTTs, sp.Network.ResetRTTs)
	setD(&p.ResetDelay, sp.Network.ResetDelay)
	setT(&p.InitLimit, sp.Function.InitLimit)
	setD(&p.CodeUpdate, sp.Function.CodeUpdateLatency)
	setT(&p.InternetTimeout, sp.Network.InternetTimeout)
	setI(&p.NATConnectionsPerIP, sp.Network.NATConnectionsPerIP)
	if r := sp.Network.NATNewConnectionRate; r != nil {
		p.NATNewConnectionRate = r.PerSecond()
	}
	if r := sp.Network.ENINewConnectionRate; r != nil {
		p.ENINewConnectionRate = r.PerSecond()
	}
	setB(&p.EC2Create, sp.EC2.CreateNetworkInterface)
	setB(&p.EC2Delete, sp.EC2.DeleteNetworkInterface)
	setB(&p.EC2Describe, sp.EC2.Describe)
	setB(&p.EC2AssignIP, sp.EC2.AssignPrivateIPAddresses)
	setD(&p.EC2RetryBackoff, sp.EC2.RetryBackoff)
	setI(&p.EC2MaxRetries, sp.EC2.MaxRetries)
	setI(&p.VPCENIQuota, sp.Quotas.VPCENIs)
	setI(&p.RegionENIQuota, sp.Quotas.RegionENIs)
	setI(&p.AccountConcurrency, sp.Quotas.AccountConcurrency)
	setD(&p.LegacyENICreate, sp.Legacy.ENICreateLatency)
	if sp.Legacy.MemoryPerIP != 0 {
		p.LegacyMemoryPerIPMB = int(sp.Legacy.MemoryPerIP)
	}
	if sp.Cost.NATHourly != nil {
		p.NATHourly = *sp.Cost.NATHourly
	}
	if sp.Cost.NATPerGB != nil {
		p.NATPerGB = *sp.Cost.NATPerGB
	}
	return p
}

// fleetPlace is where a fleet's functions landed: per account, the fleet-local indices
// and their indices in the account's Functions.
type fleetPlace struct {
	local  map[int][]int // account → fleet indices in fleet order
	global map[int][]int // account → function indices, parallel to local
}

// Model converts the scenario at a sweep point into the model's Config. Structural random
// choices (heavy-tailed per-function rates, which functions are quiet, trace mappings)
// derive from run.seed by stable keys, so they are the same in every replication and
// every sweep point: comparisons see the same fleet.
func (s *Scenario) Model(pt SweepPoint) (*model.Config, error) {
	return s.model(pt, 0, false)
}

// ModelForUnit is Model for one work unit of a run: the structure is the same as Model's
// (it derives from run.seed), but the timing randomness the conversion itself draws — where
// a per-minute trace's invocations fall within each minute — derives from the unit's seed,
// so replications of a trace replay differ as replications of a Poisson workload do.
func (s *Scenario) ModelForUnit(pt SweepPoint, unitSeed uint64) (*model.Config, error) {
	return s.model(pt, sim.Seed(unitSeed), true)
}

func (s *Scenario) model(pt SweepPoint, unitSeed sim.Seed, useUnit bool) (*model.Config, error) {
	ps := s
	if len(pt.Assign) > 0 {
		errs := &errList{file: s.Source}
		p, err := s.pointScenario(pt, errs)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		if err := errs.err(); err != nil {
			return nil, err
		}
		ps = p
	}
	return ps.toModel(unitSeed, useUnit)
}

func (s *Scenario) toModel(unitSeed sim.Seed, useUnit bool) (*model.Config, error) {
	set := s.Settings()
	seed := sim.Seed(set.Seed)
	arrivalSeed := seed
	if useUnit {
		arrivalSeed = unitSeed
	}
	cfg := &model.Config{
		Params:        s.modelParams(),
		Legacy:        s.Params.Legacy.Enabled,
		SampleEvery:   set.SampleEvery,
		PerInvocation: set.PerInvocation,
	}
	acct := map[string]int{}
	for i := range s.Accounts {
		a := &s.Accounts[i]
		acct[a.Name] = i
		ma := model.Account{ID: a.Name, Concurrency: a.Concurrency, ENIQuota: a.RegionENIs}
		if l := a.EC2RateLimits; l != nil {
			if b := l.CreateNetworkInterface; b != nil {
				ma.EC2Create = model.TokenBucket{Burst: b.Burst, Rate: b.Rate.PerSecond()}
			}
			if b := l.DeleteNetworkInterface; b != nil {
				ma.EC2Delete = model.TokenBucket{Burst: b.Burst, Rate: b.Rate.PerSecond()}
			}
			if b := l.Describe; b != nil {
				ma.EC2Describe = model.TokenBucket{Burst: b.Burst, Rate: b.Rate.PerSecond()}
			}
			if b := l.AssignPrivateIPAddresses; b != nil {
				ma.EC2AssignIP = model.TokenBucket{Burst: b.Burst, Rate: b.Rate.PerSecond()}
			}
		}
		for _, x := range a.VPCs {
			mv := model.VPC{ID: x.Name, IPv4CIDR: prefixText(x.CIDR), IPv6CIDR: prefixText(x.IPv6CIDR), PeeredWith: x.Peering, ENIQuota: x.ENIQuota}
			if x.Tenancy == "dedicated" {
				mv.Tenancy = model.TenancyDedicated
			}
			nat := 0
			for _, sn := range x.Subnets {
				r := model.RoutePrivate
				switch sn.Route {
				case "nat":
					r = model.RouteNAT
					nat = 1
				case "public":
					r = model.RoutePublic
				}
				ma.Subnets = append(ma.Subnets, model.Subnet{ID: sn.Name, VPC: x.Name, AZ: sn.AZ, CIDR: prefixText(sn.CIDR), IPv6CIDR: prefixText(sn.IPv6CIDR), Route: r, GatewayEndpoints: sn.Endpoints})
			}
			if x.NATGateways != nil {
				nat = *x.NATGateways
			}
			mv.NATGateways = nat
			mv.NATGatewayIPs = x.NATGatewayIPs
			ma.VPCs = append(ma.VPCs, mv)
			for _, sg := range x.SecurityGroups {
				ma.SecurityGroups = append(ma.SecurityGroups, model.SecurityGroup{ID: sg, VPC: x.Name})
			}
		}
		cfg.Accounts = append(cfg.Accounts, ma)
	}
	accountIndex := func(name string) int {
		if name == "" {
			return 0
		}
		return acct[name]
	}
	// Roles: managed policies first, then inline ones; the model names the j-th
	// "policy-j", so DeleteRolePolicy is translated through policyNames.
	policyNames := map[string]map[string]string{} // account/role → scenario name → model name
	for _, r := range s.Roles {
		ai := accountIndex(r.Account)
		mr := model.Role{Name: r.Name}
		names := map[string]string{}
		for _, m := range r.Managed {
			names[m] = fmt.Sprintf("policy-%d", len(mr.Policies))
			mr.Policies = append(mr.Policies, managedPolicy(m))
		}
		for _, p := range r.Policies {
			names[p.Name] = fmt.Sprintf("policy-%d", len(mr.Policies))
			mr.Policies = append(mr.Policies, p.Document.Parsed)
		}
		policyNames[s.Accounts[ai].Name+"/"+r.Name] = names
		cfg.Accounts[ai].Roles = append(cfg.Accounts[ai].Roles, mr)
	}
	for _, pr := range s.Principals {
		ai := accountIndex(pr.Account)
		mp := model.Principal{Name: pr.Name}
		for _, m := range pr.Managed {
			mp.Policies = append(mp.Policies, managedPolicy(m))
		}
		for _, p := range pr.Policies {
			mp.Policies = append(mp.Policies, p.Document.Parsed)
		}
		cfg.Accounts[ai].Principals = append(cfg.Accounts[ai].Principals, mp)
	}
	// Size each account's Functions once: appending 100,000 functions one by one copied
	// the growing slice (about 2 KB allocated per function, half the conversion time).
	perAccount := make([]int, len(cfg.Accounts))
	for _, f := range s.Fleets {
		if f.Trace == nil {
			perAccount[accountIndex(f.Account)] += f.Count
		}
	}
	for ai, n := range perAccount {
		cfg.Accounts[ai].Functions = make([]model.Function, 0, n)
	}
	places := make([]fleetPlace, len(s.Fleets))
	for fi := range s.Fleets {
		f := &s.Fleets[fi]
		places[fi] = fleetPlace{local: map[int][]int{}, global: map[int][]int{}}
		if f.Trace != nil {
			if err := s.traceFleet(cfg, fi, seed, arrivalSeed, &places[fi], acct); err != nil {
				return nil, err
			}
			continue
		}
		ai := accountIndex(f.Account)
		a := &cfg.Accounts[ai]
		rates := fleetRates(f, seed)
		quiet := fleetQuiet(f, f.Count, seed)
		for i := 0; i < f.Count; i++ {
			fn := s.function(f, i, a)
			if f.Workload != nil {
				fn.Workload = workloadFor(f.Workload, rates[i], quiet[i])
			}
			places[fi].local[ai] = append(places[fi].local[ai], i)
			places[fi].global[ai] = append(places[fi].global[ai], len(a.Functions))
			a.Functions = append(a.Functions, fn)
		}
	}
	for _, op := range s.Timeline {
		cfg.Timeline = append(cfg.Timeline, s.timelineOps(op, places, accountIndex, policyNames)...)
	}
	s.faults(cfg, accountIndex)
	return cfg, nil
}

func prefixText(c CIDR) string {
	if !c.IsValid() {
		return ""
	}
	return c.String()
}

// function builds function i of a fleet (its workload is filled in by the caller).
func (s *Scenario) function(f *Fleet, i int, a *model.Account) model.Function {
	pattern := f.NamePattern
	if pattern == "" {
		pattern = f.Name + "-{i}"
	}
	name, _ := expandName(pattern, i) // validated
	fn := model.Function{Name: name, MemoryMB: int(f.Memory), Role: f.Role, Deployed: f.Start != "absent", Versions: f.Versions}
	fn.Fidelity, _ = model.ParseFidelity(f.Fidelity) // validated
	if f.VPCConfig != nil {
		fn.VPC = modelVPC(f.VPCConfig)
	}
	connections(&fn, f.Connections, a)
	return fn
}

func modelVPC(c *VPCConfig) model.VPCConfig {
	return model.VPCConfig{SubnetIds: append([]string(nil), c.SubnetIds...), SecurityGroupIds: append([]string(nil), c.SecurityGroupIds...), Ipv6AllowedForDualStack: c.Ipv6AllowedForDualStack}
}

// Default round trips by target kind (unsourced beyond facts §6: 0.2–0.5 ms inside an AZ;
// an internet API is tens of milliseconds away) and the default operation time.
var (
	defaultRTTInVPC    = sim.LogNormalMedianP99(300*time.Microsecond, 500*time.Microsecond)
	defaultRTTInternet = sim.LogNormalMedianP99(20*time.Millisecond, 60*time.Millisecond)
	defaultOpTime      = sim.Const(5 * time.Millisecond)
)

// connections fills the function's data-plane settings. S3 and DynamoDB go through
// gateway endpoints when every subnet of the function has one, else over the internet.
func connections(fn *model.Function, c *Connections, a *model.Account) {
	if c == nil {
		return
	}
	if c.Mode == "per-invocation" {
		fn.ConnMode = dataplane.PerInvocation
	}
	fn.ProbeInterval = c.KeepaliveInterval.D()
	for _, t := range c.Targets {
		internet := false
		switch t.Kind {
		case "internet":
			internet = true
		case "s3", "dynamodb":
			internet = len(fn.VPC.SubnetIds) == 0
			for _, id := range fn.VPC.SubnetIds {
				has := false
				for _, sn := range a.Subnets {
					if sn.ID == id {
						has = contains(sn.GatewayEndpoints, t.Kind)
					}
				}
				internet = internet || !has
			}
		}
		fn.NeedsInternet = fn.NeedsInternet || internet
		if internet {
			fn.InternetTargets = append(fn.InternetTargets, len(fn.Targets))
		}
		dt := dataplane.Target{Name: t.Name, RTT: defaultRTTInVPC, Operation: defaultOpTime, Ops: t.Ops}
		if internet {
			dt.RTT = defaultRTTInternet
		}
		if t.RTT != nil {
			dt.RTT = t.RTT.Dist
		}
		if t.OpTime != nil {
			dt.Operation = t.OpTime.Dist
		}
		if dt.Ops == 0 {
			dt.Ops = 1
		}
		dt.TLS, _ = dataplane.ParseTLS(t.TLS) // validated
		fn.Targets = append(fn.Targets, dt)
	}
}

// fleetRates draws each function's mean rate: the fleet's rate times a multiplier with
// mean 1 from the spread (lognormal with μ = −σ²/2, or Pareto with xm = (α−1)/α).
func fleetRates(f *Fleet, seed sim.Seed) []float64 {
	out := make([]float64, f.Count)
	if f.Workload == nil {
		return out
	}
	base := f.Workload.Rate.PerSecond()
	for i := range out {
		m := 1.0
		if sp := f.Workload.Spread; sp != nil {
			src := seed.Stream("scenario.spread/"+f.Name, uint64(i))
			u := (float64(src.Uint64()>>11) + 0.5) * 0x1p-53 // in (0, 1)
			switch sp.Kind {
			case "lognormal":
				m = math.Exp(-sp.Sigma*sp.Sigma/2 + sp.Sigma*normQuantile(u))
			case "pareto":
				m = (sp.Shape - 1) / sp.Shape * math.Pow(u, -1/sp.Shape)
			}
		}
		out[i] = base * m
	}
	return out
}

// normQuantile is the standard normal quantile (inverse CDF), via math.Erfinv.
func normQuantile(u float64) float64 { return math.Sqrt2 * math.Erfinv(2*u-1) }

// fleetQuiet returns, per function, the quiet windows it is in: for each quiet entry the
// first ⌈fraction·n⌉ functions of a seeded permutation of the fleet.
func fleetQuiet(f *Fleet, n int, seed sim.Seed) [][]model.Window {
	out := make([][]model.Window, n)
	if f.Workload == nil {
		return out
	}
	for k, q := range f.Workload.Quiet {
		perm := rand.New(seed.Stream("scenario.quiet/"+f.Name, uint64(k))).Perm(n)
		m := int(math.Ceil(q.Fraction * float64(n)))
		for _, i := range perm[:min(m, n)] {
			out[i] = append(out[i], model.Window{Start: q.From.D(), End: q.To.D()})
		}
	}
	return out
}

func workloadFor(w *Workload, rate float64, quiet []model.Window) model.Workload {
	mw := model.Workload{Rate: rate, Quiet: quiet, BytesPerInvocation: int(w.BytesPerInvocation)}
	if d := w.Diurnal; d != nil {
		// The model uses 1 + A·sin(2π(t+phase)/P), highest at t+phase = P/4.
		period := d.Period.D()
		phase := ((period/4-d.Peak.D())%period + period) % period
		mw.Diurnal = model.Diurnal{Period: period, Amplitude: d.Amplitude, Phase: phase}
	}
	for _, b := range w.Bursts {
		mw.Bursts = append(mw.Bursts, model.Burst{Start: b.At.D(), End: b.At.D() + b.For.D(), Multiplier: b.Factor})
	}
	if w.Service != nil {
		mw.Service = w.Service.Dist
	}
	for _, q := range w.Qualifiers {
		mw.Qualifiers = append(mw.Qualifiers, model.Qualifier{Version: q.Version, Share: q.Share})
	}
	return mw
}

// selectIndices returns the fleet-local indices a selector picks out of n.
func selectIndices(sel *Selector, n int) (from, to int) {
	from, to = 0, n
	if sel.From != nil {
		from = *sel.From
	}
	if sel.To != nil {
		to = *sel.To
	}
	if sel.Fraction != nil {
		to = int(math.Ceil(*sel.Fraction * float64(n)))
	}
	return from, min(to, n)
}

func (s *Scenario) timelineOps(op Operation, places []fleetPlace, accountIndex func(string) int, policyNames map[string]map[string]string) []model.TimelineOp {
	kind, _ := model.ParseOpKind(op.Op)
	base := model.TimelineOp{At: op.At.D(), Kind: kind, Principal: op.By, Stagger: op.Over.D(), MemoryMB: int(op.Memory)}
	if op.VPCConfig != nil {
		v := modelVPC(op.VPCConfig)
		base.VPC = &v
	}
	switch op.Op {
	case "PutRolePolicy", "DeleteRolePolicy", "DeleteRole":
		base.Account = accountIndex(op.Account)
		base.Role = op.Role
		name := op.PolicyName
		if m := policyNames[s.Accounts[base.Account].Name+"/"+op.Role]; m != nil && m[name] != "" {
			name = m[name]
		} else if name != "" {
			name = "put:" + name // a policy first added by PutRolePolicy keeps its own name
		}
		base.PolicyName = name
		if op.Policy != nil {
			base.Policy = op.Policy.Parsed
		}
		return []model.TimelineOp{base}
	case "SetQuota":
		base.Account = accountIndex(op.Account)
		base.Value = op.Value
		switch op.Quota {
		case "concurrency":
			base.Quota = model.QuotaConcurrency
		case "regionENIs":
			base.Quota = model.QuotaRegionENIs
		default:
			base.Quota, base.Target = model.QuotaVPCENIs, op.VPC
		}
		return []model.TimelineOp{base}
	}
	fi := 0
	for i, f := range s.Fleets {
		if f.Name == op.Functions.Fleet {
			fi = i
		}
	}
	// The selector counts in fleet order across accounts (a trace fleet spans several).
	total := 0
	for _, l := range places[fi].local {
		total += len(l)
	}
	from, to := selectIndices(op.Functions, total)
	var out []model.TimelineOp
	for ai := range s.Accounts {
		loc, glob := places[fi].local[ai], places[fi].global[ai]
		o := base
		o.Account = ai
		o.Functions = nil
		for k, li := range loc {
			if li >= from && li < to {
				o.Functions = append(o.Functions, glob[k])
			}
		}
		if len(o.Functions) > 0 {
			out = append(out, o)
		}
	}
	return out
}

func (s *Scenario) faults(cfg *model.Config, accountIndex func(string) int) {
	keep := 1.0
	for _, f := range s.Faults {
		switch {
		case f.ENICreateFailure != nil:
			// Independent failure sources combine: P(fail) = 1 − Π(1 − p).
			keep *= 1 - f.ENICreateFailure.Probability
		case f.SlowENICreate != nil:
			if cfg.Faults.CreateLatencyFactor == 0 {
				cfg.Faults.CreateLatencyFactor = 1
			}
			cfg.Faults.CreateLatencyFactor *= f.SlowENICreate.Factor
		case f.EC2Throttling != nil:
			t := f.EC2Throttling
			cfg.Faults.EC2Storms = append(cfg.Faults.EC2Storms, model.Storm{Window: model.Window{Start: t.From.D(), End: t.To.D()}, Account: t.Account})
		case f.RTTSpike != nil:
			r := f.RTTSpike
			cfg.Faults.RTTSpikes = append(cfg.Faults.RTTSpikes, model.RTTSpike{Window: model.Window{Start: r.From.D(), End: r.To.D()}, Factor: r.Factor})
		case f.SubnetIPLoss != nil:
			l := f.SubnetIPLoss
			ai := accountIndex(l.Account)
			subnets := []string{l.Subnet}
			if l.AZ != "" {
				subnets = subnetsInAZ(&s.Accounts[ai], l.AZ)
			}
			for _, sn := range subnets {
				cfg.Faults.SubnetIPsTaken = append(cfg.Faults.SubnetIPsTaken, model.IPGrab{At: l.At.D(), Account: s.Accounts[ai].Name, Subnet: sn, IPs: l.IPs})
			}
		}
	}
	if keep < 1 {
		cfg.Faults.ENICreateFailProb = 1 - keep
	}
}

// hashKey is a stable 64-bit hash of a trace key (owner, app or function) with the seed.
// FNV-1a alone is not enough: its low bit is the parity of the input bytes' low bits, so
// "hash % 2" put all four functions of a small log on one account whatever the seed.
// The splitmix64 finaliser spreads every input bit over the low bits used by %.
func hashKey(seed sim.Seed, kind, key string) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%s/%s", uint64(seed), kind, key)
	x := h.Sum64()
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

var _ = iam.Version2012
