package model

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/enisim/enisim/model/dataplane"
	"github.com/enisim/enisim/sim"
)

// Fault injection (issue 7): each knob of Faults, and slow deletions, degrades the model
// the way AWS documents (facts §2, §3, §7), and CheckInvariants holds after every event
// of every run here.

var faultSeed = flag.Uint64("faultseed", 0, "run TestRandomOperationsWithFaults with this seed only")

// faultObs keeps the records the fault tests assert on.
type faultObs struct {
	nopObserver
	states []StateChange
	ops    []Operation
	enis   []ENIEvent
	invs   []Invocation
	eniSm  []ENISample
}

func (o *faultObs) StateChange(x StateChange) { o.states = append(o.states, x) }
func (o *faultObs) Operation(x Operation)     { o.ops = append(o.ops, x) }
func (o *faultObs) ENIEvent(x ENIEvent)       { o.enis = append(o.enis, x) }
func (o *faultObs) Invocation(x Invocation)   { o.invs = append(o.invs, x) }
func (o *faultObs) ENISample(x ENISample)     { o.eniSm = append(o.eniSm, x) }

// lastState is function name's last $LATEST state transition (not an update-status change).
func (o *faultObs) lastState(name string) (StateChange, bool) {
	for i := len(o.states) - 1; i >= 0; i-- {
		if s := o.states[i]; s.Function == name && s.Version == "$LATEST" && s.UpdateTo == "" {
			return s, true
		}
	}
	return StateChange{}, false
}

func (o *faultObs) eniEvents(event string) []ENIEvent {
	var out []ENIEvent
	for _, e := range o.enis {
		if e.Event == event {
			out = append(out, e)
		}
	}
	return out
}

// faultRig drives a model on its own queue and checks every invariant after every event.
type faultRig struct {
	t      testing.TB
	seed   uint64
	m      *Model
	q      *sim.Queue
	obs    *faultObs
	events int
}

func newFaultRig(t testing.TB, cfg *Config, seed uint64) *faultRig {
	t.Helper()
	r := &faultRig{t: t, seed: seed, obs: &faultObs{}}
	m, err := New(cfg, sim.Seed(seed), r.obs)
	if err != nil {
		t.Fatal(err)
	}
	r.m, r.q = m, sim.NewQueue(64)
	if err := m.Start(r.q); err != nil {
		t.Fatal(err)
	}
	r.check("after Start")
	return r
}

func (r *faultRig) check(where string) {
	r.t.Helper()
	if err := r.m.CheckInvariants(); err != nil {
		r.t.Fatalf("seed %d, %s at %v: %v", r.seed, where, r.q.Now(), err)
	}
}

func (r *faultRig) Handle(ev sim.Event, s sim.Scheduler) {
	if ev.Kind == evHarnessTick {
		return
	}
	r.m.Handle(ev, s)
	r.events++
	if err := r.m.CheckInvariants(); err != nil {
		r.t.Fatalf("seed %d, after event %+v at %v: %v", r.seed, ev, s.Now(), err)
	}
}

// advance runs every event up to now+d.
func (r *faultRig) advance(d time.Duration) {
	r.t.Helper()
	until := r.q.Now().Add(d)
	if _, err := r.q.Schedule(sim.Event{At: until, Kind: evHarnessTick}); err != nil {
		r.t.Fatal(err)
	}
	if _, err := sim.Run(r.q, r, sim.Bounds{Until: until}, nil); err != nil {
		r.t.Fatal(err)
	}
}

// advanceTo runs every event up to the absolute time at.
func (r *faultRig) advanceTo(at time.Duration) { r.advance(time.Duration(sim.Time(at) - r.q.Now())) }

// apply runs a control-plane operation on one function (fi ≥ 0) or the account (fi < 0).
func (r *faultRig) apply(top TimelineOp, fi int) {
	r.t.Helper()
	if fi >= 0 {
		top.Functions = []int{fi}
	}
	r.m.applyOp(&top, int32(fi), r.q)
	r.check(top.Kind.String())
}

