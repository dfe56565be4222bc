package scenarios

import (
	"fmt"
	"math"
	"strings"
	"time"
)

var opNames = []string{"CreateFunction", "UpdateFunctionConfiguration", "UpdateFunctionCode",
	"PublishVersion", "DeleteFunction", "PutRolePolicy", "DeleteRolePolicy", "DeleteRole", "SetQuota"}

// opFields lists, per operation, the optional fields besides at/op that apply to it; a
// field given to an operation it does not apply to is an error (it would be ignored).
var opFields = map[string][]string{
	"CreateFunction":              {"by", "functions", "over", "vpcConfig"},
	"UpdateFunctionConfiguration": {"by", "functions", "over", "vpcConfig", "memory"},
	"UpdateFunctionCode":          {"by", "functions", "over"},
	"PublishVersion":              {"by", "functions", "over"},
	"DeleteFunction":              {"by", "functions", "over"},
	"PutRolePolicy":               {"role", "policyName", "policy", "account"},
	"DeleteRolePolicy":            {"role", "policyName", "account"},
	"DeleteRole":                  {"role", "account"},
	"SetQuota":                    {"quota", "account", "vpc", "value"},
}

var quotaKinds = []string{"vpcENIs", "concurrency", "regionENIs"}

func (v *validator) operation(i int) {
	op := &v.s.Timeline[i]
	p := joinIndex("timeline", i)
	allowed, ok := opFields[op.Op]
	if !ok {
		v.report(joinField(p, "op"), suggest(op.Op, opNames), "unknown operation %q (want one of %s)", op.Op, strings.Join(opNames, ", "))
		return
	}
	if v.s.Run.Duration > 0 && op.At >= v.s.Run.Duration {
		v.report(joinField(p, "at"), "lengthen run.duration", "operation at %s is not before the end of the run (%s)", op.At, v.s.Run.Duration)
	}
	given := map[string]bool{
		"by": op.By != "", "functions": op.Functions != nil, "over": op.Over != 0,
		"vpcConfig": op.VPCConfig != nil, "memory": op.Memory != 0, "role": op.Role != "",
		"policyName": op.PolicyName != "", "policy": op.Policy != nil, "quota": op.Quota != "",
		"account": op.Account != "", "vpc": op.VPC != "", "value": op.Value != 0,
	}
	for _, f := range []string{"by", "functions", "over", "vpcConfig", "memory", "role", "policyName", "policy", "quota", "account", "vpc", "value"} {
		if given[f] && !contains(allowed, f) {
			v.report(joinField(p, f), "remove it", "field %s does not apply to %s", f, op.Op)
		}
	}
	switch op.Op {
	case "PutRolePolicy", "DeleteRolePolicy", "DeleteRole":
		v.roleOp(p, op)
		return
	case "SetQuota":
		v.quotaOp(p, op)
		return
	}
	if op.Functions == nil {
		v.report(joinField(p, "functions"), "e.g. functions: api or functions: {fleet: api, fraction: 0.5}", "%s needs the functions it applies to", op.Op)
		return
	}
	fi, ok := v.selector(joinField(p, "functions"), op.Functions)
	if !ok {
		return
	}
	f := &v.s.Fleets[fi]
	if op.Op == "CreateFunction" && f.Start != "absent" {
		v.report(joinField(p, "functions"), "set start: absent on fleet "+f.Name, "fleet %q already exists at the start (start: active), so CreateFunction would conflict", f.Name)
	}
	if op.Op == "UpdateFunctionConfiguration" && op.VPCConfig == nil && op.Memory == 0 {
		v.report(p, "give vpcConfig (empty lists detach the VPC) or memory", "UpdateFunctionConfiguration changes nothing")
	}
	if op.Memory != 0 && (op.Memory < 128 || op.Memory > 10240) {
		v.report(joinField(p, "memory"), "", "memory must be between 128MB and 10240MB, got %dMB", op.Memory)
	}
	for _, ai := range v.fleetAccounts(fi) {
		if op.By != "" {
			if _, ok := v.princ[ai][op.By]; !ok {
				v.report(joinField(p, "by"), suggest(op.By, keys(v.princ[ai])), "principal %q is not defined in account %q", op.By, v.s.Accounts[ai].Name)
			}
		}
		if op.VPCConfig != nil {
			v.vpcConfig(ai, joinField(p, "vpcConfig"), op.VPCConfig)
		}
	}
}

