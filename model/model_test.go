package model

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/enisim/enisim/model/dataplane"
	"github.com/enisim/enisim/sim"
)

var propSeed = flag.Uint64("seed", 0, "run TestRandomOperations with this seed only")

func TestNewRejectsInvalidConfigWithFieldPath(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(c *Config)
		field string
	}{
		{"unknown subnet of a deployed function", func(c *Config) {
			f := &c.Accounts[0].Functions[3]
			f.Deployed = true
			f.VPC.SubnetIds = []string{"a1", "zz"}
		}, "accounts[0].functions[3].vpcConfig.subnetIds[1]"},
		{"dedicated tenancy", func(c *Config) {
			f := &c.Accounts[0].Functions[2]
			f.Deployed = true
			f.VPC = VPCConfig{SubnetIds: []string{"d1"}, SecurityGroupIds: []string{"sg-d1"}}
		}, "accounts[0].functions[2].vpcConfig.subnetIds[0]"},
		{"subnet CIDR", func(c *Config) { c.Accounts[0].Subnets[2].CIDR = "10.0.3.0/29" }, "accounts[0].subnets[2].cidr"},
		{"unknown role", func(c *Config) { c.Accounts[0].Functions[1].Role = "nobody" }, "accounts[0].functions[1].role"},
		{"negative rate", func(c *Config) { c.Accounts[0].Functions[0].Workload.Rate = -1 }, "accounts[0].functions[0].workload.rate"},
		{"param", func(c *Config) { c.Params.IPsPerENI = 0 }, "params.ipsPerENI"},
		{"dist", func(c *Config) { c.Params.ENICreate = sim.Dist{Kind: sim.DistExp} }, "params.eniCreate"},
		{"timeline function", func(c *Config) {
			c.Timeline = []TimelineOp{{Kind: OpCreateFunction, Functions: []int{0, 99}}}
		}, "timeline[0].functions[1]"},
		{"timeline principal", func(c *Config) {
			c.Timeline = []TimelineOp{{Kind: OpCreateFunction, Functions: []int{0}, Principal: "eve"}}
		}, "timeline[0].principal"},
		{"storm account", func(c *Config) {
			c.Faults.EC2Storms = []Storm{{Window: Window{0, time.Minute}, Account: "999"}}
		}, "faults.ec2Storms[0].account"},
		{"duplicate account", func(c *Config) { c.Accounts = append(c.Accounts, c.Accounts[0]) }, "accounts[1].id"},
		{"describe bucket", func(c *Config) { c.Params.EC2Describe.Rate = 0 }, "params.ec2Describe.rate"},
		{"account assign bucket", func(c *Config) { c.Accounts[0].EC2AssignIP = TokenBucket{Burst: 3, Rate: -1} }, "accounts[0].ec2AssignIP.rate"},
		{"regional quota", func(c *Config) { c.Params.RegionENIQuota = 0 }, "params.regionENIQuota"},
		{"rebalance rate", func(c *Config) { c.Params.ENIRebalanceEvery = -time.Hour }, "params.eniRebalanceEvery"},
		{"health-check rate", func(c *Config) { c.Params.ENIHealthFailEvery = -time.Hour }, "params.eniHealthFailEvery"},
		{"deployed over the regional quota", func(c *Config) {
			c.Accounts[0].ENIQuota = 1
			c.Accounts[0].Functions[0].Deployed = true
		}, "accounts[0].eniQuota"},
		{"deployed over the VPC quota", func(c *Config) {
			c.Accounts[0].VPCs[0].ENIQuota = 1
			c.Accounts[0].Functions[0].Deployed = true
		}, "accounts[0].vpcs[0].eniQuota"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := stdConfig()
			tc.edit(c)
			_, err := New(c, 1, nil)
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("err = %v, want ErrInvalidConfig", err)
			}
			if !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("err = %v, want it to name %s", err, tc.field)
			}
		})
	}
	if _, err := New(stdConfig(), 1, nil); err != nil {
		t.Fatalf("the fixture itself is rejected: %v", err)
	}
}