// invoke makes n invocations of function fi now and returns the errors they got.
func (r *faultRig) invoke(fi, n int) [numErrCodes]int64 {
	before := r.m.counters.Errors
	for range n {
		r.m.invoke(int32(fi), r.q.Now(), 0, r.q)
	}
	r.check("invoke")
	after := r.m.counters.Errors
	for i := range after {
		after[i] -= before[i]
	}
	return after
}

// assertState fails unless function fi is in state st with reason rs.
func (r *faultRig) assertState(fi int, st State, rs Reason) {
	r.t.Helper()
	if f := &r.m.fns[fi]; f.state != st || f.reason != rs {
		r.t.Fatalf("%s is %s(%s), want %s(%s)", r.m.fmeta[fi].name, f.state, f.reason, st, rs)
	}
	sc, ok := r.obs.lastState(r.m.fmeta[fi].name)
	if !ok || sc.To != st.String() || sc.Reason != rs.String() {
		r.t.Fatalf("%s: last reported transition %+v, want to %s(%s)", r.m.fmeta[fi].name, sc, st, rs)
	}
}

// vpcENIs is the number of ENIs counted in VPC id, and the IPs used in subnet sid.
func (r *faultRig) vpcENIs(id string) int {
	for i := range r.m.vpcs {
		if r.m.vpcs[i].id == id {
			return int(r.m.vpcs[i].enis)
		}
	}
	r.t.Fatalf("no VPC %s", id)
	return 0
}

func (r *faultRig) subnet(id string) *subnet {
	for i := range r.m.subnets {
		if r.m.subnets[i].id == id {
			return &r.m.subnets[i]
		}
	}
	r.t.Fatalf("no subnet %s", id)
	return nil
}

// faultConfig is stdConfig with constant latencies (so durations can be asserted exactly)
// and no workloads of its own.
func faultConfig() *Config {
	c := stdConfig()
	c.Params.ENICreate = sim.Const(60 * time.Second)
	c.Params.Restore = sim.Const(60 * time.Second)
	c.Params.ENIAttach = sim.Const(2 * time.Second)
	c.Params.Switchover = sim.Const(3 * time.Minute)
	c.Params.ENIDelete = sim.Const(10 * time.Minute)
	c.Params.EC2RetryBackoff = sim.Const(2 * time.Second)
	return c
}

// Facts §3: an ENI creation that fails inside Lambda leaves a new function
// Failed(InternalError) and its invocations get EC2UnexpectedException; a failing VPC
// update is rolled back (LastUpdateStatus Failed, InternalError) and the function keeps
// serving from its old VPC. Nothing is left counted in the subnets or the VPC.
func TestFaultENICreateFailure(t *testing.T) {
	cfg := faultConfig()
	cfg.Faults.ENICreateFailProb = 1
	cfg.Accounts[0].Functions[1].Deployed = true
	cfg.Accounts[0].Functions[1].VPC = VPCConfig{SubnetIds: []string{"a4"}, SecurityGroupIds: []string{"sg-a2"}}
	r := newFaultRig(t, cfg, 1)
	r.apply(TimelineOp{Kind: OpCreateFunction}, 0)
	r.assertState(0, StatePending, ReasonCreating)
	r.advance(10 * time.Minute)
	r.assertState(0, StateFailed, ReasonInternalError)
	if errs := r.invoke(0, 3); errs[ErrEC2Unexpected] != 3 {
		t.Fatalf("invoking the Failed function: %v, want 3 EC2UnexpectedException", errs)
	}
	if n := len(r.obs.eniEvents("CreateFailed")); n == 0 || r.m.counters.ENICreateFails != int64(n) {
		t.Fatalf("%d CreateFailed events, counter %d", n, r.m.counters.ENICreateFails)
	}
	// Only f1's deployed ENI (a4) remains.
	if n := r.vpcENIs("vpc-a"); n != 1 {
		t.Fatalf("vpc-a counts %d ENIs after the failed creation, want f1's 1", n)
	}
	r.apply(TimelineOp{Kind: OpUpdateFunctionConfiguration, VPC: &VPCConfig{SubnetIds: []string{"b1"}, SecurityGroupIds: []string{"sg-b1"}}}, 1)
	r.advance(10 * time.Minute)
	if f := &r.m.fns[1]; f.state != StateActive || f.upd != UpdateFailed || f.updReason != ReasonInternalError || r.m.vpcName(f.cur.vpc) != "vpc-a" {
		t.Fatalf("f1 after a failed update: %s, LastUpdateStatus %s(%s), VPC %q; want Active, Failed(InternalError), vpc-a",
			f.state, f.upd, f.updReason, r.m.vpcName(f.cur.vpc))
	}
	if errs := r.invoke(1, 5); errs != ([numErrCodes]int64{}) {
		t.Fatalf("f1 still serves from vpc-a, but its invocations got %v", errs)
	}
	if n := r.vpcENIs("vpc-b"); n != 0 {
		t.Fatalf("vpc-b counts %d ENIs after the rolled-back update", n)
	}
	if r.events == 0 {
		t.Fatal("no event ran")
	}
}

