// Package resultstest generates deterministic synthetic observations for tests of results,
// results/report and interop: small enough to reason about by hand, rich enough to touch
// every table and every summary figure.
package resultstest

import (
	"fmt"
	"time"

	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/sim"
)

// Synth feeds a Sink a small, fully deterministic account's worth of observations: n
// sampling intervals of 60 s for account acct with one VPC, two subnets and two SG sets.
// The numbers are chosen so the expected summary can be worked out by hand (see the tests).
func Synth(o model.Observer, acct string, n int, perInvocation bool) {
	at := func(s int) sim.Time { return sim.Time(int64(s) * int64(time.Second)) }
	for i := 0; i < n; i++ {
		t := at(60 * i)
		// ENIs ramp up to 8 per combination at i = n/2, then back down; VPC total = 2 combos.
		e := i
		if i > n/2 {
			e = n - i
		}
		if e > 8 {
			e = 8
		}
		for c, sg := range []string{"sg-a", "sg-a,sg-b"} {
			o.ENISample(model.ENISample{At: t, Account: acct, VPC: "vpc-1", Subnet: fmt.Sprintf("subnet-%d", c),
				SGSet: sg, ENIs: e + c, ENIsReady: e, Connections: 1000 * e, VPCENIs: 2*e + 1, VPCQuota: 20,
				ENIsDeleting: c, References: 3})
		}
		o.SubnetSample(model.SubnetSample{At: t, Account: acct, VPC: "vpc-1", Subnet: "subnet-0", IPsUsed: 240 + e, IPsUsable: 251 - 3, IPsOther: 2})
		o.SubnetSample(model.SubnetSample{At: t, Account: acct, VPC: "vpc-1", Subnet: "subnet-1", IPsUsed: e, IPsUsable: 4091})
		var errs map[string]int
		if i%5 == 0 {
			errs = map[string]int{"ResourceNotReadyException": 1, "EC2ThrottledException": 2}
		}
		o.Interval(model.IntervalStats{Start: t, End: at(60*i + 60), Account: acct, Function: "fn-a", VPC: "vpc-1",
			Invocations: 10, ColdStarts: 1, Errors: errs, ConnReused: 8, ConnNew: 2, ConnResets: 1,
			LatencySum: 10 * 100 * time.Millisecond, LatencyP50: 100 * time.Millisecond, LatencyP99: 900 * time.Millisecond,
			ColdStartSum: 500 * time.Millisecond, ConnSetupSum: 40 * time.Millisecond, OperationSum: 460 * time.Millisecond,
			ConcurrentPeak: 3, EnvironmentsAlive: 2, Failed: 3 * btoi(errs != nil), NATBytes: int64(1000 * i)})
		if perInvocation {
			for k := 0; k < 10; k++ {
				o.Invocation(model.Invocation{At: t.Add(time.Duration(k) * time.Second), Account: acct, Function: "fn-a", VPC: "vpc-1",
					Cold: k == 0, ColdStart: time.Duration(k/9) * 400 * time.Millisecond, ConnSetup: time.Duration(k%2) * 20 * time.Millisecond,
					Operation: time.Duration(50+k) * time.Millisecond, Reconnect: k%2 == 1})
			}
		}
		// One create per interval: Pending for 10+i seconds; every other one attaches only.
		o.Operation(model.Operation{Start: t, End: t.Add(time.Duration(10+i) * time.Second), Account: acct, Principal: "role/deployer",
			Op: "CreateFunction", Function: fmt.Sprintf("fn-%d", i), IAMDecision: "Allow", IAMStatement: "AllowDeploy",
			Outcome: "Successful", AttachedOnly: i%2 == 0, NewENIs: i % 2})
		o.ENIEvent(model.ENIEvent{At: t, Account: acct, VPC: "vpc-1", Subnet: "subnet-0", SGSet: "sg-a", ENI: fmt.Sprintf("eni-%d", i), Event: "Requested"})
		if i%3 == 0 {
			o.ENIEvent(model.ENIEvent{At: t, Account: acct, VPC: "vpc-1", Subnet: "subnet-0", SGSet: "sg-a", ENI: fmt.Sprintf("eni-%d", i), Event: "Throttled", Reason: "RequestLimitExceeded"})
		}
		o.ENIEvent(model.ENIEvent{At: t.Add(90 * time.Second), Account: acct, VPC: "vpc-1", Subnet: "subnet-0", SGSet: "sg-a", ENI: fmt.Sprintf("eni-%d", i), Event: "Ready", Duration: 90 * time.Second})
	}
	// A quota change, a denied call, a VPC switchover, and a function that goes Inactive and recovers.
	end := at(60 * n)
	o.Operation(model.Operation{Start: end, End: end, Account: acct, Principal: "role/admin", Op: "SetQuota", Resource: "vpc-1",
		Outcome: "Successful"})
	o.Operation(model.Operation{Start: end, End: end, Account: acct, Principal: "user/intern", Op: "DeleteFunction", Function: "fn-a",
		IAMDecision: "ExplicitDeny", IAMStatement: "DenyDelete", Outcome: "Rejected", Error: "AccessDeniedException"})
	o.Operation(model.Operation{Start: end, End: end.Add(300 * time.Second), Account: acct, Principal: "role/deployer", Op: "UpdateFunctionConfiguration",
		Function: "fn-a", IAMDecision: "Allow", IAMStatement: "AllowDeploy", Outcome: "Successful", NewENIs: 2, FromVPC: "vpc-1", ToVPC: "vpc-2"})
	o.StateChange(model.StateChange{At: at(10), Account: acct, Function: "fn-a", Version: "$LATEST", From: "Pending", To: "Active", Reason: "Creating"})
	o.StateChange(model.StateChange{At: at(100), Account: acct, Function: "fn-a", Version: "$LATEST", From: "Active", To: "Inactive", Reason: "Idle"})
	o.StateChange(model.StateChange{At: at(200), Account: acct, Function: "fn-a", Version: "$LATEST", From: "Inactive", To: "Pending", Reason: "Restoring"})
	o.StateChange(model.StateChange{At: at(260), Account: acct, Function: "fn-a", Version: "$LATEST", From: "Pending", To: "Active", Reason: "Restoring"})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