// collect records every observation as a line, for comparisons.
func collect() *recorder { return &recorder{intervals: true} }

// startConfig builds cfg with seed and observer rec and starts it on a new queue.
func startConfig(t testing.TB, cfg *Config, seed sim.Seed, rec Observer) (*Model, *sim.Queue) {
	t.Helper()
	m, err := New(cfg, seed, rec)
	if err != nil {
		t.Fatal(err)
	}
	q := sim.NewQueue(1024)
	if err := m.Start(q); err != nil {
		t.Fatal(err)
	}
	return m, q
}

func runConfig(t testing.TB, cfg *Config, seed sim.Seed, until time.Duration, rec Observer) *Model {
	m, q := startConfig(t, cfg, seed, rec)
	st, err := sim.Run(q, m, sim.Bounds{Until: sim.Time(until)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m.Finish(st.End)
	return m
}

// busyRun is how long the busyConfig runs last.
const busyRun = 20 * time.Minute

// busyConfig is a workload over two accounts with deploys, switchovers and faults.
func busyConfig() *Config {
	c := stdConfig()
	c.SampleEvery = 5 * time.Minute
	a := &c.Accounts[0]
	for i := range a.Functions {
		f := &a.Functions[i]
		f.Workload = Workload{Rate: float64(i + 1), Service: sim.Exp(20 * time.Millisecond),
			Diurnal: Diurnal{Period: time.Hour, Amplitude: 0.5}}
		f.Targets = []dataplane.Target{{Name: "db", RTT: sim.Const(time.Millisecond), TLS: dataplane.TLS13,
			Operation: sim.Const(2 * time.Millisecond), Ops: 1}}
		if i < 4 {
			f.Deployed = true
		}
	}
	a.Functions[2].Workload.Quiet = []Window{{Start: 5 * time.Minute, End: 12 * time.Minute}}
	a.Functions[3].Workload.Bursts = []Burst{{Start: 16 * time.Minute, End: 17 * time.Minute, Multiplier: 20}}
	c.Timeline = []TimelineOp{
		{At: time.Minute, Kind: OpCreateFunction, Functions: []int{4, 5, 6, 7}, Stagger: time.Minute},
		{At: 15 * time.Minute, Kind: OpUpdateFunctionConfiguration, Functions: []int{0, 1},
			VPC: &VPCConfig{SubnetIds: []string{"b1", "b2"}, SecurityGroupIds: []string{"sg-b1"}}},
		{At: 10 * time.Minute, Kind: OpPublishVersion, Functions: []int{2}},
		{At: 18 * time.Minute, Kind: OpDeleteFunction, Functions: []int{3}},
	}
	b := stdConfig().Accounts[0]
	b.ID = "222222222222"
	for i := range b.Functions {
		b.Functions[i].Deployed = i < 3
		b.Functions[i].Workload = Workload{Rate: 5}
	}
	c.Accounts = append(c.Accounts, b)
	c.Timeline = append(c.Timeline, TimelineOp{At: 5 * time.Minute, Account: 1, Kind: OpCreateFunction, Functions: []int{3, 4}})
	c.Faults.SubnetIPsTaken = []IPGrab{{At: time.Minute, Account: "222222222222", Subnet: "a3", IPs: 4}}
	return c
}

func TestSameSeedSameObservations(t *testing.T) {
	r1, r2 := collect(), collect()
	runConfig(t, busyConfig(), 7, busyRun, r1)
	runConfig(t, busyConfig(), 7, busyRun, r2)
	if !slices.Equal(r1.all, r2.all) {
		t.Fatal("two runs with the same seed differ")
	}
	if len(r1.all) < 100 {
		t.Fatalf("only %d observations: the workload did not run", len(r1.all))
	}
	r3 := collect()
	runConfig(t, busyConfig(), 8, busyRun, r3)
	if slices.Equal(r1.all, r3.all) {
		t.Fatal("a different seed gave identical observations")
	}
}

// Partitions run separately must observe exactly what the whole configuration observes.
func TestPartitionsGiveIdenticalResults(t *testing.T) {
	whole := collect()
	runConfig(t, busyConfig(), 3, busyRun, whole)
	parts := busyConfig().Partitions()
	if len(parts) != 2 {
		t.Fatalf("%d partitions, want 2 (two unrelated accounts)", len(parts))
	}
	var joined []string
	for _, p := range parts {
		r := collect()
		runConfig(t, p, 3, busyRun, r)
		joined = append(joined, r.all...)
	}
	a, b := slices.Clone(whole.all), joined
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		t.Fatalf("partitioned run differs: %d vs %d observations", len(a), len(b))
	}
}

func TestPartitionsKeepPeeredAccountsTogether(t *testing.T) {
	c := busyConfig()
	c.Accounts[1].VPCs[1].PeeredWith = []string{"111111111111/vpc-a"}
	if n := len(c.Partitions()); n != 1 {
		t.Fatalf("%d partitions, want 1 (accounts linked by peering)", n)
	}
}

// Adding a function must not change the draws (hence the observations) of the others.
func TestAddingAFunctionLeavesOthersUnchanged(t *testing.T) {
	base := stdConfig()
	base.Accounts[0].Functions = base.Accounts[0].Functions[:3]
	for i := range base.Accounts[0].Functions {
		base.Accounts[0].Functions[i].Deployed = true
		base.Accounts[0].Functions[i].Workload = Workload{Rate: 3}
	}
	more := stdConfig()
	more.Accounts[0].Functions = append(slices.Clone(base.Accounts[0].Functions), Function{Name: "extra", Role: "exec",
		Workload: Workload{Rate: 50}})
	r1, r2 := collect(), collect()
	runConfig(t, base, 5, 30*time.Minute, r1)
	runConfig(t, more, 5, 30*time.Minute, r2)
	filter := func(lines []string) []string {
		var out []string
		for _, l := range lines {
			if strings.Contains(l, "interval f") {
				out = append(out, l)
			}
		}
		return out
	}
	if a, b := filter(r1.all), filter(r2.all); !slices.Equal(a, b) || len(a) == 0 {
		t.Fatalf("adding a function changed the others:\n%v\n%v", a, b)
	}
}

// sliceArrivals replays fixed invocations (as a trace reader adapter would).
type sliceArrivals struct {
	at  []sim.Time
	fn  []int32
	pos int
}

func (s *sliceArrivals) Next() (sim.Time, int32, time.Duration, bool) {
	if s.pos >= len(s.at) {
		return 0, 0, 0, false
	}
	s.pos++
	return s.at[s.pos-1], s.fn[s.pos-1], 5 * time.Millisecond, true
}

func TestWorkloadShapes(t *testing.T) {
	count := func(w Workload, until time.Duration) int {
		c := stdConfig()
		c.SampleEvery = until
		c.Accounts[0].Functions[0].Deployed = true
		c.Accounts[0].Functions[0].Workload = w
		m := runConfig(t, c, 11, until, nil)
		return int(m.Counters().Invocations)
	}
	// Poisson: 10/s over 1000 s → 10,000 ± 4σ (σ = 100).
	if n := count(Workload{Rate: 10}, 1000*time.Second); n < 9600 || n > 10400 {
		t.Errorf("Poisson 10/s over 1000 s gave %d", n)
	}
	// Quiet for half the time: about half.
	if n := count(Workload{Rate: 10, Quiet: []Window{{0, 500 * time.Second}}}, 1000*time.Second); n < 4700 || n > 5300 {
		t.Errorf("quiet half: %d", n)
	}
	// Burst ×5 for 100 s of 1000: 1.4× the base.
	if n := count(Workload{Rate: 10, Bursts: []Burst{{0, 100 * time.Second, 5}}}, 1000*time.Second); n < 13500 || n > 14500 {
		t.Errorf("burst: %d", n)
	}
	// Diurnal over whole periods keeps the mean rate.
	if n := count(Workload{Rate: 10, Diurnal: Diurnal{Period: 100 * time.Second, Amplitude: 1}}, 1000*time.Second); n < 9500 || n > 10500 {
		t.Errorf("diurnal: %d", n)
	}
	// External arrivals: replayed exactly; out-of-range functions are skipped and counted.
	c := stdConfig()
	c.Accounts[0].Functions[1].Deployed = true
	c.Accounts[0].Arrivals = &sliceArrivals{at: []sim.Time{1e9, 2e9, 2e9, 3e9}, fn: []int32{1, 1, 99, 1}}
	m := runConfig(t, c, 1, time.Minute, nil)
	if got := m.Counters(); got.Invocations != 3 || got.TraceSkipped != 1 {
		t.Errorf("trace replay: %+v", got)
	}
}

// TestRandomOperations applies random control-plane operations, invocations and time
// steps and checks every invariant after every event.
func TestRandomOperations(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	if *propSeed != 0 {
		seeds = []uint64{*propSeed}
	} else if testing.Short() {
		seeds = seeds[:2]
	}
	// The sequences must reach the interesting states, or the test proves nothing.
	seen := map[string]int{}
	want := []string{"-> Active", "-> Failed", "-> Inactive", "Restoring", "Lingering", "Deleted", "Reclaimed", "Rejected", "CreateFailed",
		"Rebalanced", "HealthCheckFailed", "ReplaceFailed"}
	probeHook = func(s string) {
		for _, k := range want {
			if strings.Contains(s, k) {
				seen[k]++
			}
		}
	}
	defer func() { probeHook = nil }()
	defer func() {
		if len(seeds) < 16 || t.Failed() {
			return
		}
		for _, k := range want {
			if seen[k] == 0 {
				t.Errorf("no random sequence produced %q", k)
			}
		}
	}()
	for _, seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panic: %v\nreproduce: go test ./model -run 'TestRandomOperations' -seed %d", r, seed)
				}
			}()
			if err := randomOperations(t, seed, 300); err != nil {
				t.Fatalf("%v\nreproduce: go test ./model -run 'TestRandomOperations' -seed %d", err, seed)
			}
		})
	}
}