// With a failure probability p per creation, a function with two subnets needs both
// creations to succeed: about (1−p)² of the creations succeed.
func TestFaultENICreateFailProbability(t *testing.T) {
	const runs = 64
	ok := 0
	for seed := range uint64(runs) {
		cfg := faultConfig()
		cfg.Faults.ENICreateFailProb = 0.5
		r := newFaultRig(t, cfg, seed+1)
		r.apply(TimelineOp{Kind: OpCreateFunction}, 0)
		r.advance(10 * time.Minute)
		switch f := &r.m.fns[0]; {
		case f.state == StateActive:
			ok++
		case f.state != StateFailed || f.reason != ReasonInternalError:
			t.Fatalf("seed %d: f0 is %s(%s), want Active or Failed(InternalError)", seed+1, f.state, f.reason)
		}
	}
	// Binomial(64, 0.25): mean 16, σ ≈ 3.5; allow about 3σ.
	if ok < 6 || ok > 27 {
		t.Fatalf("%d of %d creations succeeded with p = 0.5 per ENI, want about 16", ok, runs)
	}
}

// CreateLatencyFactor stretches every ENI creation: the function stays Pending (and its
// invocations get ResourceNotReadyException) that many times longer; restores too.
func TestFaultCreateLatencyFactor(t *testing.T) {
	pending := func(factor float64) (took time.Duration, notReady int64) {
		cfg := faultConfig()
		cfg.Faults.CreateLatencyFactor = factor
		r := newFaultRig(t, cfg, 1)
		r.apply(TimelineOp{Kind: OpCreateFunction}, 0)
		for range 60 {
			notReady += r.invoke(0, 1)[ErrResourceNotReady]
			r.advance(10 * time.Second)
		}
		r.assertState(0, StateActive, ReasonNone)
		for _, op := range r.obs.ops {
			if op.Op == "CreateFunction" && op.Function == "f0" {
				if op.Outcome != "Successful" {
					t.Fatalf("factor %v: %+v", factor, op)
				}
				return op.End.Sub(op.Start), notReady
			}
		}
		t.Fatalf("factor %v: no CreateFunction operation reported", factor)
		return 0, 0
	}
	took1, nr1 := pending(1)
	took5, nr5 := pending(5)
	if took1 != 60*time.Second || took5 != 300*time.Second {
		t.Fatalf("Pending took %v (factor 1) and %v (factor 5), want 1m0s and 5m0s", took1, took5)
	}
	// One invocation every 10 s while Pending: 6 vs 30.
	if nr1 != 6 || nr5 != 30 {
		t.Fatalf("ResourceNotReadyException: %d (factor 1), %d (factor 5), want 6 and 30", nr1, nr5)
	}
}

