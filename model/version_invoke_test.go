package model

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/enisim/enisim/model/dataplane"
	"github.com/enisim/enisim/sim"
)

// collector keeps the interval records and per-invocation rows a run observes.
type collector struct {
	nopObserver
	ivs  []IntervalStats
	invs []Invocation
}

func (c *collector) Interval(x IntervalStats) { c.ivs = append(c.ivs, x) }
func (c *collector) Invocation(x Invocation)  { c.invs = append(c.invs, x) }

// TestVersionInvocationsAreRealInvocations: invocations a workload sends to a published
// version run in environments of their own (cold starts, latency, connections), appear in
// interval records under "f0:1" with the version's VPC and in per-invocation rows, and
// every invocation is counted in exactly one record. A version published before a
// switchover keeps serving from the old VPC.
func TestVersionInvocationsAreRealInvocations(t *testing.T) {
	c := stdConfig()
	c.PerInvocation = 1
	c.Params.ColdStart = sim.Const(200 * time.Millisecond)
	c.Params.EnvIdleExpiry = 5 * time.Minute
	f := &c.Accounts[0].Functions[0]
	f.Deployed, f.Versions = true, 1
	f.VPC = VPCConfig{SubnetIds: []string{"b1"}, SecurityGroupIds: []string{"sg-b1"}}
	f.Targets = []dataplane.Target{{Name: "db", RTT: sim.Const(time.Millisecond), TLS: dataplane.TLS12,
		Operation: sim.Const(3 * time.Millisecond), Ops: 1}}
	f.Workload = Workload{Rate: 0.05, Qualifiers: []Qualifier{{Version: 1, Share: 0.4}}}
	// $LATEST moves to vpc-a after an hour; version 1 stays pinned to vpc-b.
	c.Timeline = []TimelineOp{{At: time.Hour, Kind: OpUpdateFunctionConfiguration, Functions: []int{0},
		VPC: &VPCConfig{SubnetIds: []string{"a1"}, SecurityGroupIds: []string{"sg-a1"}}}}
	obs := &collector{}
	m, err := New(c, 3, obs)
	if err != nil {
		t.Fatal(err)
	}
	q := sim.NewQueue(64)
	if err := m.Start(q); err != nil {
		t.Fatal(err)
	}
	end := sim.Time(6 * time.Hour)
	if _, err := sim.Run(q, m, sim.Bounds{Until: end}, nil); err != nil {
		t.Fatal(err)
	}
	m.Finish(end)
	cnt := m.Counters()
	var all, ver, verCold, latestCold int
	var verLatency, verColdStart time.Duration
	vpcs := map[string]map[string]bool{}
	for _, iv := range obs.ivs {
		all += iv.Invocations + iv.Failed + iv.Throttled
		if vpcs[iv.Function] == nil {
			vpcs[iv.Function] = map[string]bool{}
		}
		vpcs[iv.Function][iv.VPC] = true
		switch iv.Function {
		case "f0:1":
			ver += iv.Invocations
			verCold += iv.ColdStarts
			verLatency += iv.LatencySum
			verColdStart += iv.ColdStartSum
		case "f0":
			latestCold += iv.ColdStarts
		default:
			t.Errorf("record of %q", iv.Function)
		}
	}
	t.Logf("%d invocations, %d of the version (%d cold), $LATEST cold %d, version latency %v", cnt.Invocations, ver, verCold, latestCold, verLatency)
	if cnt.VersionInvocations < 100 || int64(all) != cnt.Invocations {
		t.Fatalf("records count %d invocations, the run %d (%d of the version)", all, cnt.Invocations, cnt.VersionInvocations)
	}
	if int64(ver) != cnt.VersionInvocations {
		t.Errorf("version records count %d invocations, the version had %d", ver, cnt.VersionInvocations)
	}
	// 20 s apart on average against a 5-minute expiry: mostly warm, but cold at times.
	if verCold == 0 || verCold >= ver/2 || latestCold == 0 {
		t.Errorf("cold starts: version %d of %d, $LATEST %d", verCold, ver, latestCold)
	}
	if verColdStart != time.Duration(verCold)*200*time.Millisecond || verLatency <= verColdStart {
		t.Errorf("version latency %v, cold-start part %v for %d cold starts", verLatency, verColdStart, verCold)
	}
	if !vpcs["f0:1"]["vpc-b"] || len(vpcs["f0:1"]) != 1 || !vpcs["f0"]["vpc-a"] || !vpcs["f0"]["vpc-b"] {
		t.Errorf("VPCs that served: %v (want f0:1 only vpc-b; f0 vpc-b then vpc-a)", vpcs)
	}
	rows := 0
	for _, r := range obs.invs {
		if r.Function != "f0:1" {
			continue
		}
		rows++
		if r.VPC != "vpc-b" || (r.Cold && r.ColdStart != 200*time.Millisecond) || r.Operation != 3*time.Millisecond {
			t.Fatalf("version row %+v", r)
		}
	}
	if int64(rows) != cnt.VersionInvocations {
		t.Errorf("%d per-invocation rows of f0:1, %d invocations", rows, cnt.VersionInvocations)
	}
}

