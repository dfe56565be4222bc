package model

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/enisim/enisim/model/dataplane"
	"github.com/enisim/enisim/sim"
)

// TestQualifierSharesSendInvocationsToVersions: a workload's qualifier shares send that
// fraction of its invocations to the published version (a seeded draw: same seed, same
// split), and those invocations keep the version Active past IdleReclaim.
func TestQualifierSharesSendInvocationsToVersions(t *testing.T) {
	run := func() Counters {
		c := stdConfig()
		c.Params.IdleReclaim = time.Hour
		f := &c.Accounts[0].Functions[0]
		f.Deployed, f.Versions = true, 2
		f.Workload = Workload{Rate: 20, Qualifiers: []Qualifier{{Version: 1, Share: 0.25}, {Version: 2, Share: 0.05}}}
		m, err := New(c, 7, nil)
		if err != nil {
			t.Fatal(err)
		}
		q := sim.NewQueue(64)
		if err := m.Start(q); err != nil {
			t.Fatal(err)
		}
		if _, err := sim.Run(q, m, sim.Bounds{Until: sim.Time(3 * time.Hour)}, nil); err != nil {
			t.Fatal(err)
		}
		for _, v := range m.fmeta[0].versions {
			if v.state != StateActive {
				t.Errorf("version %d is %s after 3 h of invocations (IdleReclaim 1 h)", v.n, v.state)
			}
		}
		return m.Counters()
	}
	c := run()
	frac := float64(c.VersionInvocations) / float64(c.Invocations)
	// 216,000 invocations: the binomial standard deviation of the fraction is ~0.001.
	if math.Abs(frac-0.30) > 0.01 {
		t.Errorf("%d of %d invocations went to versions (%.3f), want 0.30", c.VersionInvocations, c.Invocations, frac)
	}
	if c2 := run(); c2 != c {
		t.Errorf("same seed, different counters:\n%+v\n%+v", c, c2)
	}
}

func TestQualifierValidation(t *testing.T) {
	for _, tc := range []struct {
		q    []Qualifier
		rate float64
		agg  bool
		want string
	}{
		{[]Qualifier{{Version: 0, Share: 0.5}}, 1, false, "qualifiers[0].version"},
		{[]Qualifier{{Version: 1, Share: 0}}, 1, false, "qualifiers[0].share"},
		{[]Qualifier{{Version: 1, Share: 0.6}, {Version: 2, Share: 0.6}}, 1, false, "qualifiers[1].share"},
		{[]Qualifier{{Version: 1, Share: 0.5}, {Version: 1, Share: 0.1}}, 1, false, "qualifiers[1].version"},
		{[]Qualifier{{Version: 1, Share: 0.5}}, 0, false, "qualifiers"},
		{[]Qualifier{{Version: 1, Share: 0.5}}, 1, true, "qualifiers"},
	} {
		c := stdConfig()
		f := &c.Accounts[0].Functions[0]
		f.Deployed, f.Versions = true, 1
		f.Workload = Workload{Rate: tc.rate, Qualifiers: tc.q}
		if tc.agg {
			f.Fidelity = FidelityAggregate
		}
		_, err := New(c, 1, nil)
		if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "functions[0].workload."+tc.want) {
			t.Errorf("%+v: error %v, want one naming %s", tc.q, err, tc.want)
		}
	}
}