// Facts §7: during an EC2 throttling storm every CreateNetworkInterface call is
// throttled; Lambda retries with backoff, counts each throttle, and after EC2MaxRetries
// the function fails with EC2RequestLimitExceeded (Invoke: EC2ThrottledException).
// Deletions are Lambda's own background work: they keep retrying, so the ENIs stay
// counted against the quota and the subnet until the storm ends. After the storm the
// same creation succeeds.
func TestFaultEC2Storm(t *testing.T) {
	cfg := faultConfig()
	cfg.Params.EC2MaxRetries = 3
	cfg.Faults.EC2Storms = []Storm{{Window: Window{0, time.Hour}}, {Window: Window{2 * time.Hour, 3 * time.Hour}, Account: "111111111111"}}
	cfg.Accounts[0].Functions[2].Deployed = true
	cfg.Accounts[0].Functions[2].VPC = VPCConfig{SubnetIds: []string{"b1"}, SecurityGroupIds: []string{"sg-b1"}}
	r := newFaultRig(t, cfg, 1)
	r.advance(time.Minute)
	r.apply(TimelineOp{Kind: OpCreateFunction}, 0)
	r.advance(10 * time.Minute)
	r.assertState(0, StateFailed, ReasonEC2RequestLimitExceeded)
	if errs := r.invoke(0, 2); errs[ErrEC2Throttled] != 2 {
		t.Fatalf("invoking the Failed function: %v, want 2 EC2ThrottledException", errs)
	}
	throttled := map[string]int{}
	for _, e := range r.obs.eniEvents("Throttled") {
		throttled[e.ENI]++
	}
	failed := r.obs.eniEvents("CreateFailed")
	if len(failed) == 0 {
		t.Fatal("no CreateFailed ENI event")
	}
	for _, e := range failed {
		if e.Reason != "EC2RequestLimitExceeded" || throttled[e.ENI] != cfg.Params.EC2MaxRetries {
			t.Fatalf("%s failed with %q after %d throttled retries, want EC2RequestLimitExceeded after %d",
				e.ENI, e.Reason, throttled[e.ENI], cfg.Params.EC2MaxRetries)
		}
	}
	// Each failed ENI made EC2MaxRetries+1 calls, all throttled and counted.
	if want := int64(len(failed) * (cfg.Params.EC2MaxRetries + 1)); r.m.counters.EC2Throttles != want {
		t.Fatalf("EC2Throttles = %d, want %d", r.m.counters.EC2Throttles, want)
	}
	if n := r.vpcENIs("vpc-a"); n != 0 {
		t.Fatalf("vpc-a counts %d ENIs after the throttled creation failed", n)
	}

	// After the storm, a new function with the same combinations is created.
	r.advanceTo(90 * time.Minute)
	r.apply(TimelineOp{Kind: OpCreateFunction}, 1)
	r.advance(5 * time.Minute)
	r.assertState(1, StateActive, ReasonNone)

	// Deleting f2 inside the second storm: its ENI keeps being retried, stays counted,
	// and is deleted only after the storm (plus the deletion time).
	r.advanceTo(2*time.Hour + 10*time.Minute)
	r.apply(TimelineOp{Kind: OpDeleteFunction}, 2)
	r.advanceTo(2*time.Hour + 50*time.Minute)
	if n := r.vpcENIs("vpc-b"); n != 1 || r.subnet("b1").enis != 1 {
		t.Fatalf("during the storm vpc-b counts %d ENIs, want the deleting one", n)
	}
	r.advanceTo(4 * time.Hour)
	del := r.obs.eniEvents("Deleted")
	if len(del) != 1 || del[0].Subnet != "b1" || del[0].At < sim.Time(3*time.Hour+10*time.Minute) {
		t.Fatalf("deletions %+v: want b1's ENI deleted no earlier than the storm's end + 10 min", del)
	}
	if n := r.vpcENIs("vpc-b"); n != 0 {
		t.Fatalf("vpc-b counts %d ENIs after the deletion", n)
	}
}

