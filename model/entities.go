package model

import (
	"math/rand/v2"

	"github.com/enisim/enisim/model/dataplane"
	"github.com/enisim/enisim/model/iam"
	"github.com/enisim/enisim/sim"
)

// function is the hot state of one Lambda function ($LATEST). It is kept small (an idle
// function costs well under 256 bytes); names and rarely used data live in functionMeta.
type function struct {
	lastInvoked sim.Time // for idle reclamation (invariant-free: only ever increases)
	acct        int32
	role        int32
	acc         int32 // interval accumulator slot, -1 when none this interval
	nextCombo   uint32
	state       State
	reason      Reason
	upd         UpdateStatus
	updReason   Reason
	needsNet    bool   // NeedsInternet (its traffic goes through a NAT gateway)
	unreachable bool   // in its VPC, an endpoint it needs (internet or a service) has no route
	cur         netcfg // the configuration invocations use
	pool        *dataplane.Pool
	wl          *workload  // nil: no workload of its own
	op          *opState   // nil when no operation is in progress
	rt          *fnRuntime // invocation-side state, made on the first invocation
}

// netcfg is a resolved VPC configuration: the VPC and one combo per subnet.
type netcfg struct {
	vpc    int32   // -1: no VPC
	combos []int32 // one per subnet, in the configuration's order
}

func noVPC() netcfg { return netcfg{vpc: -1} }

// runtime is a function's invocation-side state.
type fnRuntime struct {
	arrivals rand.PCG
	draws    rand.PCG
	// arrR and drawR wrap the streams once (rand.Rand's ziggurat ExpFloat64 and
	// NormFloat64 are several times cheaper than inversion).
	arrR, drawR *rand.Rand
	// envCombo[env] is the combo whose ENI carries the environment's connections (legacy:
	// whose subnet and security groups its own ENI has), -1 once the environment is gone.
	// Which environments run an invocation is the pool's (Pool.EnvBusy): retireEnvs and
	// dropIdleFlows ask it rather than keep a copy written twice per invocation.
	envCombo []int32
	envConns []int32 // connections each environment holds on its combo
	conns    int32   // connections per environment (len(Targets))
	perInv   bool    // connections held only while an invocation runs
	sampled  rand.PCG
	// envGW[env] is the NAT gateway whose destinations the environment holds connections
	// to (-1: none); natUses are the function's internet destinations (nat.go).
	envGW   []int32
	natUses []natUse
	// envLast[env]: when the environment's connections were last used (the end of its last
	// invocation), for the NAT gateway's idle drop (dropIdleFlows); parallel to envGW.
	envLast []sim.Time
	// envRedial[env]: the environment's last reconnect was refused, its next invocation
	// dials again (nat.go's netReconnect).
	envRedial []bool
	// dp is the account's data-plane limits (m.accts[f.acct].dp, fixed at build), at hand
	// for every Invoke and Complete of $LATEST (set by rtFor; nil in a version's runtime,
	// whose invocations pass the account themselves).
	dp *dataplane.Account
}

// functionMeta holds a function's names and cold control-plane data.
type functionMeta struct {
	name     string
	key      uint64 // stable stream key
	mem      int
	cfg      *VPCConfig // the VPC configuration in use, as given to the API (nil: none)
	versions []version
	opSeq    uint64
	natBytes int64 // Workload.BytesPerInvocation
	dpCfg    *dataplane.Config
}

// version is a published version: a snapshot of the configuration, holding its ENIs.
type version struct {
	n      int
	net    netcfg
	state  State
	reason Reason
	last   sim.Time // its last invocation (or publication), for idle reclamation
	op     *opState // its restore in progress (versions.go), nil when none
	mem    int      // the function's memory when it was published (MB)
	// rt is its data plane (execution environments, connections), made on its first
	// invocation (version_invoke.go); nil until then.
	rt *versionRT
}

// opKind is what kind of asynchronous operation a function has in progress.
type opKind uint8

const (
	opCreate opKind = iota + 1
	opUpdateConfig
	opUpdateCode
	opRestore
)