// fleetAccounts lists the accounts a fleet's functions live in.
func (v *validator) fleetAccounts(fi int) []int {
	f := &v.s.Fleets[fi]
	if f.Trace != nil && len(f.Trace.Mapping.Accounts) > 0 {
		var out []int
		for _, a := range f.Trace.Mapping.Accounts {
			if ai, ok := v.acct[a]; ok {
				out = append(out, ai)
			}
		}
		return out
	}
	if f.Account == "" && len(v.s.Accounts) == 1 {
		return []int{0}
	}
	if ai, ok := v.acct[f.Account]; ok {
		return []int{ai}
	}
	return nil
}

func (v *validator) selector(p string, s *Selector) (int, bool) {
	fi, ok := v.fleets[s.Fleet]
	if !ok {
		v.report(joinField(p, "fleet"), suggest(s.Fleet, v.fleetNames()), "fleet %q is not defined (fleets: %s)", s.Fleet, strings.Join(v.fleetNames(), ", "))
		return 0, false
	}
	n := v.s.Fleets[fi].Count
	if s.Fraction != nil && (s.From != nil || s.To != nil) {
		v.report(joinField(p, "fraction"), "keep one of them", "give either fraction or from/to")
	}
	if s.Fraction != nil && (*s.Fraction <= 0 || *s.Fraction > 1) {
		v.report(joinField(p, "fraction"), "", "fraction must be in (0, 1], got %g", *s.Fraction)
	}
	from, to := 0, n
	if s.From != nil {
		from = *s.From
	}
	if s.To != nil {
		to = *s.To
	}
	if s.From != nil && (from < 0 || n > 0 && from >= n) {
		v.report(joinField(p, "from"), "", "from must be in [0, %d) (fleet %q has %d functions), got %d", n, s.Fleet, n, from)
	}
	if s.To != nil && (to <= from || n > 0 && to > n) {
		v.report(joinField(p, "to"), "", "to must be in (from, %d], got %d", n, to)
	}
	return fi, true
}

func (v *validator) roleOp(p string, op *Operation) {
	ai, ok := v.accountOf(joinField(p, "account"), op.Account)
	if op.Role == "" {
		v.report(joinField(p, "role"), "", "%s needs role", op.Op)
		return
	}
	if !ok {
		return
	}
	r, found := v.roles[ai][op.Role]
	if !found {
		v.report(joinField(p, "role"), suggest(op.Role, v.roleNames(ai)), "role %q is not defined in account %q", op.Role, v.s.Accounts[ai].Name)
		return
	}
	switch op.Op {
	case "PutRolePolicy":
		if op.PolicyName == "" {
			v.report(joinField(p, "policyName"), "", "PutRolePolicy needs policyName")
		}
		if op.Policy == nil {
			v.report(joinField(p, "policy"), "write the JSON after policy: |", "PutRolePolicy needs policy")
		}
	case "DeleteRolePolicy":
		if op.PolicyName == "" {
			v.report(joinField(p, "policyName"), "", "DeleteRolePolicy needs policyName")
			return
		}
		names := append([]string(nil), r.Managed...)
		for _, pol := range r.Policies {
			names = append(names, pol.Name)
		}
		// A policy put earlier on the timeline may be deleted too.
		for _, o := range v.s.Timeline {
			if o.Op == "PutRolePolicy" && o.Role == op.Role && o.At <= op.At {
				names = append(names, o.PolicyName)
			}
		}
		if !contains(names, op.PolicyName) {
			v.report(joinField(p, "policyName"), suggest(op.PolicyName, names), "role %q has no policy %q (it has %s)", op.Role, op.PolicyName, strings.Join(names, ", "))
		}
	}
}

