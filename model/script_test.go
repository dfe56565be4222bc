package model

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/enisim/enisim/model/dataplane"
	"github.com/enisim/enisim/model/iam"
	"github.com/enisim/enisim/sim"
)

var update = flag.Bool("update", false, "rewrite the golden files of the interaction scripts")

// The interaction scripts (testdata/*.txt) drive the model command by command; the
// transcript (commands and the observations each produced) is compared with
// testdata/*.golden. Regenerate with: go test ./model -run TestScripts -update
// and review the diff.
//
// Commands before "start" shape the configuration (fixture std, see stdConfig):
//
//	param NAME=DIST|DURATION|INT   e.g. param eniCreate=const:90s
//	quota VPC N                    the VPC's ENI quota
//	deployed FN                    the function exists and is Active at the start
//	versions FN N                  ... with N published versions
//	legacy                         pre-2019 mode
//	failprob P | storm FROM TO | grab SUBNET AT N
//	conn FN keepalive|per-invocation PROBE TARGETS  (TARGETS connections, TCP+TLS1.2)
//	internet FN                    the function needs the internet
//	internet-targets FN N          its first N targets are internet destinations (via NAT)
//	nat-ips VPC N                  public IPs per NAT gateway of the VPC
//	qualifier FN V SHARE RATE      its workload (RATE/s) sends SHARE of invocations to version V
//	services FN s3,dynamodb        the function calls these services
//	start [SEED]
//
// After start:
//
//	create FN [subnets=..] [sgs=..] [by=P] [dual]   update FN [subnets=..] [sgs=..] [detach] [memory=N] [by=P]
//	code FN | publish FN | delete FN | invoke FN [n=N] [every=D] | invoke-version FN V [n=N] [every=D]
//	put-policy ROLE NAME vpc|deny-source|logs | delete-policy ROLE NAME | delete-role ROLE
//	set-quota VPC N | set-region-quota N | advance D | print | check
//	rebalance SUBNET | health-fail SUBNET   the combination (SUBNET, sg-a1)'s first ready ENI
//	                                        is rebalanced / fails its health check now
func TestScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txt")
		t.Run(name, func(t *testing.T) {
			got := runScript(t, file)
			golden := strings.TrimSuffix(file, ".txt") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("transcript differs from %s (go test ./model -run 'TestScripts/%s' -update, then review the diff):\n%s",
					golden, name, firstDiff(string(want), got))
			}
		})
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n want: %s\n  got: %s", i+1, w, g)
		}
	}
	return ""
}

// recorder is an Observer that prints observations as transcript lines.
type recorder struct {
	b         *strings.Builder
	intervals bool
	invs      []Invocation
	all       []string
}

func (r *recorder) line(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	r.all = append(r.all, s)
	if probeHook != nil {
		probeHook(s)
	}
	if r.b != nil {
		r.b.WriteString("  " + s + "\n")
	}
}

