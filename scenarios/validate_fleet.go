package scenarios

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

func (v *validator) fleetNames() []string {
	var out []string
	for _, f := range v.s.Fleets {
		out = append(out, f.Name)
	}
	return out
}

var fleetStarts = []string{"active", "absent"}

var fleetFidelities = []string{"exact", "aggregate"}

func (v *validator) fleet(i int) {
	f := &v.s.Fleets[i]
	p := joinIndex("fleets", i)
	if v.name(joinField(p, "name"), "a fleet", f.Name) {
		if _, dup := v.fleets[f.Name]; dup {
			v.report(joinField(p, "name"), "", "fleet %q is defined twice", f.Name)
		} else {
			v.fleets[f.Name] = i
		}
	}
	if f.Trace != nil {
		v.trace(i, joinField(p, "trace"))
	} else {
		if f.Count <= 0 {
			v.report(joinField(p, "count"), "e.g. count: 200", "a fleet needs a positive count of functions, got %d", f.Count)
		}
	}
	ai, aok := 0, false
	if f.Trace == nil || f.Account != "" {
		ai, aok = v.accountOf(joinField(p, "account"), f.Account)
	}
	if f.Count < 0 {
		v.report(joinField(p, "count"), "", "count must not be negative, got %d", f.Count)
	}
	if f.NamePattern != "" {
		if _, err := expandName(f.NamePattern, 0); err != nil {
			v.report(joinField(p, "namePattern"), "e.g. namePattern: api-{i:04}", "%v", err)
		}
	}
	if f.Memory != 0 && (f.Memory < 128 || f.Memory > 10240) {
		v.report(joinField(p, "memory"), "", "memory must be between 128MB and 10240MB, got %dMB", f.Memory)
	}
	accounts := []int{}
	if f.Trace != nil {
		accounts = v.traceAccounts(f, joinField(p, "trace.mapping.accounts"))
	} else if aok {
		accounts = []int{ai}
	}
	if f.Role == "" {
		v.report(joinField(p, "role"), "e.g. role: lambda-vpc (see roles)", "a fleet needs an execution role")
	}
	for _, a := range accounts {
		if f.Role != "" {
			if _, ok := v.roles[a][f.Role]; !ok {
				v.report(joinField(p, "role"), suggest(f.Role, v.roleNames(a)), "role %q is not defined in account %q", f.Role, v.s.Accounts[a].Name)
			}
		}
		if f.VPCConfig != nil {
			v.vpcConfig(a, joinField(p, "vpcConfig"), f.VPCConfig)
		}
	}
	if f.Versions < 0 {
		v.report(joinField(p, "versions"), "", "versions must not be negative, got %d", f.Versions)
	}
	switch f.Start {
	case "", "active":
	case "absent":
		if f.Versions > 0 {
			v.report(joinField(p, "versions"), "publish them on the timeline (PublishVersion)", "a fleet that starts absent has no published versions")
		}
		created := false
		for _, op := range v.s.Timeline {
			created = created || op.Op == "CreateFunction" && op.Functions != nil && op.Functions.Fleet == f.Name
		}
		if !created {
			v.report(joinField(p, "start"), "add a CreateFunction for it to the timeline, or start: active", "fleet %q starts absent but no CreateFunction creates it", f.Name)
		}
	default:
		v.report(joinField(p, "start"), suggest(f.Start, fleetStarts), "start must be active or absent, got %q", f.Start)
	}
	if f.Fidelity != "" && !contains(fleetFidelities, f.Fidelity) {
		v.report(joinField(p, "fidelity"), suggest(f.Fidelity, fleetFidelities), "fidelity must be exact or aggregate, got %q", f.Fidelity)
	}
	if f.Connections != nil {
		v.connections(joinField(p, "connections"), f.Connections)
	}
	if f.Workload != nil {
		v.workload(joinField(p, "workload"), f.Workload)
		if w := f.Workload; f.Trace != nil && (w.Rate != 0 || w.Spread != nil || w.Diurnal != nil || len(w.Bursts) > 0 || len(w.Quiet) > 0) {
			v.report(joinField(p, "workload"), "keep only service (the time of trace rows without a duration)", "a trace fleet's invocations come from its trace; of workload only service and bytesPerInvocation apply")
		}
	}
}