func (v *validator) quotaOp(p string, op *Operation) {
	ai, ok := v.accountOf(joinField(p, "account"), op.Account)
	switch op.Quota {
	case "vpcENIs":
		if op.VPC == "" {
			v.report(joinField(p, "vpc"), "", "SetQuota vpcENIs needs vpc")
		} else if ok && v.vpcs[ai][op.VPC] == nil {
			v.report(joinField(p, "vpc"), suggest(op.VPC, v.vpcNames(ai)), "VPC %q is not defined in account %q", op.VPC, v.s.Accounts[ai].Name)
		}
	case "concurrency", "regionENIs":
		if op.VPC != "" {
			v.report(joinField(p, "vpc"), "remove it", "vpc applies to quota vpcENIs only")
		}
	default:
		v.report(joinField(p, "quota"), suggest(op.Quota, quotaKinds), "quota must be vpcENIs, concurrency or regionENIs, got %q", op.Quota)
	}
	if op.Value < 1 {
		v.report(joinField(p, "value"), "", "a quota value must be at least 1, got %d", op.Value)
	}
}

func (v *validator) fault(i int) {
	f := &v.s.Faults[i]
	p := joinIndex("faults", i)
	set := 0
	for _, b := range []bool{f.ENICreateFailure != nil, f.SlowENICreate != nil, f.EC2Throttling != nil, f.SubnetIPLoss != nil, f.RTTSpike != nil} {
		if b {
			set++
		}
	}
	if set != 1 {
		v.report(p, "write e.g. - eniCreateFailure: {probability: 0.05}", "a fault is exactly one of eniCreateFailure, slowENICreate, ec2Throttling, subnetIPLoss, rttSpike (got %d)", set)
		return
	}
	window := func(wp string, from, to Duration) {
		if to <= from {
			v.report(joinField(wp, "to"), "", "to (%s) must be after from (%s)", to, from)
		}
		if d := v.s.Run.Duration; d > 0 && from >= d {
			v.report(joinField(wp, "from"), "", "from (%s) is not before the end of the run (%s)", from, d)
		}
	}
	switch {
	case f.ENICreateFailure != nil:
		if pr := f.ENICreateFailure.Probability; pr < 0 || pr > 1 {
			v.report(joinField(p, "eniCreateFailure.probability"), "", "probability must be in [0, 1], got %g", pr)
		}
	case f.SlowENICreate != nil:
		if f.SlowENICreate.Factor <= 0 {
			v.report(joinField(p, "slowENICreate.factor"), "", "factor must be positive, got %g", f.SlowENICreate.Factor)
		}
	case f.EC2Throttling != nil:
		t := f.EC2Throttling
		window(joinField(p, "ec2Throttling"), t.From, t.To)
		if t.Account != "" {
			v.accountOf(joinField(p, "ec2Throttling.account"), t.Account)
		}
	case f.RTTSpike != nil:
		window(joinField(p, "rttSpike"), f.RTTSpike.From, f.RTTSpike.To)
		if f.RTTSpike.Factor <= 0 {
			v.report(joinField(p, "rttSpike.factor"), "", "factor must be positive, got %g", f.RTTSpike.Factor)
		}
	case f.SubnetIPLoss != nil:
		l := f.SubnetIPLoss
		lp := joinField(p, "subnetIPLoss")
		ai, ok := v.accountOf(joinField(lp, "account"), l.Account)
		if (l.Subnet == "") == (l.AZ == "") {
			v.report(lp, "", "subnetIPLoss needs exactly one of subnet and az")
		} else if ok && l.Subnet != "" {
			if _, found := v.subnets[ai][l.Subnet]; !found {
				v.report(joinField(lp, "subnet"), suggest(l.Subnet, keys(v.subnets[ai])), "subnet %q is not defined in account %q", l.Subnet, v.s.Accounts[ai].Name)
			}
		} else if ok && len(v.subnetsInAZ(ai, l.AZ)) == 0 {
			v.report(joinField(lp, "az"), "", "account %q has no subnet in AZ %q", v.s.Accounts[ai].Name, l.AZ)
		}
		if l.IPs <= 0 {
			v.report(joinField(lp, "ips"), "", "ips must be positive, got %d", l.IPs)
		}
		if d := v.s.Run.Duration; d > 0 && l.At >= d {
			v.report(joinField(lp, "at"), "", "at (%s) is not before the end of the run (%s)", l.At, d)
		}
	}
}