func (r *recorder) ENISample(x ENISample) {
	if r.intervals {
		r.line("%v sample eni %s %s [%s] enis=%d ready=%d deleting=%d lingering=%d conns=%d refs=%d vpc=%d/%d",
			x.At, x.VPC, x.Subnet, x.SGSet, x.ENIs, x.ENIsReady, x.ENIsDeleting, x.ENIsLingering, x.Connections, x.References, x.VPCENIs, x.VPCQuota)
	}
}
func (r *recorder) SubnetSample(x SubnetSample) {
	if r.intervals && x.IPsUsed > 0 {
		r.line("%v sample subnet %s ips=%d/%d other=%d legacy=%d", x.At, x.Subnet, x.IPsUsed, x.IPsUsable, x.IPsOther, x.IPsLegacy)
	}
}
func (r *recorder) StateChange(x StateChange) {
	if x.UpdateTo != "" {
		r.line("%v state %s %s LastUpdateStatus %s -> %s %s", x.At, x.Function, x.Version, x.UpdateFrom, x.UpdateTo, x.Reason)
		return
	}
	r.line("%v state %s %s %s -> %s %s", x.At, x.Function, x.Version, x.From, x.To, x.Reason)
}
func (r *recorder) Operation(x Operation) {
	if x.Function == "" {
		x.Function = x.Resource
	}
	r.line("%v op %s %s by=%s %s %s iam=%s/%s new=%d attachedOnly=%v vpc=%s->%s took=%v",
		x.End, x.Op, x.Function, x.Principal, x.Outcome, x.Error, x.IAMDecision, x.IAMStatement, x.NewENIs,
		x.AttachedOnly, x.FromVPC, x.ToVPC, x.End.Sub(x.Start))
}
func (r *recorder) ENIEvent(x ENIEvent) {
	r.line("%v eni %s %s/%s [%s] %s %s %v", x.At, x.ENI, x.VPC, x.Subnet, x.SGSet, x.Event, x.Reason, x.Duration.Round(time.Second))
}
func (r *recorder) Interval(x IntervalStats) {
	if !r.intervals {
		return
	}
	keys := make([]string, 0, len(x.Errors))
	for k := range x.Errors {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var errs []string
	for _, k := range keys {
		errs = append(errs, fmt.Sprintf("%s=%d", k, x.Errors[k]))
	}
	r.line("%v-%v interval %s vpc=%s inv=%d cold=%d failed=%d errors=%v reused=%d new=%d resets=%d peak=%d alive=%d nat=%d",
		x.Start, x.End, x.Function, x.VPC, x.Invocations, x.ColdStarts, x.Failed, errs, x.ConnReused, x.ConnNew, x.ConnResets,
		x.ConcurrentPeak, x.EnvironmentsAlive, x.NATBytes)
}
func (r *recorder) Invocation(x Invocation) { r.invs = append(r.invs, x) }

// harness runs a model on a queue with explicit time control.
type harness struct {
	t   testing.TB
	cfg *Config
	m   *Model
	q   *sim.Queue
	rec *recorder
}

const evHarnessTick = 1 << 20 // handled by the harness, never by the model

// Handle forwards model events and swallows the harness's clock ticks.
func (h *harness) Handle(ev sim.Event, s sim.Scheduler) {
	if ev.Kind == evHarnessTick {
		return
	}
	h.m.Handle(ev, s)
	if err := h.m.CheckInvariants(); err != nil {
		h.t.Fatalf("after event %+v at %v: %v", ev, s.Now(), err)
	}
}

// advance runs every event up to now+d and leaves the clock at now+d.
func (h *harness) advance(d time.Duration) {
	until := h.q.Now().Add(d)
	if _, err := h.q.Schedule(sim.Event{At: until, Kind: evHarnessTick}); err != nil {
		h.t.Fatal(err)
	}
	if _, err := sim.Run(h.q, h, sim.Bounds{Until: until}, nil); err != nil {
		h.t.Fatal(err)
	}
}

// stdConfig is the scripts' fixture: one account with the reference VPC shapes of facts §5.
func stdConfig() *Config {
	p := DefaultParams()
	vpcPol := iam.AWSLambdaVPCAccessExecutionRole()
	admin := iam.MustParse(`{"Version":"2012-10-17","Statement":[{"Sid":"AdminAll","Effect":"Allow","Action":"*","Resource":"*"}]}`)
	dev := iam.MustParse(`{"Version":"2012-10-17","Statement":[
	  {"Sid":"OnlyVpcA","Effect":"Allow","Action":["lambda:CreateFunction","lambda:UpdateFunctionConfiguration"],"Resource":"*",
	   "Condition":{"StringEquals":{"lambda:VpcIds":"vpc-a"}}},
	  {"Sid":"Describe","Effect":"Allow","Action":["ec2:DescribeSecurityGroups","ec2:DescribeSubnets","ec2:DescribeVpcs"],"Resource":"*"}]}`)
	nodesc := iam.MustParse(`{"Version":"2012-10-17","Statement":[{"Sid":"LambdaOnly","Effect":"Allow","Action":"lambda:*","Resource":"*"}]}`)
	fns := make([]Function, 8)
	for i := range fns {
		fns[i] = Function{Name: fmt.Sprintf("f%d", i), Role: "exec",
			VPC: VPCConfig{SubnetIds: []string{"a1", "a2"}, SecurityGroupIds: []string{"sg-a1"}}}
	}
	fns[7].Role = "bare"
	return &Config{
		Params:      p,
		SampleEvery: time.Hour,
		Accounts: []Account{{
			ID: "111111111111",
			VPCs: []VPC{
				{ID: "vpc-a", IPv4CIDR: "10.0.0.0/16", IPv6CIDR: "2600:1f18::/56", NATGateways: 1},
				{ID: "vpc-b", IPv4CIDR: "10.1.0.0/16"},
				{ID: "vpc-ded", Tenancy: TenancyDedicated, IPv4CIDR: "10.2.0.0/16", PeeredWith: []string{"vpc-c"}},
				{ID: "vpc-c", IPv4CIDR: "10.3.0.0/16", PeeredWith: []string{"vpc-ded"}},
			},
			Subnets: []Subnet{
				{ID: "a1", VPC: "vpc-a", AZ: "use1-az1", CIDR: "10.0.1.0/24", IPv6CIDR: "2600:1f18:0:1::/64", GatewayEndpoints: []string{"s3", "dynamodb"}},
				{ID: "a2", VPC: "vpc-a", AZ: "use1-az2", CIDR: "10.0.2.0/24", IPv6CIDR: "2600:1f18:0:2::/64", GatewayEndpoints: []string{"s3", "dynamodb"}},
				{ID: "a3", VPC: "vpc-a", AZ: "use1-az1", CIDR: "10.0.3.0/28", Route: RouteNAT},
				{ID: "a4", VPC: "vpc-a", AZ: "use1-az2", CIDR: "10.0.4.0/24", Route: RouteNAT},
				{ID: "a5", VPC: "vpc-a", AZ: "use1-az1", CIDR: "10.0.5.0/24", Route: RoutePublic},
				{ID: "b1", VPC: "vpc-b", AZ: "use1-az1", CIDR: "10.1.1.0/24"},
				{ID: "b2", VPC: "vpc-b", AZ: "use1-az2", CIDR: "10.1.2.0/24"},
				{ID: "d1", VPC: "vpc-ded", AZ: "use1-az1", CIDR: "10.2.1.0/24"},
				{ID: "c1", VPC: "vpc-c", AZ: "use1-az1", CIDR: "10.3.1.0/24"},
			},
			SecurityGroups: []SecurityGroup{{ID: "sg-a1", VPC: "vpc-a"}, {ID: "sg-a2", VPC: "vpc-a"},
				{ID: "sg-b1", VPC: "vpc-b"}, {ID: "sg-d1", VPC: "vpc-ded"}, {ID: "sg-c1", VPC: "vpc-c"}},
			Roles: []Role{{Name: "exec", Policies: []*iam.Policy{vpcPol}}, {Name: "bare"}},
			Principals: []Principal{{Name: "admin", Policies: []*iam.Policy{admin}},
				{Name: "dev", Policies: []*iam.Policy{dev}}, {Name: "nodesc", Policies: []*iam.Policy{nodesc}}},
			Functions: fns,
		}},
	}
}

var scriptPolicies = map[string]string{
	"vpc":  iam.AWSLambdaVPCAccessExecutionRoleDocument,
	"logs": `{"Version":"2012-10-17","Statement":[{"Sid":"Logs","Effect":"Allow","Action":"logs:*","Resource":"*"}]}`,
	"vpc-noassign": `{"Version":"2012-10-17","Statement":[{"Sid":"NoAssign","Effect":"Allow","Action":["ec2:CreateNetworkInterface",
	   "ec2:DescribeNetworkInterfaces","ec2:DescribeSubnets","ec2:DeleteNetworkInterface"],"Resource":"*"}]}`,
	"deny-source": `{"Version":"2012-10-17","Statement":[{"Sid":"DenyCodeEC2","Effect":"Deny","Action":"ec2:*","Resource":"*",
	   "Condition":{"ArnLike":{"lambda:SourceFunctionArn":"arn:aws:lambda:*:*:function:*"}}}]}`,
}

func parseDist(s string) (sim.Dist, error) {
	kind, args, _ := strings.Cut(s, ":")
	parts := strings.Split(args, ",")
	durs := make([]time.Duration, len(parts))
	for i, p := range parts {
		d, err := parseDur(p)
		if err != nil {
			return sim.Dist{}, err
		}
		durs[i] = d
	}
	switch kind {
	case "const":
		return sim.Const(durs[0]), nil
	case "exp":
		return sim.Exp(durs[0]), nil
	case "lognormal":
		if len(durs) != 2 {
			return sim.Dist{}, fmt.Errorf("lognormal:MEDIAN,P99")
		}
		return sim.LogNormalMedianP99(durs[0], durs[1]), nil
	}
	return sim.Dist{}, fmt.Errorf("unknown distribution %q", kind)
}

func (h *harness) fn(name string) int32 {
	for i := range h.cfg.Accounts[0].Functions {
		if h.cfg.Accounts[0].Functions[i].Name == name {
			return int32(i)
		}
	}
	h.t.Fatalf("no function %s", name)
	return -1
}

func runScript(t *testing.T, file string) string {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out strings.Builder
	h := &harness{t: t, cfg: stdConfig(), rec: &recorder{b: &out}}
	sc := bufio.NewScanner(f)
	ln := 0
	for sc.Scan() {
		ln++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			out.WriteString(sc.Text() + "\n")
			continue
		}
		out.WriteString("> " + line + "\n")
		if err := h.exec(line); err != nil {
			t.Fatalf("%s:%d: %s: %v", file, ln, line, err)
		}
	}
	if h.m != nil {
		h.m.Finish(h.q.Now())
	}
	return out.String()
}