// opState is an operation in progress: it finishes when outstanding reaches zero (each
// awaited ENI, the attach timer and the switchover timer count one) or on the first failure.
type opState struct {
	kind        opKind
	gen         uint32
	outstanding int32
	newENIs     int32
	waits       int32 // combos it waited for (new or already being created)
	start       sim.Time
	pend        netcfg
	pendCfg     *VPCConfig
	vpcChange   bool
	memoryMB    int
	principal   string
	decision    iam.Decision
	fromVPC     string
	toVPC       string
}

// combo is the set of Hyperplane ENIs of one (subnet, exact security-group set) in one
// account (facts §1): every function with that combination shares them.
type combo struct {
	acct, subnet int32
	key          uint64 // stable stream key
	sgs          string // sorted, comma-joined
	refs         int32  // references from function configurations and versions
	users        []int32
	enis         []int32 // its ENIs that are Creating or Ready
	ready        int32
	creating     int32
	conns        int32 // open connections over its ready ENIs
	waiters      []waiter
	idleGen      uint32
	idleArmed    bool
	// down: a failed health check took its last ready ENI and the replacement is on the
	// way; its functions stay Active meanwhile (invariant 3, replace.go).
	down     bool
	eniSeq   uint64
	lastRole int32 // the role of the last function that released it (deletes its ENIs)
}

// waiter is a function operation waiting for a combo to get a ready ENI.
type waiter struct {
	fn  int32
	gen uint32
}

// eni is one Hyperplane ENI (or, in legacy mode, one environment's ENI once its
// environment is gone and it is being deleted).
type eni struct {
	combo     int32 // its combination (still set while deleting/lingering, for names and scope)
	subnet    int32
	vpc       int32
	role      int32
	state     eniState
	retries   uint8
	phase     ec2Call // the next EC2 call of its creation (tryCreate)
	legacy    bool    // a legacy per-environment ENI (only ever Deleting or Lingering here)
	replacing bool    // Ready and a replacement for it is on the way (replace.go)
	gen       uint32
	// replaces is the ENI this one was requested to replace (-1: none) and replacesGen
	// that ENI's generation then (replace.go).
	replaces    int32
	replacesGen uint32
	seq         uint64 // sequence number within its combo: names it and keys its draws
	requested   sim.Time
	rng         rand.PCG
}

// timelineItem is one scheduled operation on one function (Stagger expanded).
type timelineItem struct {
	at  sim.Time
	op  int32 // index into Config.Timeline
	fn  int32 // global function index, -1 for account-level ops
	seq int32
}

// workload is a compiled Workload.
type workload struct {
	rate, rateMax float64
	gen           uint32
	w             *Workload
	constRate     bool // no diurnal, no bursts: every candidate is accepted
	service       sim.Dist
	quals         *qualifiers // shares of published versions (versions.go); nil: all $LATEST
}

// intervalAcc accumulates one function's invocations over one sampling interval.
type intervalAcc struct {
	fn       int32
	start    sim.Time
	acc      dataplane.Accumulator
	errors   [numErrCodes]int64
	vpc      int32
	natBytes int64
}

// ec2Bucket is an EC2 API token bucket (float tokens: EC2's refill rate is per second and
// the bucket only matters on the control plane).
type ec2Bucket struct {
	tokens float64
	last   sim.Time
	burst  float64
	rate   float64
}

func newEC2Bucket(b TokenBucket) ec2Bucket {
	return ec2Bucket{tokens: float64(b.Burst), burst: float64(b.Burst), rate: b.Rate}
}

// take refills at now and takes one token if there is one.
func (b *ec2Bucket) take(now sim.Time) bool {
	b.tokens += now.Sub(b.last).Seconds() * b.rate
	b.last = now
	if b.tokens > b.burst {
		b.tokens = b.burst
	}
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	return false
}

// nopObserver discards observations.
type nopObserver struct{}

func (nopObserver) ENISample(ENISample)       {}
func (nopObserver) SubnetSample(SubnetSample) {}
func (nopObserver) StateChange(StateChange)   {}
func (nopObserver) Operation(Operation)       {}
func (nopObserver) ENIEvent(ENIEvent)         {}
func (nopObserver) Interval(IntervalStats)    {}
func (nopObserver) Invocation(Invocation)     {}

var _ Observer = nopObserver{}