// subnetsInAZ lists the account's subnets in an AZ, in declaration order.
func (v *validator) subnetsInAZ(ai int, az string) []string {
	return subnetsInAZ(&v.s.Accounts[ai], az)
}

func subnetsInAZ(a *Account, az string) []string {
	var out []string
	for _, x := range a.VPCs {
		for _, sn := range x.Subnets {
			if sn.AZ == az {
				out = append(out, sn.Name)
			}
		}
	}
	return out
}

func (v *validator) run() {
	r := &v.s.Run
	if r.Duration <= 0 {
		v.report("run.duration", "e.g. run: {duration: 2d}", "run.duration must be positive")
	}
	if r.Replications < 0 {
		v.report("run.replications", "", "replications must not be negative, got %d", r.Replications)
	}
	if r.Replications > maxReplications {
		v.report("run.replications", "split the replications over several scenarios or seeds", "at most %d replications: every work unit is listed in memory before the runs start, got %d", maxReplications, r.Replications)
	}
	if r.SampleEvery != 0 && r.SampleEvery.D() < time.Millisecond {
		v.report("run.sampleEvery", "e.g. sampleEvery: 1m", "sampleEvery must be at least 1ms, got %s", r.SampleEvery)
	} else if r.SampleEvery > 0 && r.Duration > 0 && int64(r.Duration/r.SampleEvery) > maxSamples {
		v.report("run.sampleEvery", "sample less often or simulate a shorter run", "%s sampled every %s is %d samples, each writing rows for every combination, subnet and active function; at most %d", r.Duration, r.SampleEvery, int64(r.Duration/r.SampleEvery), maxSamples)
	}
	if r.PerInvocation < 0 || r.PerInvocation > 1 {
		v.report("run.perInvocation", "", "perInvocation is a fraction in [0, 1], got %g", r.PerInvocation)
	}
	if r.Duration > 0 && r.SampleEvery > r.Duration {
		v.report("run.sampleEvery", "", "sampleEvery (%s) is longer than the run (%s)", r.SampleEvery, r.Duration)
	}
	if r.Sweep != nil {
		if len(r.Sweep.Grid) == 0 && len(r.Sweep.List) == 0 {
			v.report("run.sweep", "", "a sweep needs grid or list")
		}
		n := 1
		for _, ax := range r.Sweep.Grid {
			n *= len(ax.Values)
			if n > maxSweepPoints {
				break
			}
		}
		if len(r.Sweep.Grid) == 0 {
			n = 0
		}
		if n+len(r.Sweep.List) > maxSweepPoints {
			v.report("run.sweep", "shard it with enisim sweep --shard", "a sweep of more than %d points is refused", maxSweepPoints)
		}
		for k, ax := range r.Sweep.Grid {
			if err := checkSweepPath(v.s.root, ax.Path); err != nil {
				v.report(joinField("run.sweep.grid", ax.Path), "", "%v", err)
			}
			_ = k
		}
		for k, a := range r.Sweep.List {
			for _, sp := range a.Paths {
				if err := checkSweepPath(v.s.root, sp); err != nil {
					v.report(joinField(joinIndex("run.sweep.list", k), sp), "", "%v", err)
				}
			}
		}
	}
}

const (
	maxSweepPoints  = 10000
	maxReplications = 100000
	// maxSamples bounds duration/sampleEvery: a month at one-second sampling.
	maxSamples = 31 * 24 * 3600
)