// TestRandomVersionOperations drives publications, VPC switches, deletions and $LATEST
// and version invocations in random order over weeks, checking the invariants (versions'
// included) after every event, and that the interesting version states are reached.
func TestRandomVersionOperations(t *testing.T) {
	seen := map[string]int{}
	probeHook = func(s string) {
		for _, k := range []string{" 1 Active -> Inactive", " 1 Inactive -> Pending", " 1 Pending -> Active", " 1 Pending -> Inactive", " 1 Active -> Inactive EniLimitExceeded"} {
			if strings.Contains(s, k) {
				seen[k]++
			}
		}
	}
	defer func() { probeHook = nil }()
	var refused, versionRuns int64
	for seed := uint64(1); seed <= 12; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		cfg := stdConfig()
		cfg.Params.IdleReclaim = 2 * 24 * time.Hour
		cfg.Params.ENIAttach = sim.Const(2 * time.Second)
		cfg.Faults.ENICreateFailProb = 0.2
		// Failed health checks, with a quota tight enough that some replacements fail and
		// lose their combination (replace.go's comboLost, versionsLost).
		cfg.Params.ENIHealthFailEvery = 3 * 24 * time.Hour
		cfg.Params.ENIRebalanceEvery = 4 * 24 * time.Hour
		cfg.Accounts[0].VPCs[0].ENIQuota = 3
		cfg.Accounts[0].VPCs[1].ENIQuota = 1
		h := &harness{t: t, cfg: cfg, rec: &recorder{}}
		// Connections (kept alive or per invocation, some to the internet through vpc-a's
		// NAT gateway) and tight connection rates, so that the versions' own environments
		// hold connections while they are retired, lost and deleted (invariant 6).
		cfg.Params.NATNewConnectionRate = 2
		cfg.Params.ENINewConnectionRate = 3
		cfg.Params.EnvIdleExpiry = 12 * time.Hour
		for i, fn := range []string{"f0", "f1", "f2"} {
			f := &cfg.Accounts[0].Functions[h.fn(fn)]
			f.Deployed, f.Versions = true, 1
			f.Targets = []dataplane.Target{{Name: "api", RTT: sim.Const(time.Millisecond), Operation: sim.Const(time.Millisecond), Ops: 1},
				{Name: "db", RTT: sim.Const(time.Millisecond), Operation: sim.Const(time.Millisecond), Ops: 1}}
			f.InternetTargets, f.NeedsInternet = []int{0}, true
			if i == 2 {
				f.ConnMode = dataplane.PerInvocation
			}
		}
		if err := h.exec("start " + string(rune('0'+seed%10))); err != nil {
			t.Fatal(err)
		}
		cmds := []string{"invoke f0", "invoke f1", "invoke-version f0 1", "invoke-version f1 2", "invoke-version f2 1",
			"invoke-version f0 1", "invoke-version f1 1", "advance 10m", "advance 1s",
			"publish f0", "publish f1", "update f0 subnets=b1 sgs=sg-b1", "update f1 subnets=a4 sgs=sg-a2",
			"update f0 subnets=a1,a2 sgs=sg-a1", "delete f2", "create f2", "advance 1d", "advance 3d", "advance 2m"}
		for range 200 {
			if err := h.exec(cmds[rng.IntN(len(cmds))]); err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
		}
		if err := h.m.CheckInvariants(); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		c := h.m.Counters()
		refused += c.NATConnFails + c.ENIConnRateFails
		versionRuns += int64(len(h.m.vrts))
	}
	if refused == 0 || versionRuns == 0 {
		t.Errorf("%d connections refused, %d version data planes: the sequences should exercise both", refused, versionRuns)
	}
	for _, k := range []string{" 1 Active -> Inactive", " 1 Inactive -> Pending", " 1 Pending -> Active", " 1 Pending -> Inactive", " 1 Active -> Inactive EniLimitExceeded"} {
		if seen[k] == 0 {
			t.Errorf("no sequence produced a version %q", k)
		}
	}
}

// TestSteadyStateWithNetLimitsAndVersionsAllocatesNothing: the NAT gateway and ENI
// connection limits and the qualifier draws add no allocation per invocation.
func TestSteadyStateWithNetLimitsAndVersionsAllocatesNothing(t *testing.T) {
	if invariantChecks {
		t.Skip("built with enisim_invariants: CheckInvariants runs (and allocates) after every event")
	}
	c := steadyConfig(10, 50)
	c.Params.ENINewConnectionRate = 1e6
	for i := range c.Accounts[0].Functions {
		f := &c.Accounts[0].Functions[i]
		f.VPC = VPCConfig{SubnetIds: []string{"a4"}, SecurityGroupIds: []string{"sg-a1"}}
		f.Targets = append(f.Targets, dataplane.Target{Name: "api", RTT: sim.Const(20 * time.Millisecond), Operation: sim.Const(time.Millisecond), Ops: 1})
		f.InternetTargets, f.NeedsInternet = []int{1}, true
		f.Versions = 1
		f.Workload.Qualifiers = []Qualifier{{Version: 1, Share: 0.2}}
		if i%2 == 1 {
			f.ConnMode = dataplane.PerInvocation
		}
	}
	before, after, allocs := allocsAfterWarmUp(t, c, 2*time.Minute, 20000)
	if n := after.Invocations - before.Invocations; n < 5000 || after.VersionInvocations == before.VersionInvocations {
		t.Fatalf("only %d invocations (%d of versions) in the measured events", n, after.VersionInvocations-before.VersionInvocations)
	}
	if after.NATConnFails != 0 || after.ENIConnRateFails != 0 {
		t.Fatalf("limits refused connections (%d NAT, %d ENI): the test should measure admitted ones", after.NATConnFails, after.ENIConnRateFails)
	}
	if allocs != 0 {
		t.Fatalf("%.3f allocations per event in steady state, want 0", allocs)
	}
}