func randomOperations(t *testing.T, seed uint64, steps int) error {
	rng := rand.New(rand.NewPCG(seed, 99))
	cfg := stdConfig()
	cfg.Params.IPsPerENI = 1 + rng.IntN(3)
	cfg.Params.ConnectionsPerENI = 1 + rng.IntN(12)
	cfg.Params.EC2Create = TokenBucket{Burst: 1 + rng.IntN(5), Rate: 0.5}
	cfg.Params.IdleReclaim = time.Duration(1+rng.IntN(4)) * time.Hour
	cfg.Legacy = rng.IntN(5) == 0
	cfg.Faults.ENICreateFailProb = rng.Float64() * 0.2
	cfg.Accounts[0].VPCs[0].ENIQuota = 3 + rng.IntN(6)
	for i := range cfg.Accounts[0].Functions {
		f := &cfg.Accounts[0].Functions[i]
		f.Deployed = rng.IntN(2) == 0 && f.Role == "exec"
		f.Targets = []dataplane.Target{{Name: "db", RTT: sim.Const(time.Millisecond), Operation: sim.Const(time.Millisecond), Ops: 1}}
		if rng.IntN(2) == 0 {
			f.ConnMode = dataplane.PerInvocation
		}
		// Long invocations, so operations often find some in flight; a rate low enough
		// that the invocations come from the test.
		f.Workload = Workload{Rate: 1e-9, Service: sim.Exp(time.Duration(1+rng.IntN(120)) * time.Second)}
	}
	cfg.Accounts[0].VPCs[0].ENIQuota = max(cfg.Accounts[0].VPCs[0].ENIQuota, 8)
	// ENI replacements (replace.go), the other EC2 buckets and the regional quota.
	every := []time.Duration{0, 30 * time.Minute, 2 * time.Hour}
	cfg.Params.ENIRebalanceEvery, cfg.Params.ENIHealthFailEvery = every[rng.IntN(3)], every[rng.IntN(3)]
	cfg.Params.EC2Describe = TokenBucket{Burst: 1 + rng.IntN(5), Rate: 0.5}
	cfg.Params.EC2AssignIP = TokenBucket{Burst: 1 + rng.IntN(5), Rate: 0.5}
	cfg.Params.RegionENIQuota = 6 + rng.IntN(10)
	h := &harness{t: t, cfg: cfg, rec: &recorder{}}
	m, err := New(cfg, sim.Seed(seed), h.rec)
	if err != nil {
		return err
	}
	h.m, h.q = m, sim.NewQueue(64)
	if err := m.Start(h.q); err != nil {
		return err
	}
	subnets := []string{"a1", "a2", "a3", "a4", "a5", "b1", "b2", "c1", "zz"}
	sgsets := [][]string{{"sg-a1"}, {"sg-a2"}, {"sg-a1", "sg-a2"}, {"sg-b1"}, {"sg-c1"}, {"nope"}}
	randVPC := func() *VPCConfig {
		if rng.IntN(6) == 0 {
			return &VPCConfig{}
		}
		n := 1 + rng.IntN(3)
		var ss []string
		for range n {
			s := subnets[rng.IntN(len(subnets))]
			if !slices.Contains(ss, s) {
				ss = append(ss, s)
			}
		}
		return &VPCConfig{SubnetIds: ss, SecurityGroupIds: sgsets[rng.IntN(len(sgsets))]}
	}
	for step := 0; step < steps; step++ {
		fi := int32(rng.IntN(len(cfg.Accounts[0].Functions)))
		top := &TimelineOp{Functions: []int{int(fi)}}
		switch k := rng.IntN(14); k {
		case 0, 1:
			top.Kind, top.VPC = OpCreateFunction, randVPC()
		case 2, 3:
			top.Kind, top.VPC = OpUpdateFunctionConfiguration, randVPC()
		case 4:
			top.Kind = OpUpdateFunctionCode
		case 5:
			top.Kind = OpPublishVersion
		case 6:
			top.Kind = OpDeleteFunction
		case 7:
			pol := []string{"vpc", "logs", "deny-source"}[rng.IntN(3)]
			top.Kind, top.Role, top.PolicyName = OpPutRolePolicy, "exec", "policy-0"
			if rng.IntN(2) == 0 {
				top.PolicyName = "extra"
			}
			top.Policy = mustPolicy(scriptPolicies[pol])
			fi = -1
		case 8:
			top.Kind, top.Role, top.PolicyName = OpDeleteRolePolicy, "exec", "policy-0"
			fi = -1
		case 9:
			top.Kind, top.Quota, top.Target, top.Value = OpSetQuota, QuotaVPCENIs, "vpc-a", 2+rng.IntN(10)
			if rng.IntN(3) == 0 {
				top.Quota, top.Target, top.Value = QuotaRegionENIs, "", 4+rng.IntN(12)
			}
			fi = -1
		default:
			for range 1 + rng.IntN(20) {
				m.invoke(fi, h.q.Now(), 0, h.q)
			}
			h.advance(time.Duration(rng.IntN(600)) * time.Second)
			continue
		}
		h.m.applyOp(top, fi, h.q)
		if err := m.CheckInvariants(); err != nil {
			return fmt.Errorf("step %d (%s): %w", step, top.Kind, err)
		}
		h.advance(time.Duration(rng.IntN(300)) * time.Second)
	}
	h.advance(48 * time.Hour)
	return m.CheckInvariants()
}