func kv(args []string) (map[string]string, []string) {
	opts := map[string]string{}
	var pos []string
	for _, a := range args {
		if k, v, ok := strings.Cut(a, "="); ok {
			opts[k] = v
		} else {
			pos = append(pos, a)
		}
	}
	return opts, pos
}

func (h *harness) exec(line string) error {
	words := strings.Fields(line)
	cmd, args := words[0], words[1:]
	opts, pos := kv(args)
	acct := &h.cfg.Accounts[0]
	if h.m == nil && cmd != "start" {
		return h.configure(cmd, pos, opts)
	}
	switch cmd {
	case "start":
		seed := sim.Seed(1)
		if len(pos) > 0 {
			n, err := strconv.ParseUint(pos[0], 10, 64)
			if err != nil {
				return err
			}
			seed = sim.Seed(n)
		}
		m, err := New(h.cfg, seed, h.rec)
		if err != nil {
			return err
		}
		h.m, h.q = m, sim.NewQueue(64)
		if err := m.Start(h.q); err != nil {
			return err
		}
	case "create", "update", "code", "publish", "delete":
		fi := h.fn(pos[0])
		top := &TimelineOp{Functions: []int{int(fi)}, Principal: opts["by"]}
		top.Kind = map[string]OpKind{"create": OpCreateFunction, "update": OpUpdateFunctionConfiguration,
			"code": OpUpdateFunctionCode, "publish": OpPublishVersion, "delete": OpDeleteFunction}[cmd]
		_, hasS := opts["subnets"]
		_, hasG := opts["sgs"]
		detach := slices.Contains(pos, "detach")
		if hasS || hasG || detach || slices.Contains(pos, "dual") {
			c := acct.Functions[fi].VPC
			if cmd == "update" {
				c = VPCConfig{}
				if p := h.m.fmeta[fi].cfg; p != nil {
					c = *p
				}
			}
			c = cloneVPC(c)
			if hasS {
				c.SubnetIds = splitList(opts["subnets"])
			}
			if hasG {
				c.SecurityGroupIds = splitList(opts["sgs"])
			}
			if detach {
				c = VPCConfig{}
			}
			c.Ipv6AllowedForDualStack = slices.Contains(pos, "dual")
			top.VPC = &c
		}
		if v, ok := opts["memory"]; ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				return err
			}
			top.MemoryMB = n
		}
		h.m.applyOp(top, h.m.accts[0].fn0+fi, h.q)
	case "invoke", "invoke-version":
		fi := h.fn(pos[0])
		version := 0
		if cmd == "invoke-version" {
			version, _ = strconv.Atoi(pos[1])
		}
		n := 1
		if v, ok := opts["n"]; ok {
			n, _ = strconv.Atoi(v)
		}
		every := time.Duration(0)
		if v, ok := opts["every"]; ok {
			every, _ = parseDur(v)
		}
		before := h.m.counters
		for i := 0; i < n; i++ {
			if version > 0 {
				h.m.invokeVersion(h.m.accts[0].fn0+fi, version, h.q)
			} else {
				h.m.invoke(h.m.accts[0].fn0+fi, h.q.Now(), 0, h.q)
			}
			if every > 0 && i < n-1 {
				h.advance(every)
			}
		}
		after := h.m.counters
		var errs []string
		for c := range after.Errors {
			if d := after.Errors[c] - before.Errors[c]; d > 0 {
				errs = append(errs, fmt.Sprintf("%s=%d", ErrCode(c), d))
			}
		}
		name, vpc := pos[0], h.m.fns[h.m.accts[0].fn0+fi].cur.vpc
		if vs := h.m.fmeta[h.m.accts[0].fn0+fi].versions; version > 0 {
			name += ":" + pos[1]
			if version <= len(vs) {
				vpc = vs[version-1].net.vpc
			}
		}
		h.rec.line("%v invoked %s x%d on %s: cold=%d throttled=%d errors=%v", h.q.Now(), name, n,
			vpcOrNone(h.m.vpcName(vpc)),
			after.ColdStarts-before.ColdStarts, after.Throttled-before.Throttled, errs)
		if d := after.NATConnFails - before.NATConnFails; d > 0 {
			h.rec.line("  nat connection failures=%d", d)
		}
		if d := after.ENIConnRateFails - before.ENIConnRateFails; d > 0 {
			h.rec.line("  eni connection-rate failures=%d", d)
		}
	case "put-policy", "delete-policy", "delete-role":
		top := &TimelineOp{Role: pos[0]}
		switch cmd {
		case "put-policy":
			top.Kind, top.PolicyName = OpPutRolePolicy, pos[1]
			pol, err := iam.Parse([]byte(scriptPolicies[pos[2]]))
			if err != nil {
				return err
			}
			top.Policy = pol
		case "delete-policy":
			top.Kind, top.PolicyName = OpDeleteRolePolicy, pos[1]
		default:
			top.Kind = OpDeleteRole
		}
		h.m.applyOp(top, -1, h.q)
	case "set-quota":
		n, _ := strconv.Atoi(pos[1])
		h.m.applyOp(&TimelineOp{Kind: OpSetQuota, Quota: QuotaVPCENIs, Target: pos[0], Value: n}, -1, h.q)
	case "set-region-quota":
		n, _ := strconv.Atoi(pos[0])
		h.m.applyOp(&TimelineOp{Kind: OpSetQuota, Quota: QuotaRegionENIs, Value: n}, -1, h.q)
	case "rebalance", "health-fail":
		e, err := h.readyENI(pos[0])
		if err != nil {
			return err
		}
		arg := uint64(h.m.enis[e].gen)
		if cmd == "health-fail" {
			arg |= replaceHealth
		}
		h.m.onENIReplace(sim.Event{At: h.q.Now(), Kind: evENIReplace, Obj: uint32(e), Arg: arg}, h.q)
	case "set-concurrency":
		n, _ := strconv.Atoi(pos[0])
		h.m.applyOp(&TimelineOp{Kind: OpSetQuota, Quota: QuotaConcurrency, Value: n}, -1, h.q)
	case "advance":
		d, err := parseDur(pos[0])
		if err != nil {
			return err
		}
		h.advance(d)
	case "samples":
		h.rec.intervals = pos[0] == "on"
	case "print":
		h.print()
	case "check":
		if err := h.m.CheckInvariants(); err != nil {
			return err
		}
		h.rec.line("invariants hold")
	case "code-may":
		// Would the function's own code be allowed this EC2 action with its role?
		fi := h.m.accts[0].fn0 + h.fn(pos[0])
		d := h.m.CodeMay(fi, pos[1])
		h.rec.line("code of %s may %s: %s", pos[0], pos[1], d)
	default:
		return fmt.Errorf("unknown command %q", cmd)
	}
	return nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func (h *harness) configure(cmd string, pos []string, opts map[string]string) error {
	acct := &h.cfg.Accounts[0]
	switch cmd {
	case "param":
		for k, v := range opts {
			if err := setParam(&h.cfg.Params, k, v); err != nil {
				return err
			}
		}
	case "quota":
		n, _ := strconv.Atoi(pos[1])
		for i := range acct.VPCs {
			if acct.VPCs[i].ID == pos[0] {
				acct.VPCs[i].ENIQuota = n
			}
		}
	case "deployed":
		acct.Functions[h.fn(pos[0])].Deployed = true
	case "versions":
		n, _ := strconv.Atoi(pos[1])
		acct.Functions[h.fn(pos[0])].Versions = n
	case "legacy":
		h.cfg.Legacy = true
	case "failprob":
		p, _ := strconv.ParseFloat(pos[0], 64)
		h.cfg.Faults.ENICreateFailProb = p
	case "storm":
		a, _ := parseDur(pos[0])
		b, _ := parseDur(pos[1])
		h.cfg.Faults.EC2Storms = append(h.cfg.Faults.EC2Storms, Storm{Window: Window{a, b}})
	case "grab":
		at, _ := parseDur(pos[1])
		n, _ := strconv.Atoi(pos[2])
		h.cfg.Faults.SubnetIPsTaken = append(h.cfg.Faults.SubnetIPsTaken, IPGrab{At: at, Account: acct.ID, Subnet: pos[0], IPs: n})
	case "conn":
		f := &acct.Functions[h.fn(pos[0])]
		mode, err := dataplane.ParseConnMode(pos[1])
		if err != nil {
			return err
		}
		probe, _ := parseDur(pos[2])
		n, _ := strconv.Atoi(pos[3])
		f.ConnMode, f.ProbeInterval = mode, probe
		f.Targets = nil
		for k := 0; k < n; k++ {
			f.Targets = append(f.Targets, dataplane.Target{Name: fmt.Sprintf("db%d", k),
				RTT: sim.Const(500 * time.Microsecond), TLS: dataplane.TLS12, Operation: sim.Const(3 * time.Millisecond), Ops: 1})
		}
	case "internet":
		acct.Functions[h.fn(pos[0])].NeedsInternet = true
		acct.Functions[h.fn(pos[0])].Workload.BytesPerInvocation = 1 << 20
	case "services":
		acct.Functions[h.fn(pos[0])].Services = splitList(pos[1])
	case "internet-targets":
		f := &acct.Functions[h.fn(pos[0])]
		n, _ := strconv.Atoi(pos[1])
		f.NeedsInternet = true
		f.InternetTargets = nil
		for k := 0; k < n; k++ {
			f.InternetTargets = append(f.InternetTargets, k)
		}
	case "nat-ips":
		n, _ := strconv.Atoi(pos[1])
		for i := range acct.VPCs {
			if acct.VPCs[i].ID == pos[0] {
				acct.VPCs[i].NATGatewayIPs = n
			}
		}
	case "qualifier":
		f := &acct.Functions[h.fn(pos[0])]
		v, _ := strconv.Atoi(pos[1])
		share, _ := strconv.ParseFloat(pos[2], 64)
		rate, _ := strconv.ParseFloat(pos[3], 64)
		f.Workload.Rate = rate
		f.Workload.Qualifiers = append(f.Workload.Qualifiers, Qualifier{Version: v, Share: share})
	case "vpc":
		f := &acct.Functions[h.fn(pos[0])]
		f.VPC = VPCConfig{SubnetIds: splitList(opts["subnets"]), SecurityGroupIds: splitList(opts["sgs"])}
	default:
		return fmt.Errorf("unknown configuration command %q (or missing start)", cmd)
	}
	return nil
}