// Memory estimate: live heap per entity, measured (TestMeasureEntityCosts: heap after GC
// of Model + model.New + a 2-minute run, minus the heap before, with runtime.MemStats;
// go1.26 linux/amd64, November 2026; versions and environments re-measured 27 November
// at abce7aa, when invoked versions were added):
//   - a function that is invoked: 5,244 B (27.2 MB for 5,000 functions vs 6.2 MB for
//     1,000, each with about one environment); one never invoked costs 1,080 B, but the
//     estimate assumes every function runs, so it is an upper bound for quiet fleets;
//   - a published version: 159 B (1,000 functions with 21 versions vs 1); one the
//     workload invokes (workload.qualifiers: its own pool, accumulators and connection
//     state): 2,438 B (1,000 functions with 4 of 5 versions invoked vs none);
//   - an execution environment: 240 B (2,289 vs 285 environments of 10 functions). The
//     estimate counts the account's concurrency; environments kept idle by other
//     functions can outnumber it (703 for concurrency 200 over 500 functions), which
//     at 240 B each is small beside the functions;
//   - an azure2019 trace row: 5,760 B, its 1,440 per-minute uint32 counts (measured
//     5,760 B beyond its function), plus 100 float64 quantiles when a _run.csv gives
//     durations;
//   - a per-invocation trace (azure2021, csv) holds no rows: each account's reader keeps
//     its reorder window, 65,536 pending arrivals of 32 B, and a 64 KiB read buffer.
//
// TestEstimateBytesMatchesHeap checks the total is within a factor of 2 of the measured
// heap for two scenario sizes.
const (
	bytesPerFunction       = 5300
	bytesPerVersion        = 160
	bytesPerInvokedVersion = 2450
	bytesPerEnvironment    = 240
	bytesPerTraceRow       = 1440 * 4
	bytesPerTraceRunRow    = 100*8 + 48
	bytesPerReorderQueue   = 65536*32 + 64<<10
	defaultMemoryLimit     = 8 * 1024 // MB
)

// EstimateBytes is the memory the scenario would take to run: the heap of its functions,
// versions, execution environments (at the accounts' concurrency) and trace state.
func (s *Scenario) EstimateBytes() int64 {
	var fns, versions, invoked, envs, traceBytes float64
	for _, f := range s.Fleets {
		n := int64(f.Count)
		if f.Trace != nil {
			for _, t := range s.traces {
				if f.Trace.Digest != t.Digest || f.Trace.Format != t.Format {
					continue
				}
				if n == 0 || n > int64(len(t.Funcs)) {
					n = int64(len(t.Funcs))
				}
				switch {
				case t.Format == "azure2019":
					traceBytes += float64(n) * bytesPerTraceRow
					if t.RunsPath != "" {
						traceBytes += float64(n) * bytesPerTraceRunRow
					}
				default:
					traceBytes += float64(max(1, len(f.Trace.Mapping.Accounts))) * bytesPerReorderQueue
				}
				break
			}
		}
		fns += float64(n)
		versions += float64(n) * float64(f.Versions)
		if f.Workload != nil {
			// Each version the workload names (once: validation rejects repeats) holds
			// run-time state of its own.
			invoked += float64(n) * float64(len(f.Workload.Qualifiers))
		}
	}
	for _, a := range s.Accounts {
		c := int64(a.Concurrency)
		if c == 0 {
			c = 1000
			if s.Params.Quotas.AccountConcurrency != nil {
				c = int64(*s.Params.Quotas.AccountConcurrency)
			}
		}
		envs += float64(c)
	}
	// In float64, so counts near the integer limits saturate instead of wrapping into a
	// small estimate that passes the memory limit.
	total := fns*bytesPerFunction + versions*bytesPerVersion + invoked*(bytesPerInvokedVersion-bytesPerVersion) +
		envs*bytesPerEnvironment + traceBytes
	if total >= math.MaxInt64/2 {
		return math.MaxInt64 / 2
	}
	return int64(total)
}

func (v *validator) memory() {
	limit := int64(v.s.Run.MemoryLimit)
	if limit == 0 {
		limit = defaultMemoryLimit
	}
	est := v.s.EstimateBytes()
	if limit > math.MaxInt64>>21 {
		limit = math.MaxInt64 >> 21
	}
	if est > limit<<20 {
		v.report("fleets", "reduce fleet counts or accounts' concurrency, split the scenario, or raise run.memoryLimit", "this scenario would need about %s of memory (functions, versions, execution environments, trace rows), more than run.memoryLimit %s", humanBytes(est), humanBytes(limit<<20))
	}
}

func humanBytes(b int64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", b>>10)
}
