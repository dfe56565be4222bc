package model

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/enisim/enisim/model/dataplane"
	"github.com/enisim/enisim/sim"
)

// natConfig: f0 in a3 (use1-az1) and f1 in a4 (use1-az2), both NAT-routed, each with one
// kept-alive internet connection to the same destination "api".
func natConfig(gateways, ips, perIP int) *Config {
	c := stdConfig()
	c.Params.NATConnectionsPerIP = perIP
	c.Params.ColdStart = sim.Const(100 * time.Millisecond)
	a := &c.Accounts[0]
	a.VPCs[0].NATGateways = gateways
	a.VPCs[0].NATGatewayIPs = ips
	api := []dataplane.Target{{Name: "api", RTT: sim.Const(20 * time.Millisecond), Operation: sim.Const(5 * time.Millisecond), Ops: 1}}
	for i, sn := range []string{"a3", "a4"} {
		f := &a.Functions[i]
		f.Deployed = true
		f.VPC = VPCConfig{SubnetIds: []string{sn}, SecurityGroupIds: []string{"sg-a1"}}
		f.Targets, f.InternetTargets, f.NeedsInternet = api, []int{0}, true
	}
	return c
}

// concurrentColdStarts invokes fi n times at the same instant (each needs a new
// environment) and returns how many failed with ConnectionTimeout.
func concurrentColdStarts(t *testing.T, m *Model, q *sim.Queue, fi int32, n int) int64 {
	t.Helper()
	before := m.counters.Errors[ErrConnectionTimeout]
	for range n {
		m.invoke(fi, q.Now(), 0, q)
	}
	if err := m.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
	return m.counters.Errors[ErrConnectionTimeout] - before
}

// TestNATGatewayIPsAndAZs: the simultaneous limit per destination scales with the gateway's
// public IPs (facts §6: 55,000 per IP, up to 8 IPs), and a VPC with one gateway per AZ
// gives each AZ's subnets their own limit while one gateway is shared by all.
func TestNATGatewayIPsAndAZs(t *testing.T) {
	for _, tc := range []struct {
		name             string
		gateways, ips    int
		f0Fails, f1Fails int64
	}{
		{"one gateway, one IP: 3 connections shared by both AZs", 1, 1, 2, 5},
		{"one gateway, two IPs: 6 connections", 1, 2, 0, 4},
		{"a gateway per AZ: 3 each", 2, 1, 2, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := New(natConfig(tc.gateways, tc.ips, 3), 1, nil)
			if err != nil {
				t.Fatal(err)
			}
			q := sim.NewQueue(64)
			if err := m.Start(q); err != nil {
				t.Fatal(err)
			}
			f0 := concurrentColdStarts(t, m, q, 0, 5)
			f1 := concurrentColdStarts(t, m, q, 1, 5)
			if f0 != tc.f0Fails || f1 != tc.f1Fails {
				t.Errorf("connection timeouts f0=%d f1=%d, want %d and %d", f0, f1, tc.f0Fails, tc.f1Fails)
			}
			if got := m.counters.NATConnFails; got != f0+f1 {
				t.Errorf("NATConnFails = %d, want %d", got, f0+f1)
			}
		})
	}
}

// TestNATLimitsOnlyForInternetTargetsBehindNAT: the same connections inside the VPC, or
// with the NAT limits far away (the defaults), never fail.
func TestNATLimitsOnlyForInternetTargetsBehindNAT(t *testing.T) {
	c := natConfig(1, 1, 3)
	c.Accounts[0].Functions[0].InternetTargets = nil
	m, err := New(c, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	q := sim.NewQueue(64)
	if err := m.Start(q); err != nil {
		t.Fatal(err)
	}
	if n := concurrentColdStarts(t, m, q, 0, 8); n != 0 {
		t.Errorf("%d connection timeouts for an in-VPC target", n)
	}
	c = natConfig(1, 1, DefaultParams().NATConnectionsPerIP)
	if m, err = New(c, 1, nil); err != nil {
		t.Fatal(err)
	}
	if err := m.Start(q); err != nil {
		t.Fatal(err)
	}
	if n := concurrentColdStarts(t, m, q, 1, 50); n != 0 {
		t.Errorf("%d connection timeouts under the default limits", n)
	}
}

func TestNetLimitsValidation(t *testing.T) {
	for _, tc := range []struct {
		edit func(c *Config)
		want string
	}{
		{func(c *Config) { c.Accounts[0].VPCs[0].NATGatewayIPs = 9 }, "natGatewayIPs"},
		{func(c *Config) { c.Accounts[0].Functions[0].InternetTargets = []int{1} }, "internetTargets[0]"},
		{func(c *Config) { c.Accounts[0].Functions[0].InternetTargets = []int{0, 0} }, "internetTargets[1]"},
		{func(c *Config) { c.Params.NATConnectionsPerIP = 0 }, "params.natConnectionsPerIP"},
		{func(c *Config) { c.Params.NATNewConnectionRate = 0 }, "params.natNewConnectionRate"},
		{func(c *Config) { c.Params.ENINewConnectionRate = -1 }, "params.eniNewConnectionRate"},
	} {
		c := natConfig(1, 1, 3)
		tc.edit(c)
		_, err := New(c, 1, nil)
		if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one naming %s", err, tc.want)
		}
	}
}

