package model

import (
	"time"

	"github.com/enisim/enisim/model/dataplane"
	"github.com/enisim/enisim/sim"
)

// Observer receives what the model observes. results implements it; tests record it.
// Calls happen on the partition's goroutine, in event order; records are values and
// must not be retained by reference. Names (Account, VPC, Subnet, Function…) are the
// scenario's identifiers.
type Observer interface {
	// Sample is called every sampling interval with the state at that time.
	ENISample(ENISample)
	SubnetSample(SubnetSample)
	// StateChange is called on every function state or LastUpdateStatus transition. For
	// a LastUpdateStatus change UpdateFrom/UpdateTo are set (UpdateFrom "" = never updated)
	// and From = To = the unchanged state. Published versions report Version = "1", "2"…
	StateChange(StateChange)
	// Operation is called when a control-plane operation finishes (or is rejected).
	// Restores of Inactive functions are not operations: see StateChange (Pending/Restoring).
	Operation(Operation)
	// ENIEvent is called when an ENI is requested, becomes ready, fails, is reclaimed,
	// rebalanced, fails a health check or is deleted.
	ENIEvent(ENIEvent)
	// Interval is called every sampling interval with the invocation aggregates of the
	// interval that just ended, one record per function that had activity (in function
	// order). A VPC switchover ends a function's record early: one record up to the switch
	// (old VPC), the next from it (new VPC). Published versions that had activity follow,
	// one record each under the qualified name "function:N" with the version's VPC (in
	// function and version order). Finish emits the last, partial interval.
	Interval(IntervalStats)
	// Invocation is called for each invocation when per-invocation output is on.
	Invocation(Invocation)
}

// ENISample: Hyperplane ENIs of one (subnet, SG set) combination at a sampling time.
type ENISample struct {
	At          sim.Time
	Account     string
	VPC         string
	Subnet      string
	SGSet       string // sorted, comma-joined security group ids
	ENIs        int    // ready + being created
	ENIsReady   int
	Connections int // open connections over the combination's ENIs
	VPCENIs     int // all Hyperplane ENIs in the VPC (incl. deleting and lingering; legacy ENIs too)
	VPCQuota    int
	// Added by the model: ENIs of the combination being deleted or left behind (their
	// last user is gone but they still count against the quota and the subnet), and the
	// functions and versions referencing the combination.
	ENIsDeleting  int
	ENIsLingering int
	References    int
}

// SubnetSample: IP use of one subnet at a sampling time.
type SubnetSample struct {
	At        sim.Time
	Account   string
	VPC       string
	Subnet    string
	IPsUsed   int
	IPsUsable int
	// Added by the model: IPs taken by other services (faults) and, in legacy mode, by
	// per-environment ENIs, those being deleted included (both included in IPsUsed).
	IPsOther  int
	IPsLegacy int
}

// StateChange: a function (or version) moved between states.
type StateChange struct {
	At         sim.Time
	Account    string
	Function   string
	Version    string // "$LATEST" or a published version number
	From, To   string // Pending, Active, Inactive, Failed
	Reason     string // StateReasonCode: Creating, Restoring, Idle, EniLimitExceeded…
	UpdateFrom string // LastUpdateStatus before/after (empty when unchanged)
	UpdateTo   string
}

// Operation: one control-plane call and what became of it.
type Operation struct {
	Start, End   sim.Time // End = when the operation completed (for async ops: update finished)
	Account      string
	Principal    string
	Op           string // CreateFunction, UpdateFunctionConfiguration, …
	Function     string
	IAMDecision  string // Allow, ImplicitDeny, ExplicitDeny
	IAMStatement string // Sid (or index) of the deciding statement
	Outcome      string // Successful, Failed, Rejected
	Error        string // AWS error code when not successful
	AttachedOnly bool   // all ENIs already existed (attach, not create)
	NewENIs      int
	FromVPC      string
	ToVPC        string
	// Added by the model: what an account-level operation (PutRolePolicy,
	// DeleteRolePolicy, DeleteRole, SetQuota) applied to — a role (role/policy) or a VPC;
	// Function is empty for those.
	Resource string
}

// ENIEvent: one step in a Hyperplane ENI's life.
type ENIEvent struct {
	At       sim.Time
	Account  string
	VPC      string
	Subnet   string
	SGSet    string
	ENI      string
	Event    string // Requested, Throttled, Ready, CreateFailed, Reclaimed, DeleteRequested, Deleted, Lingering, Rebalance, HealthCheckFailed, ReplaceFailed
	Reason   string
	Duration time.Duration // for Ready/Deleted: time since requested
}

// IntervalStats: invocation aggregates for one function over one sampling interval.
type IntervalStats struct {
	Start, End  sim.Time
	Account     string
	Function    string // a published version's records: "function:N"
	VPC         string // the VPC that served (old VPC during a switchover; a version's own)
	Invocations int    // invocations that ran (admitted), including those that timed out (Task.TimedOut: no route)
	ColdStarts  int
	Errors      map[string]int // by AWS error code, TooManyRequestsException included (= Throttled); nil when none
	Throttled   int
	ConnReused  int // kept-alive connection reused
	ConnNew     int // connection set up
	ConnResets  int // reuse failed after the network idle timeout, then reconnected
	LatencySum  time.Duration
	LatencyP50  time.Duration
	LatencyP99  time.Duration
	// Latency is the histogram behind LatencyP50/P99 (cold start + connection setup +
	// operations + the function's compute, per admitted invocation), so that a consumer can
	// merge intervals into exact run-level quantiles (within dataplane.HistMaxRelErr). It is
	// valid only during the Interval call (the model reuses it) and nil when the record has
	// no histogram (no invocations, or the aggregate fidelity level).
	Latency           *dataplane.Histogram
	ColdStartSum      time.Duration
	ConnSetupSum      time.Duration
	OperationSum      time.Duration
	ConcurrentPeak    int
	EnvironmentsAlive int
	// Added by the model: invocations rejected by errors (sum of Errors), init phases
	// clamped at the 10 s limit, bytes sent through a NAT gateway.
	Failed       int
	InitTimeouts int
	NATBytes     int64
}

// Invocation: one invocation (only when per-invocation output is on).
type Invocation struct {
	At        sim.Time
	Account   string
	Function  string // "function:N" for an invocation of published version N
	VPC       string
	Cold      bool
	ColdStart time.Duration
	ConnSetup time.Duration
	Operation time.Duration
	Reconnect bool // a kept-alive connection had been dropped
	Error     string
}