func TestRTTSpikesSlowInvocationsInTheirWindow(t *testing.T) {
	mk := func(spike bool) []time.Duration {
		c := stdConfig()
		c.SampleEvery = 10 * time.Minute
		f := &c.Accounts[0].Functions[0]
		f.Deployed = true
		f.ConnMode = dataplane.PerInvocation
		f.Targets = []dataplane.Target{{Name: "db", RTT: sim.Const(10 * time.Millisecond), Operation: sim.Const(time.Millisecond), Ops: 1}}
		f.Workload = Workload{Rate: 5, Service: sim.Const(time.Millisecond)}
		if spike {
			c.Faults.RTTSpikes = []RTTSpike{{Window: Window{10 * time.Minute, 20 * time.Minute}, Factor: 10}}
		}
		r := &latencyRecorder{}
		runConfig(t, c, 1, 30*time.Minute, r)
		return r.p50
	}
	base, spiked := mk(false), mk(true)
	if len(base) != 3 || len(spiked) != 3 {
		t.Fatalf("intervals: %v %v", base, spiked)
	}
	// Same draws otherwise (common random numbers): only the 10–20 min interval differs,
	// and its median latency is several times larger.
	if base[0] != spiked[0] || base[2] != spiked[2] || spiked[1] < 5*base[1] {
		t.Fatalf("p50 without spike %v, with spike %v", base, spiked)
	}
}