// TestVersionEnvironmentsAreTheirOwn: a version's environments are separate from
// $LATEST's (a cold start while $LATEST is warm), count against the account's concurrency,
// are retired when the version goes Inactive and finish cleanly when the function is
// deleted under them.
func TestVersionEnvironmentsAreTheirOwn(t *testing.T) {
	cfg := stdConfig()
	cfg.Params.IdleReclaim = time.Hour
	cfg.Params.EnvIdleExpiry = 10 * time.Hour
	h := &harness{t: t, cfg: cfg, rec: &recorder{}}
	for _, line := range []string{"deployed f0", "versions f0 1", "conn f0 keepalive 0s 2", "start",
		"invoke f0", "advance 1s", "invoke f0", "invoke-version f0 1"} {
		if err := h.exec(line); err != nil {
			t.Fatal(err)
		}
	}
	fi := h.fn("f0")
	vr := h.m.fmeta[fi].versions[0].rt
	if c := h.m.counters; c.ColdStarts != 2 || vr == nil || vr.pool.Alive() != 1 || h.m.fns[fi].pool.Alive() != 1 {
		t.Fatalf("cold starts %d (want $LATEST's first and the version's), version environments %v", c.ColdStarts, vr)
	}
	// Two environments on a1/a2 [sg-a1], two connections each.
	conns := func() int32 {
		n := int32(0)
		for _, c := range h.m.fns[fi].cur.combos {
			n += h.m.combos[c].conns
		}
		return n
	}
	if n := conns(); n != 4 {
		t.Fatalf("%d connections on the combination, want 4", n)
	}
	// Concurrency 1: $LATEST's invocation in flight throttles the version's.
	if err := h.exec("set-concurrency 1"); err != nil {
		t.Fatal(err)
	}
	h.advance(time.Minute)
	before := h.m.counters.Throttled
	h.m.invoke(fi, h.q.Now(), time.Second, h.q)
	h.m.invokeVersion(fi, 1, h.q)
	if d := h.m.counters.Throttled - before; d != 1 {
		t.Fatalf("%d throttled, want the version's invocation throttled by the account's concurrency", d)
	}
	// $LATEST stays busy; the version goes Inactive after IdleReclaim and loses its
	// environment and its connections (IdleReclaim 1 h, environments live 10 h).
	if err := h.exec("invoke f0 n=6 every=20m"); err != nil {
		t.Fatal(err)
	}
	h.advance(5 * time.Minute)
	if st := h.m.fmeta[fi].versions[0].state; st != StateInactive || vr.pool.Alive() != 0 {
		t.Fatalf("version %s with %d environments", st, vr.pool.Alive())
	}
	if n := conns(); n != 2 {
		t.Fatalf("%d connections on the combination, want $LATEST's 2", n)
	}
	// Restore, then delete the function while the version's invocation runs.
	h.m.invokeVersion(fi, 1, h.q)
	h.advance(2 * time.Minute)
	if st := h.m.fmeta[fi].versions[0].state; st != StateActive {
		t.Fatalf("version %s after its restore", st)
	}
	h.m.invokeVersion(fi, 1, h.q)
	if vr.pool.Busy() != 1 {
		t.Fatal("the version's invocation is not running")
	}
	if err := h.exec("delete f0"); err != nil {
		t.Fatal(err)
	}
	h.advance(time.Minute)
	if vr.pool.Alive() != 0 || h.m.accts[0].dp.InFlight() != 0 || conns() != 0 {
		t.Fatalf("after deletion: %d version environments, %d in flight, %d connections",
			vr.pool.Alive(), h.m.accts[0].dp.InFlight(), conns())
	}
	if err := h.m.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
}