// Facts §3: when other services took the subnet's free addresses, creating a function
// there fails with SubnetOutOfIPAddresses (Invoke: SubnetIPAddressLimitReachedException),
// and a VPC update to it is rolled back with that reason. A grab never takes more than
// is free (invariant 1), and a subnet with one address left still gets its ENI.
func TestFaultSubnetIPsTaken(t *testing.T) {
	cfg := faultConfig()
	acct := cfg.Accounts[0].ID
	cfg.Faults.SubnetIPsTaken = []IPGrab{
		{At: time.Minute, Account: acct, Subnet: "a3", IPs: 1000}, // /28: 11 usable
		{At: time.Minute, Account: acct, Subnet: "a4", IPs: 250},  // /24: 251 usable, 1 left
	}
	cfg.Accounts[0].Functions[2].Deployed = true
	r := newFaultRig(t, cfg, 1)
	r.advance(2 * time.Minute)
	if sn := r.subnet("a3"); sn.taken != 11 || r.m.ipsUsed(sn) != sn.usable {
		t.Fatalf("a3: %d taken, %d used of %d: a grab must take exactly the free addresses", sn.taken, r.m.ipsUsed(sn), sn.usable)
	}
	r.apply(TimelineOp{Kind: OpCreateFunction, VPC: &VPCConfig{SubnetIds: []string{"a3"}, SecurityGroupIds: []string{"sg-a1"}}}, 0)
	r.assertState(0, StateFailed, ReasonSubnetOutOfIPAddresses)
	if errs := r.invoke(0, 1); errs[ErrSubnetIPLimit] != 1 {
		t.Fatalf("invoking: %v, want SubnetIPAddressLimitReachedException", errs)
	}
	r.apply(TimelineOp{Kind: OpCreateFunction, VPC: &VPCConfig{SubnetIds: []string{"a4"}, SecurityGroupIds: []string{"sg-a1"}}}, 1)
	r.advance(5 * time.Minute)
	r.assertState(1, StateActive, ReasonNone)
	if sn := r.subnet("a4"); r.m.ipsUsed(sn) != sn.usable {
		t.Fatalf("a4 uses %d of %d", r.m.ipsUsed(sn), sn.usable)
	}
	// a4 is now full too: an update of f2 to it (another SG set: a new ENI) is rolled back.
	r.apply(TimelineOp{Kind: OpUpdateFunctionConfiguration, VPC: &VPCConfig{SubnetIds: []string{"a4"}, SecurityGroupIds: []string{"sg-a2"}}}, 2)
	r.advance(5 * time.Minute)
	if f := &r.m.fns[2]; f.state != StateActive || f.upd != UpdateFailed || f.updReason != ReasonSubnetOutOfIPAddresses {
		t.Fatalf("f2: %s, LastUpdateStatus %s(%s), want Active, Failed(SubnetOutOfIPAddresses)", f.state, f.upd, f.updReason)
	}
}

// RTT spikes scale the network part of every invocation that starts in their window by
// their factor, exactly, and nothing else.
func TestFaultRTTSpike(t *testing.T) {
	cfg := faultConfig()
	cfg.PerInvocation = 1
	f := &cfg.Accounts[0].Functions[0]
	f.Deployed = true
	f.ConnMode = dataplane.PerInvocation
	f.Targets = []dataplane.Target{{Name: "db", RTT: sim.Const(4 * time.Millisecond), Operation: sim.Const(time.Millisecond), Ops: 2}}
	f.Workload = Workload{Rate: 1e-9, Service: sim.Const(time.Millisecond)}
	cfg.Faults.RTTSpikes = []RTTSpike{{Window: Window{10 * time.Minute, 20 * time.Minute}, Factor: 8}}
	r := newFaultRig(t, cfg, 1)
	for range 30 {
		r.invoke(0, 1)
		r.advance(time.Minute)
	}
	if len(r.obs.invs) != 30 {
		t.Fatalf("%d invocations reported, want 30", len(r.obs.invs))
	}
	var base time.Duration
	for _, in := range r.obs.invs {
		if in.Error != "" {
			t.Fatalf("invocation failed: %+v", in)
		}
		if net := in.ConnSetup + in.Operation; in.At < sim.Time(10*time.Minute) {
			if base == 0 {
				base = net
			} else if net != base {
				t.Fatalf("before the spike the network time varies: %v vs %v", net, base)
			}
		}
	}
	for _, in := range r.obs.invs {
		net := in.ConnSetup + in.Operation
		inWindow := in.At >= sim.Time(10*time.Minute) && in.At < sim.Time(20*time.Minute)
		want := base
		if inWindow {
			want = 8 * base
		}
		if net != want {
			t.Fatalf("invocation at %v: network time %v, want %v (spike %v)", in.At, net, want, inWindow)
		}
	}
}