type latencyRecorder struct {
	nopObserver
	p50 []time.Duration
	inv []Invocation
}

func (r *latencyRecorder) Interval(x IntervalStats) { r.p50 = append(r.p50, x.LatencyP50) }
func (r *latencyRecorder) Invocation(x Invocation)  { r.inv = append(r.inv, x) }

func TestPerInvocationSamplingFraction(t *testing.T) {
	c := stdConfig()
	c.Accounts[0].Functions[0].Deployed = true
	c.Accounts[0].Functions[0].Workload = Workload{Rate: 100}
	c.PerInvocation = 0.1
	r := &latencyRecorder{}
	m := runConfig(t, c, 1, 100*time.Second, r)
	n := float64(m.Counters().Invocations)
	// Binomial(n≈10,000, 0.1): σ ≈ 30; allow 5σ.
	if got := float64(len(r.inv)); got < n*0.1-150 || got > n*0.1+150 {
		t.Fatalf("%v of %v invocations reported, want about 10 %%", got, n)
	}
	c.PerInvocation = 0
	r0 := &latencyRecorder{}
	runConfig(t, c, 1, 10*time.Second, r0)
	if len(r0.inv) != 0 {
		t.Fatalf("per-invocation output off but %d reported", len(r0.inv))
	}
}

func TestSummaryPeaksAndNATCost(t *testing.T) {
	c := stdConfig()
	f := &c.Accounts[0].Functions[0]
	f.Deployed = true
	f.VPC = VPCConfig{SubnetIds: []string{"a4"}, SecurityGroupIds: []string{"sg-a1"}}
	f.NeedsInternet = true
	f.Workload = Workload{Rate: 200, Service: sim.Const(100 * time.Millisecond), BytesPerInvocation: 1000}
	peakA4 := func(s Summary) int {
		for _, sp := range s.Subnets {
			if sp.Subnet == "a4" {
				return sp.PeakIPs
			}
		}
		return -1
	}
	const run = 5 * time.Minute
	hours := run.Hours()
	hp := runConfig(t, c, 1, run, nil).Summary(hours)
	c.Legacy = true
	m := runConfig(t, c, 1, run, nil)
	s := m.Summary(hours)
	// Hyperplane: one ENI (one IP) for the combination. Legacy: one per execution
	// environment; 200/s with a ~4 s ENI creation in each cold start needs hundreds, and
	// the /24 (251 usable) runs out.
	if got := peakA4(hp); got != 1 {
		t.Fatalf("Hyperplane peak IPs in a4 = %d, want 1", got)
	}
	if got := peakA4(s); got != 251 || s.Errors[ErrSubnetIPLimit] == 0 {
		t.Fatalf("legacy peak IPs in a4 = %d (errors %v), want the subnet full (251) and SubnetIPAddressLimitReached errors",
			got, s.Errors)
	}
	want := 0.045*hours + float64(s.NATBytes)/1e9*0.045
	if s.NATBytes < 50_000_000 || s.NATCostUSD != want {
		t.Fatalf("NAT bytes %d cost %v, want %v", s.NATBytes, s.NATCostUSD, want)
	}
}

