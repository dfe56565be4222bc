package model

import (
	"math"
	"testing"
	"time"

	"github.com/enisim/enisim/model/dataplane"
	"github.com/enisim/enisim/sim"
)

// replaceConfig is stdConfig with three deployed functions: f0 and f1 share the
// combinations (a1|a2, sg-a1), f2 has one subnet (a4) and so no other ENI to fall back on.
// f0 holds kept-alive connections, so a failed health check has connections to break.
func replaceConfig(rebalance, health time.Duration) *Config {
	cfg := stdConfig()
	p := &cfg.Params
	p.ENIRebalanceEvery, p.ENIHealthFailEvery = rebalance, health
	p.ENICreate = sim.Const(90 * time.Second)
	p.ENIDelete = sim.Const(20 * time.Minute)
	fns := cfg.Accounts[0].Functions
	for i := range 3 {
		fns[i].Deployed = true
		fns[i].Workload = Workload{Rate: 0.05, Service: sim.Const(200 * time.Millisecond)}
	}
	fns[0].Targets = []dataplane.Target{{Name: "db", RTT: sim.Const(time.Millisecond), Operation: sim.Const(time.Millisecond), Ops: 1}}
	fns[2].VPC = VPCConfig{SubnetIds: []string{"a4"}, SecurityGroupIds: []string{"sg-a1"}}
	return cfg
}

// TestENIReplacementRates: with params.eniRebalanceEvery and eniHealthFailEvery set, each
// ready ENI is rebalanced and fails health checks at those mean rates (facts §1), the
// replacements keep one ready ENI per combination, every invariant holds after every
// event, and the functions stay Active; cold starts of the one-subnet function during a
// replacement fail with EC2UnexpectedException, the others' go to their other subnet.
func TestENIReplacementRates(t *testing.T) {
	const hours = 400
	r := newFaultRig(t, replaceConfig(4*time.Hour, 12*time.Hour), 3)
	r.advance(hours * time.Hour)
	rebal, health := len(r.obs.eniEvents("Rebalance")), len(r.obs.eniEvents("HealthCheckFailed"))
	// Three combinations, each with one ready ENI nearly all the time.
	for _, c := range []struct {
		name      string
		got       int
		meanHours float64
	}{{"Rebalance", rebal, 4}, {"HealthCheckFailed", health, 12}} {
		want := 3 * hours / c.meanHours
		if math.Abs(float64(c.got)-want) > 4*math.Sqrt(want) {
			t.Errorf("%d %s events in %d h over 3 ENIs, want about %.0f (mean every %.0f h per ENI)", c.got, c.name, hours, want, c.meanHours)
		}
	}
	k := r.m.Counters()
	if k.ENIsRebalanced != int64(rebal) || k.ENIHealthFails != int64(health) {
		t.Errorf("counters rebalanced=%d healthFails=%d, events %d and %d", k.ENIsRebalanced, k.ENIHealthFails, rebal, health)
	}
	if k.ENIReplaceFails != 0 {
		t.Errorf("%d replacements failed with quota, IPs and permissions to spare", k.ENIReplaceFails)
	}
	if n := len(r.obs.eniEvents("DeleteRequested")); n != rebal+health {
		t.Errorf("%d ENIs deleted, want one per replacement (%d)", n, rebal+health)
	}
	for c := range r.m.combos {
		if cb := &r.m.combos[c]; cb.refs > 0 && (cb.ready != 1 || cb.creating != 0) {
			t.Errorf("combination %s: ready %d creating %d at the end, want 1 and 0", r.m.subnets[cb.subnet].id, cb.ready, cb.creating)
		}
	}
	for fi := range 3 {
		if f := &r.m.fns[fi]; f.state != StateActive {
			t.Errorf("%s is %s(%s), want Active", r.m.fmeta[fi].name, f.state, f.reason)
		}
	}
	if k.Errors[ErrEC2Unexpected] == 0 {
		t.Error("no cold start of the one-subnet function met its combination without an ENI")
	}
	for code, n := range k.Errors {
		if n > 0 && ErrCode(code) != ErrEC2Unexpected {
			t.Errorf("%d invocations failed with %s", n, ErrCode(code))
		}
	}
}