// Facts §2: ENI deletion is slow (up to 20 min documented, longer seen). A detached ENI
// stays counted against the VPC's ENI quota and its subnet until deleted, so a new
// combination can hit EniLimitExceeded meanwhile; once the deletion completes the same
// creation succeeds.
func TestFaultSlowDeletion(t *testing.T) {
	cfg := faultConfig()
	cfg.Params.ENIDelete = sim.Const(2 * time.Hour)
	cfg.Accounts[0].VPCs[0].ENIQuota = 2
	cfg.Accounts[0].Functions[0].Deployed = true // a1, a2 with sg-a1: the 2 ENIs of the quota
	cfg.SampleEvery = 30 * time.Minute
	r := newFaultRig(t, cfg, 1)
	r.advance(time.Minute)
	r.apply(TimelineOp{Kind: OpUpdateFunctionConfiguration, VPC: &VPCConfig{}}, 0) // detach
	r.advance(10 * time.Minute)
	if f := &r.m.fns[0]; f.upd != UpdateSuccessful || f.cur.vpc >= 0 {
		t.Fatalf("detach: LastUpdateStatus %s, VPC %d", f.upd, f.cur.vpc)
	}
	if n := len(r.obs.eniEvents("DeleteRequested")); n != 2 || r.vpcENIs("vpc-a") != 2 {
		t.Fatalf("%d DeleteRequested, vpc-a counts %d: want both ENIs deleting and still counted", n, r.vpcENIs("vpc-a"))
	}
	r.apply(TimelineOp{Kind: OpCreateFunction, VPC: &VPCConfig{SubnetIds: []string{"a1"}, SecurityGroupIds: []string{"sg-a2"}}}, 1)
	r.assertState(1, StateFailed, ReasonEniLimitExceeded)
	r.advance(3 * time.Hour)
	del := r.obs.eniEvents("Deleted")
	if len(del) != 2 || del[0].Duration != 2*time.Hour || r.vpcENIs("vpc-a") != 0 {
		t.Fatalf("deletions %+v, vpc-a counts %d: want two, after 2h, and none left", del, r.vpcENIs("vpc-a"))
	}
	// The samples taken meanwhile showed them deleting.
	deleting := 0
	for _, s := range r.obs.eniSm {
		deleting = max(deleting, s.ENIsDeleting)
	}
	if deleting != 1 {
		t.Fatalf("samples showed at most %d deleting ENIs per combination, want 1 (one per subnet)", deleting)
	}
	r.apply(TimelineOp{Kind: OpCreateFunction, VPC: &VPCConfig{SubnetIds: []string{"a1"}, SecurityGroupIds: []string{"sg-a2"}}}, 3)
	r.advance(5 * time.Minute)
	r.assertState(3, StateActive, ReasonNone)
}