func (v *validator) roleNames(ai int) []string {
	var out []string
	for _, r := range v.s.Roles {
		if a, ok := v.acct[r.Account]; r.Account == "" && len(v.s.Accounts) == 1 || ok && a == ai {
			out = append(out, r.Name)
		}
	}
	return out
}

// expandName fills a name pattern for function i: {i} is the index, {i:04} zero-pads it
// to 4 digits. Lambda function names are at most 64 letters, digits, - and _.
func expandName(pattern string, i int) (string, error) {
	var b strings.Builder
	rest := pattern
	found := false
	for {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:open])
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return "", fmt.Errorf("name pattern %q has an unclosed {", pattern)
		}
		field := rest[open+1 : open+end]
		rest = rest[open+end+1:]
		name, spec, hasSpec := strings.Cut(field, ":")
		if name != "i" {
			return "", fmt.Errorf("name pattern %q: unknown placeholder {%s} (only {i} and {i:04})", pattern, field)
		}
		found = true
		s := strconv.Itoa(i)
		if hasSpec {
			w, err := strconv.Atoi(spec)
			if err != nil || w < 1 || w > 9 {
				return "", fmt.Errorf("name pattern %q: bad width %q (write {i:04})", pattern, spec)
			}
			for len(s) < w {
				s = "0" + s
			}
		}
		b.WriteString(s)
	}
	if !found {
		return "", fmt.Errorf("name pattern %q has no {i}, so every function would get the same name", pattern)
	}
	out := b.String()
	if len(out) > 64 {
		return "", fmt.Errorf("function name %q is longer than Lambda's 64 characters", out)
	}
	for _, c := range out {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return "", fmt.Errorf("function name %q has %q; Lambda allows letters, digits, - and _", out, c)
		}
	}
	return out, nil
}