func TestEnumNamesRoundTrip(t *testing.T) {
	for r := RoutePrivate; r <= RoutePublic; r++ {
		if got, err := ParseRoute(r.String()); err != nil || got != r {
			t.Errorf("route %v: %v %v", r, got, err)
		}
	}
	for x := TenancyDefault; x <= TenancyDedicated; x++ {
		if got, err := ParseTenancy(x.String()); err != nil || got != x {
			t.Errorf("tenancy %v: %v %v", x, got, err)
		}
	}
	for q := QuotaVPCENIs; q <= QuotaConcurrency; q++ {
		if got, err := ParseQuotaKind(q.String()); err != nil || got != q {
			t.Errorf("quota %v: %v %v", q, got, err)
		}
	}
	for k := OpKind(0); k < numOpKinds; k++ {
		if got, ok := ParseOpKind(k.String()); !ok || got != k {
			t.Errorf("op %v: %v", k, got)
		}
	}
	if _, err := ParseRoute("igw"); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("ParseRoute(igw) = %v", err)
	}
}

// A function created by the timeline gets its workload from CreateFunction on: calls
// while it is Pending fail with ResourceNotReadyException, none before; after
// DeleteFunction they stop.
func TestTimelineFunctionWorkloadFollowsItsLifecycle(t *testing.T) {
	c := stdConfig()
	c.Accounts[0].Functions[0].Workload = Workload{Rate: 10}
	c.Timeline = []TimelineOp{
		{At: time.Minute, Kind: OpCreateFunction, Functions: []int{0}},
		{At: 20 * time.Minute, Kind: OpDeleteFunction, Functions: []int{0}},
	}
	m := runConfig(t, c, 1, time.Hour, nil)
	got := m.Counters()
	if got.Errors[ErrResourceNotFound] != 0 {
		t.Errorf("%d ResourceNotFound: invocations before creation or after deletion", got.Errors[ErrResourceNotFound])
	}
	if got.Errors[ErrResourceNotReady] < 100 {
		t.Errorf("%d ResourceNotReady while Pending, want ~10/s during the ENI creation", got.Errors[ErrResourceNotReady])
	}
	// ~19 minutes at 10/s.
	if got.Invocations < 10000 || got.Invocations > 12500 {
		t.Errorf("%d invocation attempts, want about 11,400", got.Invocations)
	}
}

// A switchover completing while an invocation runs must not leave its connection counted
// on the old combination, whose ENIs are being deleted (invariant 6).
func TestSwitchoverWithInvocationInFlight(t *testing.T) {
	cfg := stdConfig()
	f := &cfg.Accounts[0].Functions[0]
	f.Deployed = true
	f.Targets = []dataplane.Target{{Name: "db", RTT: sim.Const(time.Millisecond), Operation: sim.Const(time.Millisecond), Ops: 1}}
	f.Workload = Workload{Rate: 1e-9, Service: sim.Const(time.Hour)}
	cfg.Params.Switchover = sim.Const(time.Minute)
	cfg.Params.ENICreate = sim.Const(30 * time.Second)
	h := &harness{t: t, cfg: cfg, rec: &recorder{}}
	for _, line := range []string{"start", "invoke f0", "update f0 subnets=b1 sgs=sg-b1", "advance 2m", "check", "advance 2h", "check"} {
		if err := h.exec(line); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
	for c := range h.m.combos {
		if h.m.combos[c].conns != 0 {
			t.Fatalf("combination %d still counts %d connections", c, h.m.combos[c].conns)
		}
	}
}