// TestRandomOperationsWithFaults extends TestRandomOperations with every fault knob
// drawn at random (throttling storms, IP grabs, RTT spikes, slow or fast creations and
// deletions, creation failures) and the account-level operations it does not make
// (DeleteRole, concurrency quota changes), checking every invariant after every event.
func TestRandomOperationsWithFaults(t *testing.T) {
	seeds := make([]uint64, 64)
	for i := range seeds {
		seeds[i] = uint64(i + 1)
	}
	if *faultSeed != 0 {
		seeds = []uint64{*faultSeed}
	} else if testing.Short() {
		seeds = seeds[:4]
	}
	reasons := map[string]int{}
	eniEvents := map[string]int{}
	events := 0
	for _, seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("panic: %v\nreproduce: go test ./model -run 'TestRandomOperationsWithFaults' -faultseed %d", p, seed)
				}
			}()
			r := randomFaultRun(t, seed, 300)
			events += r.events
			for _, e := range r.obs.enis {
				eniEvents[e.Event+" "+e.Reason]++
			}
			for _, s := range r.obs.states {
				if s.To == "Failed" || s.UpdateTo == "Failed" {
					reasons[s.Reason]++
				}
			}
		})
	}
	// The runs must reach the degraded states the faults cause, or they prove nothing.
	t.Logf("%d runs, %d events, each followed by CheckInvariants; failure reasons reached: %v", len(seeds), events, reasons)
	if len(seeds) == 64 && !t.Failed() {
		for _, want := range []string{"InternalError", "EC2RequestLimitExceeded", "SubnetOutOfIPAddresses", "EniLimitExceeded"} {
			if reasons[want] == 0 {
				t.Errorf("no random run failed a function or update with %s (failures: %v)", want, reasons)
			}
		}
		// ENI replacements and the Describe/Assign buckets must be exercised too.
		for _, want := range []string{"Rebalance ", "HealthCheckFailed ", "DeleteRequested Rebalanced", "Requested Replace",
			"ReplaceFailed EniLimitExceeded", "Throttled RequestLimitExceeded:DescribeSubnets",
			"Throttled RequestLimitExceeded:AssignPrivateIpAddresses", "DeleteRequested EnvironmentGone"} {
			if eniEvents[want] == 0 {
				t.Errorf("no random run produced ENI event %q", want)
			}
		}
	}
}