// TestPacer: one second of burst, then the rate; a full bucket admits any one request.
func TestPacer(t *testing.T) {
	var p pacer
	now := sim.Time(10 * time.Second)
	n := 0
	for p.admits(now, 1, 10) {
		p.take(now, 1, 10)
		n++
	}
	if n != 10 { // one second's worth at one instant
		t.Errorf("burst admitted %d, want 10", n)
	}
	if p.admits(now+sim.Time(50*time.Millisecond), 1, 10) {
		t.Error("admitted before a token came back")
	}
	if !p.admits(now+sim.Time(100*time.Millisecond), 1, 10) {
		t.Error("refused after 1/rate")
	}
	var q pacer
	if !q.admits(now, 50, 10) {
		t.Error("a full bucket refused a request of more than a second's worth")
	}
}

// TestProbedFlowsKeepTheirNATPlaces: keepalive probes below the 350 s idle timeout keep a
// gateway from dropping idle flows, so their places under the simultaneous limit stay taken;
// without probes the same idle flows are forgotten and a new environment gets a place.
func TestProbedFlowsKeepTheirNATPlaces(t *testing.T) {
	for _, probe := range []string{"60s", "0s"} {
		h := &harness{t: t, cfg: stdConfig(), rec: &recorder{}}
		for _, line := range []string{"param natConnsPerIP=2 envIdleExpiry=1h",
			"vpc f0 subnets=a3 sgs=sg-a1", "deployed f0", "conn f0 keepalive " + probe + " 1", "internet-targets f0 1",
			"vpc f1 subnets=a4 sgs=sg-a1", "deployed f1", "conn f1 keepalive " + probe + " 1", "internet-targets f1 1",
			"vpc f2 subnets=a4 sgs=sg-a1", "deployed f2", "conn f2 keepalive 0s 1", "internet-targets f2 1",
			"start", "invoke f0", "invoke f1", "advance 10m", "invoke f2"} {
			if err := h.exec(line); err != nil {
				t.Fatal(err)
			}
		}
		refused := h.m.counters.NATConnFails
		if want := map[string]int64{"60s": 1, "0s": 0}[probe]; refused != want {
			t.Errorf("probes %s: %d NAT refusals for f2's cold start after 10 idle minutes, want %d", probe, refused, want)
		}
	}
}

// TestReconnectsAndIdleDropsAllocateNothing: in a steady state where invocations come
// after the 350 s idle drop, the reconnects, the redials after a refusal, the gateway's
// idle-drop scans and the versions' own environments allocate nothing per event.
func TestReconnectsAndIdleDropsAllocateNothing(t *testing.T) {
	if invariantChecks {
		t.Skip("built with enisim_invariants: CheckInvariants runs (and allocates) after every event")
	}
	c := steadyConfig(200, 1.0/400)
	c.Params.EnvIdleExpiry = 2 * time.Hour
	c.Params.NATNewConnectionRate = 0.3
	c.Params.NATConnectionsPerIP = 150
	for i := range c.Accounts[0].Functions {
		f := &c.Accounts[0].Functions[i]
		f.VPC = VPCConfig{SubnetIds: []string{"a4"}, SecurityGroupIds: []string{"sg-a1"}}
		f.InternetTargets, f.NeedsInternet = []int{0}, true
		f.Versions = 1
		f.Workload.Qualifiers = []Qualifier{{Version: 1, Share: 0.3}}
	}
	before, after, allocs := allocsAfterWarmUp(t, c, 6*time.Hour, 5000)
	if after.NATConnFails == before.NATConnFails || after.VersionInvocations == before.VersionInvocations {
		t.Fatalf("the measured events saw %d NAT refusals and %d version invocations: the test should measure both",
			after.NATConnFails-before.NATConnFails, after.VersionInvocations-before.VersionInvocations)
	}
	if allocs != 0 {
		t.Fatalf("%.3f allocations per event in steady state, want 0", allocs)
	}
}