func setParam(p *Params, k, v string) error {
	dists := map[string]*sim.Dist{"eniCreate": &p.ENICreate, "eniAttach": &p.ENIAttach, "switchover": &p.Switchover,
		"eniDelete": &p.ENIDelete, "restore": &p.Restore, "codeUpdate": &p.CodeUpdate, "coldStart": &p.ColdStart,
		"backoff": &p.EC2RetryBackoff, "legacyENICreate": &p.LegacyENICreate}
	if d, ok := dists[k]; ok {
		x, err := parseDist(v)
		*d = x
		return err
	}
	durs := map[string]*time.Duration{"idleReclaim": &p.IdleReclaim, "envIdleExpiry": &p.EnvIdleExpiry,
		"rebalanceEvery": &p.ENIRebalanceEvery, "healthFailEvery": &p.ENIHealthFailEvery}
	if d, ok := durs[k]; ok {
		x, err := parseDur(v)
		*d = x
		return err
	}
	ints := map[string]*int{"ipsPerENI": &p.IPsPerENI, "connsPerENI": &p.ConnectionsPerENI, "maxRetries": &p.EC2MaxRetries,
		"createBurst": &p.EC2Create.Burst, "scaleStep": &p.ScalingStep, "deleteBurst": &p.EC2Delete.Burst, "concurrency": &p.AccountConcurrency,
		"describeBurst": &p.EC2Describe.Burst, "assignBurst": &p.EC2AssignIP.Burst, "regionENIQuota": &p.RegionENIQuota,
		"natConnsPerIP": &p.NATConnectionsPerIP}
	if d, ok := ints[k]; ok {
		x, err := strconv.Atoi(v)
		*d = x
		return err
	}
	floats := map[string]*float64{"createRate": &p.EC2Create.Rate, "describeRate": &p.EC2Describe.Rate, "assignRate": &p.EC2AssignIP.Rate,
		"natNewConnRate": &p.NATNewConnectionRate, "eniNewConnRate": &p.ENINewConnectionRate}
	if d, ok := floats[k]; ok {
		x, err := strconv.ParseFloat(v, 64)
		*d = x
		return err
	}
	return fmt.Errorf("unknown param %q", k)
}