// TestReconnectsChargeTheENIRate: reconnects after the 350 s idle drop are new connections
// on the ENI: with the per-ENI new-connection rate at 4/s over one ENI, two environments of
// 3 connections reconnecting at the same instant exceed it and the second fails.
func TestReconnectsChargeTheENIRate(t *testing.T) {
	h := &harness{t: t, cfg: stdConfig(), rec: &recorder{}}
	for _, line := range []string{"param eniNewConnRate=4 envIdleExpiry=1h", "vpc f0 subnets=b1 sgs=sg-b1",
		"deployed f0", "conn f0 keepalive 0s 3", "vpc f1 subnets=b1 sgs=sg-b1", "deployed f1",
		"conn f1 keepalive 0s 3", "start", "invoke f0", "advance 2s", "invoke f1", "advance 6m"} {
		if err := h.exec(line); err != nil {
			t.Fatal(err)
		}
	}
	before := h.m.counters
	if err := h.exec("invoke f0"); err != nil {
		t.Fatal(err)
	}
	if err := h.exec("invoke f1"); err != nil {
		t.Fatal(err)
	}
	after := h.m.counters
	if d := after.ENIConnRateFails - before.ENIConnRateFails; d != 1 {
		t.Errorf("%d ENI connection-rate refusals, want 1 (f1's reconnect)", d)
	}
	if d := after.Errors[ErrConnectionTimeout] - before.Errors[ErrConnectionTimeout]; d != 1 {
		t.Errorf("%d ConnectionTimeout, want 1", d)
	}
	// Without the rate limit, no refusal.
	h2 := &harness{t: t, cfg: stdConfig(), rec: &recorder{}}
	for _, line := range []string{"param envIdleExpiry=1h", "vpc f0 subnets=b1 sgs=sg-b1",
		"deployed f0", "conn f0 keepalive 0s 3", "vpc f1 subnets=b1 sgs=sg-b1", "deployed f1",
		"conn f1 keepalive 0s 3", "start", "invoke f0", "advance 2s", "invoke f1", "advance 6m", "invoke f0", "invoke f1"} {
		if err := h2.exec(line); err != nil {
			t.Fatal(err)
		}
	}
	if c := h2.m.counters; c.Errors[ErrConnectionTimeout] != 0 {
		t.Errorf("%d ConnectionTimeout without the limit", c.Errors[ErrConnectionTimeout])
	}
}

// TestVersionKeepsItsMemory: a version keeps the memory it was published with: after
// $LATEST's memory goes from 1,024 to 256 MB its cold starts take twice as long
// (sqrt(1024/256)), the version's do not.
func TestVersionKeepsItsMemory(t *testing.T) {
	cfg := stdConfig()
	cfg.PerInvocation = 1
	h := &harness{t: t, cfg: cfg, rec: &recorder{}}
	for _, line := range []string{"param coldStart=const:400ms", "deployed f0", "versions f0 1", "start",
		"update f0 memory=256", "advance 1m", "invoke f0", "invoke-version f0 1"} {
		if err := h.exec(line); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]time.Duration{}
	for _, r := range h.rec.invs {
		got[r.Function] = r.ColdStart
	}
	if got["f0"] != 800*time.Millisecond || got["f0:1"] != 400*time.Millisecond {
		t.Errorf("cold starts %v, want f0 800ms (256 MB) and f0:1 400ms (1,024 MB)", got)
	}
}

// TestVersionRunsAreReproducibleAndPartitionable: with published versions invoked in both
// accounts (one pinned to the old VPC across a switchover, one published mid-run, so
// invoked before it exists), the same seed gives the same observations, and the accounts
// run as separate partitions observe exactly what the whole run observes (the versions'
// records included).
func TestVersionRunsAreReproducibleAndPartitionable(t *testing.T) {
	cfg := func() *Config {
		c := busyConfig()
		a := &c.Accounts[0]
		a.Functions[0].Versions = 1
		a.Functions[0].Workload.Qualifiers = []Qualifier{{Version: 1, Share: 0.4}}
		a.Functions[2].Workload.Qualifiers = []Qualifier{{Version: 1, Share: 0.3}}
		b := &c.Accounts[1]
		b.Functions[1].Versions = 2
		b.Functions[1].Workload.Qualifiers = []Qualifier{{Version: 1, Share: 0.2}, {Version: 2, Share: 0.2}}
		return c
	}
	r1, r2 := collect(), collect()
	runConfig(t, cfg(), 5, busyRun, r1)
	runConfig(t, cfg(), 5, busyRun, r2)
	if !slices.Equal(r1.all, r2.all) {
		t.Fatal("two runs with the same seed differ")
	}
	versionRecords := 0
	for _, l := range r1.all {
		if strings.Contains(l, " interval f0:1 ") || strings.Contains(l, " interval f2:1 ") || strings.Contains(l, " interval f1:2 ") {
			versionRecords++
		}
	}
	if versionRecords < 6 {
		t.Fatalf("%d interval records of versions: the versions did not run", versionRecords)
	}
	var joined []string
	for _, p := range cfg().Partitions() {
		r := collect()
		runConfig(t, p, 5, busyRun, r)
		joined = append(joined, r.all...)
	}
	a, b := slices.Clone(r1.all), joined
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		t.Fatalf("partitioned run differs: %d vs %d observations", len(a), len(b))
	}
}