// vpcConfig checks a function's VPC configuration as Lambda's API would.
func (v *validator) vpcConfig(ai int, p string, c *VPCConfig) {
	sp, gp := joinField(p, "SubnetIds"), joinField(p, "SecurityGroupIds")
	if len(c.SubnetIds) > 16 {
		v.report(sp, "", "a function can use at most 16 subnets, got %d", len(c.SubnetIds))
	}
	if len(c.SecurityGroupIds) > 5 {
		v.report(gp, "", "a function can use at most 5 security groups, got %d", len(c.SecurityGroupIds))
	}
	if len(c.SubnetIds) > 0 && len(c.SecurityGroupIds) == 0 {
		v.report(p, "add SecurityGroupIds", "SubnetIds without SecurityGroupIds: Lambda needs both or neither (InvalidParameterValueException)")
	}
	if len(c.SubnetIds) == 0 && len(c.SecurityGroupIds) > 0 {
		v.report(p, "add SubnetIds", "SecurityGroupIds without SubnetIds: Lambda needs both or neither (InvalidParameterValueException)")
	}
	acct := v.s.Accounts[ai].Name
	vpc, first := "", ""
	seen := map[string]bool{}
	for k, id := range c.SubnetIds {
		kp := joinIndex(sp, k)
		if seen[id] {
			v.report(kp, "", "subnet %q is listed twice", id)
			continue
		}
		seen[id] = true
		sv, ok := v.subnetVPC[ai][id]
		if !ok {
			v.report(kp, suggest(id, keys(v.subnetVPC[ai])), "subnet %q is not defined in account %q", id, acct)
			continue
		}
		if vpc == "" {
			vpc, first = sv, id
			x := v.vpcs[ai][sv]
			if x != nil && x.Tenancy == "dedicated" {
				hint := "peer it with a default-tenancy VPC and attach there"
				if len(x.Peering) > 0 {
					hint = "attach to a subnet of the peered VPC " + x.Peering[0] + " instead"
				}
				v.report(kp, hint, "Lambda cannot attach to subnet %q: its VPC %q has dedicated tenancy", id, sv)
			}
		} else if sv != vpc {
			v.report(kp, "use subnets of one VPC", "subnet %q is in %s but the function's other subnets are in %s (first: %s)", id, sv, vpc, first)
		}
		if c.Ipv6AllowedForDualStack && !v.subnets[ai][id].IPv6CIDR.IsValid() {
			v.report(kp, "give the subnet an ipv6Cidr or set Ipv6AllowedForDualStack: false", "Ipv6AllowedForDualStack needs every subnet to have an IPv6 CIDR, and subnet %q has none", id)
		}
	}
	seen = map[string]bool{}
	for k, id := range c.SecurityGroupIds {
		kp := joinIndex(gp, k)
		if seen[id] {
			v.report(kp, "", "security group %q is listed twice", id)
			continue
		}
		seen[id] = true
		gv, ok := v.sgVPC[ai][id]
		if !ok {
			v.report(kp, suggest(id, keys(v.sgVPC[ai])), "security group %q is not defined in account %q", id, acct)
			continue
		}
		if vpc != "" && gv != vpc {
			v.report(kp, "", "security group %q is in %s but the function's subnets are in %s", id, gv, vpc)
		}
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	// Sorted so that suggestions (first closest wins) do not depend on map order.
	slices.Sort(out)
	return out
}

var connKinds = []string{"db", "dynamodb", "s3", "internet"}
var connModes = []string{"keepalive", "per-invocation"}
var tlsVersions = []string{"none", "1.2", "1.3"}

func (v *validator) connections(p string, c *Connections) {
	if c.Mode != "" && !contains(connModes, c.Mode) {
		v.report(joinField(p, "mode"), suggest(c.Mode, connModes), "mode must be keepalive or per-invocation, got %q", c.Mode)
	}
	if c.KeepaliveInterval != 0 && c.Mode == "per-invocation" {
		v.report(joinField(p, "keepaliveInterval"), "remove it or use mode: keepalive", "keepaliveInterval applies only to mode keepalive")
	}
	if len(c.Targets) > 16 {
		v.report(joinField(p, "targets"), "", "a fleet can talk to at most 16 targets, got %d", len(c.Targets))
	}
	seen := map[string]bool{}
	for k := range c.Targets {
		tp := joinIndex(joinField(p, "targets"), k)
		t := &c.Targets[k]
		if v.name(joinField(tp, "name"), "a target", t.Name) {
			if seen[t.Name] {
				v.report(joinField(tp, "name"), "", "target %q is listed twice", t.Name)
			}
			seen[t.Name] = true
		}
		if !contains(connKinds, t.Kind) {
			v.report(joinField(tp, "kind"), suggest(t.Kind, connKinds), "kind must be one of %s, got %q", strings.Join(connKinds, ", "), t.Kind)
		}
		if t.TLS != "" && !contains(tlsVersions, t.TLS) {
			v.report(joinField(tp, "tls"), "quote it: tls: \"1.3\"", "tls must be none, \"1.2\" or \"1.3\", got %q", t.TLS)
		}
		if t.Ops < 0 {
			v.report(joinField(tp, "ops"), "", "ops must not be negative, got %d", t.Ops)
		}
	}
}

var spreadKinds = []string{"lognormal", "pareto"}

func (v *validator) workload(p string, w *Workload) {
	if w.Spread != nil {
		sp := joinField(p, "spread")
		switch w.Spread.Kind {
		case "lognormal":
			if w.Spread.Sigma <= 0 || w.Spread.Sigma > 5 {
				v.report(joinField(sp, "sigma"), "", "lognormal spread needs 0 < sigma ≤ 5, got %g", w.Spread.Sigma)
			}
			if w.Spread.Shape != 0 {
				v.report(joinField(sp, "shape"), "use sigma", "shape applies to pareto spread only")
			}
		case "pareto":
			if w.Spread.Shape <= 1 {
				v.report(joinField(sp, "shape"), "", "pareto spread needs shape > 1 so the mean rate exists, got %g", w.Spread.Shape)
			}
			if w.Spread.Sigma != 0 {
				v.report(joinField(sp, "sigma"), "use shape", "sigma applies to lognormal spread only")
			}
		default:
			v.report(joinField(sp, "kind"), suggest(w.Spread.Kind, spreadKinds), "spread kind must be lognormal or pareto, got %q", w.Spread.Kind)
		}
	}
	if d := w.Diurnal; d != nil {
		dp := joinField(p, "diurnal")
		if d.Period <= 0 {
			v.report(joinField(dp, "period"), "e.g. period: 24h", "diurnal period must be positive")
		}
		if d.Amplitude < 0 || d.Amplitude > 1 {
			v.report(joinField(dp, "amplitude"), "", "amplitude must be between 0 and 1, got %g", d.Amplitude)
		}
		if d.Period > 0 && d.Peak >= d.Period {
			v.report(joinField(dp, "peak"), "", "peak (%s) must be within the period (%s)", d.Peak, d.Period)
		}
	}
	for k, b := range w.Bursts {
		bp := joinIndex(joinField(p, "bursts"), k)
		if b.For <= 0 {
			v.report(joinField(bp, "for"), "e.g. for: 15m", "a burst needs a positive length")
		}
		if b.Factor <= 0 {
			v.report(joinField(bp, "factor"), "", "factor must be positive, got %g", b.Factor)
		}
	}
	for k, q := range w.Quiet {
		qp := joinIndex(joinField(p, "quiet"), k)
		if q.Fraction <= 0 || q.Fraction > 1 {
			v.report(joinField(qp, "fraction"), "", "fraction must be in (0, 1], got %g", q.Fraction)
		}
		if q.To <= q.From {
			v.report(joinField(qp, "to"), "", "to (%s) must be after from (%s)", q.To, q.From)
		}
	}
}

var traceKeys = []string{"owner", "app", "function"}

// traceAccounts returns the accounts a trace fleet maps onto (all checked).
func (v *validator) traceAccounts(f *Fleet, p string) []int {
	m := f.Trace.Mapping
	if len(m.Accounts) == 0 {
		if f.Account != "" {
			if ai, ok := v.acct[f.Account]; ok {
				return []int{ai}
			}
			return nil
		}
		if len(v.s.Accounts) == 1 {
			return []int{0}
		}
		v.report(p, "list them: accounts: [a, b]", "a trace fleet in a scenario with several accounts needs mapping.accounts")
		return nil
	}
	var out []int
	for k, a := range m.Accounts {
		ai, ok := v.accountOf(joinIndex(p, k), a)
		if ok {
			out = append(out, ai)
		}
	}
	return out
}

func (v *validator) trace(fi int, p string) {
	f := &v.s.Fleets[fi]
	t := f.Trace
	if !contains(traceFormats, t.Format) {
		v.report(joinField(p, "format"), suggest(t.Format, traceFormats), "format must be one of %s, got %q", strings.Join(traceFormats, ", "), t.Format)
		return
	}
	if t.Path == "" {
		v.report(joinField(p, "path"), "e.g. path: ../shared/traces/azure2019/1000_inv.csv", "a trace needs a path")
		return
	}
	m := &t.Mapping
	mp := joinField(p, "mapping")
	if m.AccountBy != "" && !contains(traceKeys, m.AccountBy) {
		v.report(joinField(mp, "accountBy"), suggest(m.AccountBy, traceKeys), "accountBy must be owner, app or function, got %q", m.AccountBy)
	}
	if m.CombinationBy != "" && !contains(traceKeys, m.CombinationBy) {
		v.report(joinField(mp, "combinationBy"), suggest(m.CombinationBy, traceKeys), "combinationBy must be owner, app or function, got %q", m.CombinationBy)
	}
	if len(m.Combinations) > 0 && f.VPCConfig != nil {
		v.report(joinField(mp, "combinations"), "keep one of them", "a trace fleet has either vpcConfig or mapping.combinations")
	}
	accts := v.traceAccounts(f, joinField(mp, "accounts"))
	for k := range m.Combinations {
		for _, ai := range accts {
			v.vpcConfig(ai, joinIndex(joinField(mp, "combinations"), k), &m.Combinations[k])
		}
	}
	path, err := resolveTracePath(t.Path, v.s.opts)
	if err != nil {
		v.report(joinField(p, "path"), "", "trace file %q: %v", t.Path, err)
		return
	}
	key := t.Format + "\x00" + path
	info, ok := v.s.traces[key]
	if !ok {
		info, err = loadTraceInfo(path, t.Format)
		if err != nil {
			v.report(joinField(p, "path"), "trace paths are relative to the scenario's directory or one of its parents", "%v", err)
			return
		}
		v.s.traces[key] = info
	}
	t.Digest = info.Digest
}