// randomFaultRun is one random run; a failed invariant fails t with the seed and the
// command reproducing it.
func randomFaultRun(t *testing.T, seed uint64, steps int) *faultRig {
	rng := rand.New(rand.NewPCG(seed, 7))
	cfg := stdConfig()
	p := &cfg.Params
	p.IPsPerENI = 1 + rng.IntN(3)
	p.ConnectionsPerENI = 1 + rng.IntN(12)
	p.EC2Create = TokenBucket{Burst: 1 + rng.IntN(5), Rate: 0.2 + rng.Float64()}
	p.EC2Delete = TokenBucket{Burst: 1 + rng.IntN(5), Rate: 0.2 + rng.Float64()}
	p.EC2MaxRetries = rng.IntN(4)
	p.IdleReclaim = time.Duration(1+rng.IntN(4)) * time.Hour
	p.ENIDelete = sim.LogNormalMedianP99(time.Duration(1+rng.IntN(30))*time.Minute, 2*time.Hour)
	cfg.Legacy = rng.IntN(6) == 0
	// ENI replacements (replace.go), the other EC2 buckets and the regional quota.
	every := []time.Duration{0, 20 * time.Minute, 2 * time.Hour}
	p.ENIRebalanceEvery, p.ENIHealthFailEvery = every[rng.IntN(3)], every[rng.IntN(3)]
	p.EC2Describe = TokenBucket{Burst: 1 + rng.IntN(5), Rate: 0.2 + rng.Float64()}
	p.EC2AssignIP = TokenBucket{Burst: 1 + rng.IntN(5), Rate: 0.2 + rng.Float64()}
	p.RegionENIQuota = 6 + rng.IntN(10)
	horizon := time.Duration(steps) * 150 * time.Second
	at := func() time.Duration { return time.Duration(rng.Int64N(int64(horizon))) }
	f := &cfg.Faults
	f.ENICreateFailProb = rng.Float64() * 0.3
	f.CreateLatencyFactor = []float64{0, 0.5, 1, 3, 10}[rng.IntN(5)]
	for range rng.IntN(4) {
		s := at()
		f.EC2Storms = append(f.EC2Storms, Storm{Window: Window{s, s + time.Duration(1+rng.IntN(60))*time.Minute}})
	}
	subnets := []string{"a1", "a2", "a3", "a4", "a5", "b1", "b2", "c1"}
	for range rng.IntN(5) {
		f.SubnetIPsTaken = append(f.SubnetIPsTaken, IPGrab{At: at(), Account: cfg.Accounts[0].ID,
			Subnet: subnets[rng.IntN(len(subnets))], IPs: rng.IntN(300)})
	}
	for range rng.IntN(3) {
		s := at()
		f.RTTSpikes = append(f.RTTSpikes, RTTSpike{Window: Window{s, s + 10*time.Minute}, Factor: 1 + 20*rng.Float64()})
	}
	cfg.Accounts[0].VPCs[0].ENIQuota = 3 + rng.IntN(6)
	for i := range cfg.Accounts[0].Functions {
		fn := &cfg.Accounts[0].Functions[i]
		fn.Deployed = rng.IntN(2) == 0 && fn.Role == "exec"
		fn.Targets = []dataplane.Target{{Name: "db", RTT: sim.Const(time.Millisecond), Operation: sim.Const(time.Millisecond), Ops: 1}}
		if rng.IntN(2) == 0 {
			fn.ConnMode = dataplane.PerInvocation
		}
		fn.Workload = Workload{Rate: 1e-9, Service: sim.Exp(time.Duration(1+rng.IntN(120)) * time.Second)}
	}
	r := newFaultRig(t, cfg, seed)
	r.t = reproT{t, seed}
	sgsets := [][]string{{"sg-a1"}, {"sg-a2"}, {"sg-a1", "sg-a2"}, {"sg-b1"}, {"sg-c1"}}
	randVPC := func() *VPCConfig {
		if rng.IntN(6) == 0 {
			return &VPCConfig{}
		}
		var ss []string
		for range 1 + rng.IntN(3) {
			if s := subnets[rng.IntN(len(subnets))]; !slices.Contains(ss, s) {
				ss = append(ss, s)
			}
		}
		return &VPCConfig{SubnetIds: ss, SecurityGroupIds: sgsets[rng.IntN(len(sgsets))]}
	}
	nf := len(cfg.Accounts[0].Functions)
	for range steps {
		fi := rng.IntN(nf)
		var top TimelineOp
		switch k := rng.IntN(16); k {
		case 0, 1:
			top = TimelineOp{Kind: OpCreateFunction, VPC: randVPC()}
		case 2, 3:
			top = TimelineOp{Kind: OpUpdateFunctionConfiguration, VPC: randVPC()}
		case 4:
			top = TimelineOp{Kind: OpUpdateFunctionCode}
		case 5:
			top = TimelineOp{Kind: OpPublishVersion}
		case 6:
			top = TimelineOp{Kind: OpDeleteFunction}
		case 7:
			pol := []string{"vpc", "logs", "deny-source"}[rng.IntN(3)]
			top, fi = TimelineOp{Kind: OpPutRolePolicy, Role: "exec", PolicyName: "policy-0", Policy: mustPolicy(scriptPolicies[pol])}, -1
		case 8:
			top, fi = TimelineOp{Kind: OpDeleteRolePolicy, Role: "exec", PolicyName: "policy-0"}, -1
		case 9:
			if rng.IntN(8) != 0 { // rare: a deleted role stops all later ENI work
				continue
			}
			top, fi = TimelineOp{Kind: OpDeleteRole, Role: []string{"exec", "bare"}[rng.IntN(2)]}, -1
		case 10:
			top, fi = TimelineOp{Kind: OpSetQuota, Quota: QuotaVPCENIs, Target: "vpc-a", Value: 2 + rng.IntN(10)}, -1
		case 11:
			top, fi = TimelineOp{Kind: OpSetQuota, Quota: QuotaConcurrency, Value: 1 + rng.IntN(100)}, -1
			if rng.IntN(3) == 0 {
				top = TimelineOp{Kind: OpSetQuota, Quota: QuotaRegionENIs, Value: 4 + rng.IntN(12)}
			}
		default:
			r.invoke(fi, 1+rng.IntN(20))
			r.advance(time.Duration(rng.IntN(600)) * time.Second)
			continue
		}
		r.apply(top, fi)
		r.advance(time.Duration(rng.IntN(300)) * time.Second)
	}
	r.advance(48 * time.Hour)
	return r
}

// reproT adds the command that reproduces a random run to its fatal errors.
type reproT struct {
	*testing.T
	seed uint64
}

func (r reproT) Fatalf(format string, args ...any) {
	r.T.Helper()
	r.T.Fatalf(format+"\nreproduce: go test ./model -run 'TestRandomOperationsWithFaults' -faultseed %d", append(args, r.seed)...)
}