// TestENIReplacementIsSeeded: the replacement events are draws of the run's seed — the
// same seed gives the same ENI events, another seed other ones — and with both rates at
// their default (0) none happens.
func TestENIReplacementIsSeeded(t *testing.T) {
	run := func(seed uint64, every time.Duration) []ENIEvent {
		r := newFaultRig(t, replaceConfig(every, every), seed)
		r.advance(100 * time.Hour)
		return r.obs.enis
	}
	a, b, c := run(5, 3*time.Hour), run(5, 3*time.Hour), run(6, 3*time.Hour)
	if len(a) == 0 || !eqEvents(a, b) {
		t.Fatalf("same seed: %d and %d ENI events, or they differ", len(a), len(b))
	}
	if eqEvents(a, c) {
		t.Error("seeds 5 and 6 gave the same ENI events")
	}
	if d := DefaultParams(); d.ENIRebalanceEvery != 0 || d.ENIHealthFailEvery != 0 {
		t.Errorf("defaults rebalance %v health %v, want off", d.ENIRebalanceEvery, d.ENIHealthFailEvery)
	}
	if off := run(5, 0); len(off) != 0 {
		t.Errorf("rates off: %d ENI events, first %+v", len(off), off[0])
	}
}

func eqEvents(a, b []ENIEvent) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestHealthFailureDuringRebalance: when an ENI being rebalanced fails its health check,
// the rebalance's replacement already on the way takes its place (no second request),
// and the old ENI goes at once.
func TestHealthFailureDuringRebalance(t *testing.T) {
	r := newFaultRig(t, replaceConfig(0, 0), 1)
	c := r.m.combos[r.m.fns[0].cur.combos[0]]
	old := c.enis[0]
	gen := uint64(r.m.enis[old].gen)
	r.m.onENIReplace(sim.Event{Kind: evENIReplace, Obj: uint32(old), Arg: gen}, r.q)
	r.m.onENIReplace(sim.Event{Kind: evENIReplace, Obj: uint32(old), Arg: gen | replaceHealth}, r.q)
	r.check("health failure during a rebalance")
	if n := len(r.obs.eniEvents("Requested")); n != 1 {
		t.Fatalf("%d ENIs requested, want the rebalance's one", n)
	}
	if st := r.m.enis[old].state; st != eniDeleting {
		t.Fatalf("old ENI %s, want Deleting", st)
	}
	if got := r.invoke(0, 3); got[ErrEC2Unexpected] != 0 {
		t.Errorf("f0 has a ready ENI in a2, but %d cold starts failed", got[ErrEC2Unexpected])
	}
	r.advance(2 * time.Minute)
	if cb := &r.m.combos[r.m.fns[0].cur.combos[0]]; cb.ready != 1 || cb.down {
		t.Errorf("after the replacement: ready %d down %v", cb.ready, cb.down)
	}
	if n := len(r.obs.eniEvents("DeleteRequested")); n != 1 {
		t.Errorf("%d deletions, want the failed ENI only", n)
	}
}

// TestLegacyENIsAreDeletedThroughTheDeleteBucket: in legacy mode an environment's ENI is
// deleted like a Hyperplane ENI — through the DeleteNetworkInterface bucket (throttled and
// retried), after the deletion delay — and holds its IP and quota place until then.
func TestLegacyENIsAreDeletedThroughTheDeleteBucket(t *testing.T) {
	cfg := stdConfig()
	cfg.Legacy = true
	cfg.Params.EC2Delete = TokenBucket{Burst: 1, Rate: 0.01}
	cfg.Params.ENIDelete = sim.Const(5 * time.Minute)
	cfg.Params.EnvIdleExpiry = time.Minute
	cfg.Accounts[0].Functions[0].Deployed = true
	r := newFaultRig(t, cfg, 1)
	r.invoke(0, 4)
	r.advance(90 * time.Second) // the environments expire; their ENIs start deleting
	if n := r.vpcENIs("vpc-a"); n != 4 {
		t.Fatalf("VPC counts %d ENIs right after the environments went, want 4 (still deleting)", n)
	}
	if n := len(r.obs.eniEvents("Throttled")); n == 0 {
		t.Fatal("four deletions through a bucket of one token were never throttled")
	}
	r.advance(3 * time.Hour)
	if n := r.vpcENIs("vpc-a"); n != 0 {
		t.Fatalf("%d ENIs left after 3 h", n)
	}
	if n := len(r.obs.eniEvents("Deleted")); n != 4 || r.m.Counters().ENIsDeleted != 4 {
		t.Fatalf("%d Deleted events, counter %d, want 4", n, r.m.Counters().ENIsDeleted)
	}
}