// print shows the model's state: functions, combinations with their ENIs, subnets, VPCs.
func (h *harness) print() {
	m := h.m
	for fi := range m.fns {
		f := &m.fns[fi]
		if f.state == StateAbsent && f.op == nil {
			continue
		}
		meta := &m.fmeta[fi]
		var vs []string
		for _, v := range meta.versions {
			vs = append(vs, fmt.Sprintf("v%d:%s", v.n, v.state))
		}
		h.rec.line("function %s %s(%s) update=%s(%s) vpc=%s subnets=%v sgs=%v versions=%v",
			meta.name, f.state, f.reason, f.upd, f.updReason, m.vpcName(f.cur.vpc), cfgOf(meta).SubnetIds, cfgOf(meta).SecurityGroupIds, vs)
	}
	for c := range m.combos {
		cb := &m.combos[c]
		var es []string
		for e := range m.enis {
			if en := &m.enis[e]; en.state != eniGone && en.combo == int32(c) {
				es = append(es, fmt.Sprintf("%s:%s", m.eniName(int32(e)), en.state))
			}
		}
		if cb.refs == 0 && len(es) == 0 {
			continue
		}
		h.rec.line("combination %s [%s] refs=%d ready=%d creating=%d conns=%d enis=%v",
			m.subnets[cb.subnet].id, cb.sgs, cb.refs, cb.ready, cb.creating, cb.conns, es)
	}
	for i := range m.subnets {
		sn := &m.subnets[i]
		if m.ipsUsed(sn) > 0 {
			h.rec.line("subnet %s ips=%d/%d", sn.id, m.ipsUsed(sn), sn.usable)
		}
	}
	for i := range m.vpcs {
		v := &m.vpcs[i]
		if v.enis > 0 {
			h.rec.line("vpc %s enis=%d/%d", v.id, v.enis, v.quota)
		}
	}
	// The regional quota only where a script changed it (the other transcripts stay as they were).
	for i := range m.accts {
		if a := &m.accts[i]; a.eniQuota != int32(DefaultParams().RegionENIQuota) {
			h.rec.line("account %s region enis=%d/%d", a.id, a.enis, a.eniQuota)
		}
	}
}

// readyENI is the first ready ENI (in combination order) of the combination (subnet, sg-a1).
func (h *harness) readyENI(subnet string) (int32, error) {
	for c := range h.m.combos {
		cb := &h.m.combos[c]
		if h.m.subnets[cb.subnet].id != subnet || cb.sgs != "sg-a1" {
			continue
		}
		for _, e := range cb.enis {
			if h.m.enis[e].state == eniReady {
				return e, nil
			}
		}
	}
	return -1, fmt.Errorf("no ready ENI in combination %s [sg-a1]", subnet)
}

// parseDur is time.ParseDuration plus a "d" (24 h) suffix.
func parseDur(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		v, err := strconv.Atoi(n)
		return time.Duration(v) * 24 * time.Hour, err
	}
	return time.ParseDuration(s)
}

func vpcOrNone(v string) string {
	if v == "" {
		return "(no VPC)"
	}
	return v
}

func mustPolicy(doc string) *iam.Policy { return iam.MustParse(doc) }

var probeHook func(string)

func cfgOf(meta *functionMeta) VPCConfig {
	if meta.cfg == nil {
		return VPCConfig{}
	}
	return *meta.cfg
}
