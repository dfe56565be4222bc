// Package orgmonth is issue 6's "one machine, a whole organisation" benchmark: many accounts
// of many functions with heavy-tailed invocation rates (a lognormal spread like the Azure
// 2019 trace's) and a fraction of functions quiet for weeks, simulated for a month at the
// aggregate fidelity level (docs/design/fidelity.md), partitions run in parallel. It also
// holds the validation of the aggregate level against the exact one (validate_test.go).
package orgmonth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/model/dataplane"
	"github.com/enisim/enisim/model/iam"
	"github.com/enisim/enisim/sim"
)

// Spec describes a generated organisation. Every draw comes from a stream keyed by the
// account and function index, so an account's functions do not depend on how many other
// accounts there are.
type Spec struct {
	Accounts  int
	Functions int // per account
	Days      int
	// RateMedian (invocations/s) and RateSigma: each function's mean rate is lognormal
	// with this median and log-space standard deviation, capped at RateMax.
	RateMedian float64
	RateSigma  float64
	RateMax    float64
	// QuietFraction of the functions have one quiet window of QuietMin..QuietMax days.
	QuietFraction      float64
	QuietMin, QuietMax time.Duration
	// QuietOwnSG is the fraction of quiet functions with a security group of their own:
	// their combination is reclaimed after 14 idle days and re-created (new ENIs) when
	// they are invoked again.
	QuietOwnSG float64
	// TargetFraction of the functions keep one kept-alive connection per environment.
	TargetFraction float64
	// ConnectionsPerENI overrides Params.ConnectionsPerENI when positive (validation
	// scenarios lower it so that connections, not only configurations, drive ENI counts).
	ConnectionsPerENI int
	// Service is every function's service time.
	Service     sim.Dist
	SampleEvery time.Duration
	Fidelity    model.Fidelity
	// Seed keys the scenario's generation (not the run's seed).
	Seed uint64
}

// OrgMonth is the benchmark: 1,000 accounts × 1,000 functions, 30 days, rates with
// median one invocation per 30 minutes and σ = 3 (mean ≈ 0.05/s per function, ~130 billion
// invocations in all; the busiest functions reach hundreds per second), 20 % of the
// functions quiet for 15 to 25 days, hourly aggregate steps.
func OrgMonth() Spec {
	return Spec{Accounts: 1000, Functions: 1000, Days: 30, RateMedian: 1.0 / 1800, RateSigma: 3,
		RateMax: 2000, QuietFraction: 0.2, QuietMin: 15 * 24 * time.Hour, QuietMax: 25 * 24 * time.Hour, QuietOwnSG: 0.25,
		TargetFraction: 0.3, Service: sim.LogNormalMedianP99(100*time.Millisecond, time.Second),
		SampleEvery: time.Hour, Fidelity: model.FidelityAggregate, Seed: 6}
}

// Horizon is the simulated span.
func (s Spec) Horizon() time.Duration { return time.Duration(s.Days) * 24 * time.Hour }

// configs are the (subnets, security groups) combinations an account's functions choose
// from: four VPC configurations over three subnets and three security groups, i.e. eight
// (subnet, SG set) combinations.
var configs = []model.VPCConfig{
	{SubnetIds: []string{"s0", "s1"}, SecurityGroupIds: []string{"sg-0"}},
	{SubnetIds: []string{"s1", "s2"}, SecurityGroupIds: []string{"sg-1"}},
	{SubnetIds: []string{"s0", "s2"}, SecurityGroupIds: []string{"sg-2"}},
	{SubnetIds: []string{"s2"}, SecurityGroupIds: []string{"sg-0", "sg-1"}},
}

// ownSGPrefix names the security groups of quiet functions that have one of their own.
const ownSGPrefix = "sg-q-"

var dbTarget = []dataplane.Target{{Name: "db", RTT: sim.Const(time.Millisecond), TLS: dataplane.TLS13,
	Operation: sim.Const(2 * time.Millisecond), Ops: 1}}

// Build generates the organisation's model configuration.
func Build(s Spec) *model.Config {
	p := model.DefaultParams()
	if s.ConnectionsPerENI > 0 {
		p.ConnectionsPerENI = s.ConnectionsPerENI
	}
	cfg := &model.Config{Params: p, SampleEvery: s.SampleEvery, Accounts: make([]model.Account, s.Accounts)}
	vpcPol := iam.AWSLambdaVPCAccessExecutionRole()
	for a := range cfg.Accounts {
		acct := &cfg.Accounts[a]
		*acct = model.Account{
			ID:          fmt.Sprintf("%012d", 100000000000+a),
			Concurrency: 1_000_000, // the organisation raised its quotas: throttling is not the question here
			VPCs:        []model.VPC{{ID: "vpc-0", IPv4CIDR: "10.0.0.0/16"}},
			Subnets: []model.Subnet{
				{ID: "s0", VPC: "vpc-0", AZ: "use1-az1", CIDR: "10.0.0.0/22"},
				{ID: "s1", VPC: "vpc-0", AZ: "use1-az2", CIDR: "10.0.4.0/22"},
				{ID: "s2", VPC: "vpc-0", AZ: "use1-az3", CIDR: "10.0.8.0/22"},
			},
			SecurityGroups: []model.SecurityGroup{{ID: "sg-0", VPC: "vpc-0"}, {ID: "sg-1", VPC: "vpc-0"}, {ID: "sg-2", VPC: "vpc-0"}},
			Roles:          []model.Role{{Name: "exec", Policies: []*iam.Policy{vpcPol}}},
			Functions:      make([]model.Function, s.Functions),
		}
		for i := range acct.Functions {
			f := s.function(a, i)
			if sg := f.VPC.SecurityGroupIds[0]; strings.HasPrefix(sg, ownSGPrefix) {
				acct.SecurityGroups = append(acct.SecurityGroups, model.SecurityGroup{ID: sg, VPC: "vpc-0"})
			}
			acct.Functions[i] = f
		}
	}
	return cfg
}

// function draws function i of account a.
func (s Spec) function(a, i int) model.Function {
	r := rand.New(rand.NewPCG(s.Seed, uint64(a)<<32|uint64(i)))
	rate := math.Min(s.RateMedian*math.Exp(s.RateSigma*r.NormFloat64()), s.RateMax)
	f := model.Function{
		Name: fmt.Sprintf("f%04d", i), Role: "exec", Deployed: true, MemoryMB: 1024,
		VPC:      configs[r.IntN(len(configs))],
		Fidelity: s.Fidelity,
		Workload: model.Workload{Rate: rate, Service: s.Service},
	}
	if r.Float64() < 0.5 {
		// Business-hours functions: a daily cycle with a random phase.
		f.Workload.Diurnal = model.Diurnal{Period: 24 * time.Hour, Amplitude: 0.6,
			Phase: time.Duration(r.Int64N(int64(24 * time.Hour)))}
	}
	if r.Float64() < s.TargetFraction {
		f.Targets = dbTarget
	}
	if r.Float64() < s.QuietFraction {
		d := s.QuietMin + time.Duration(r.Float64()*float64(s.QuietMax-s.QuietMin))
		room := max(s.Horizon()-d, 0)
		start := time.Duration(r.Float64() * float64(room))
		f.Workload.Quiet = []model.Window{{Start: start, End: start + d}}
		if r.Float64() < s.QuietOwnSG {
			f.VPC = model.VPCConfig{SubnetIds: []string{"s0"}, SecurityGroupIds: []string{ownSGPrefix + f.Name}}
		}
	}
	return f
}
