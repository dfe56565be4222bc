package model

import (
	"errors"
	"math"
	"math/rand/v2"
	"time"

	"github.com/enisim/enisim/model/dataplane"
	"github.com/enisim/enisim/model/iam"
	"github.com/enisim/enisim/sim"
)

// ErrInvalidConfig is wrapped by every error New returns about its Config.
var ErrInvalidConfig = errors.New("model: invalid configuration")

// Event kinds. Obj and Arg are documented per kind; every kind whose target can change
// meanwhile carries a generation in Arg and is ignored when stale.
const (
	evArrival      uint32 = iota // Obj fn, Arg workload generation
	evTrace                      // Obj account: the next external arrival is due
	evComplete                   // Obj fn, Arg dataplane.PackArg(env, gen)
	evExpire                     // Obj fn, Arg dataplane.PackArg(env, gen)
	evTimeline                   // Obj index into m.timeline
	evENICreated                 // Obj eni, Arg eni generation
	evENIRetry                   // Obj eni, Arg eni generation: retry a throttled CreateNetworkInterface
	evENIDeleted                 // Obj eni, Arg eni generation
	evENIDeleteTry               // Obj eni, Arg eni generation: (re)try DeleteNetworkInterface
	evOpStep                     // Obj fn, Arg op generation: an attach/switchover/code timer ran out
	evIdleCheck                  // Obj combo, Arg idle-timer generation
	evSample                     // periodic sampling
	evIPGrab                     // Obj index into Faults.SubnetIPsTaken
	evAggExpire                  // Obj fn, Arg aggregate expiry generation (aggregate.go)
	evENIReplace                 // Obj eni, Arg eni generation | replaceHealth<<32: a rebalance or failed health check (replace.go)
	evVerComplete                // Obj index into m.vrts, Arg dataplane.PackArg(env, gen) (version_invoke.go)
	evVerExpire                  // Obj index into m.vrts, Arg dataplane.PackArg(env, gen)
	numEventKinds
)

// Model is the Lambda VPC networking state machine of one partition (a set of accounts
// sharing nothing with others). It is driven by Handle and reports through an Observer.
type Model struct {
	cfg  *Config
	p    Params
	seed sim.Seed
	obs  Observer

	accts    []account
	vpcs     []vpc
	subnets  []subnet
	sgs      []securityGroup
	roles    []role
	fns      []function
	fmeta    []functionMeta
	combos   []combo
	enis     []eni
	freeENIs []int32
	timeline []timelineItem

	// interval accumulators, taken by functions with activity in the current interval
	accs     []intervalAcc
	freeAccs []int32
	active   []int32 // functions that held an accumulator this interval (may repeat)
	// splitAt: functions whose interval record was cut short by a VPC change, and when.
	splitAt map[int32]sim.Time
	// vrts: the data planes of published versions, in order of first invocation (the Obj
	// of their events; kept after the version is gone so in-flight completions still land);
	// vactive: those holding an interval accumulator this interval (version_invoke.go).
	vrts    []*versionRT
	vactive []int32

	sampleEvery   time.Duration
	intervalStart sim.Time
	started       bool
	finished      bool

	// createFactor is Faults.CreateLatencyFactor (1 when unset).
	createFactor float64
	rttSpikes    []RTTSpike

	counters Counters
	// plainDP is the data-plane configuration shared by functions without targets.
	plainDP *dataplane.Config
	// defaultService is the service time of invocations without a workload of their own.
	defaultService sim.Dist
	// onEvent, when set (build tag enisim_invariants), runs after every event.
	onEvent func(m *Model)
	// agg is the state of FidelityAggregate functions (aggregate.go); nil when none.
	agg *aggregates
	// net is the state of the NAT gateway and ENI connection limits (nat.go); nil when none apply.
	net *netLimits
}

// Counters are run totals, for a quick summary.
type Counters struct {
	Invocations    int64 // invocation attempts, including failed and throttled ones
	Errors         [numErrCodes]int64
	Throttled      int64
	ColdStarts     int64
	ENIsCreated    int64
	ENIsDeleted    int64
	ENIsReclaimed  int64
	ENICreateFails int64
	EC2Throttles   int64 // throttled EC2 calls of every API (Describe*, Create, Delete, Assign)
	// ENIsRebalanced and ENIHealthFails count replacements started by a rebalance and by a
	// failed health check; ENIReplaceFails counts those that could not be carried out (no
	// quota, IP or permission, or the replacement's creation failed).
	ENIsRebalanced  int64
	ENIHealthFails  int64
	ENIReplaceFails int64
	NoInternet      int64
	NATBytes        int64
	TraceSkipped    int64 // external arrivals naming no function of their account
	// NATConnFails: new connections a NAT gateway refused (simultaneous limit per
	// destination and IP, or new-connection rate); ENIConnRateFails: new connections
	// refused by the per-ENI new-connection rate. Each fails an invocation with
	// ConnectionTimeout (nat.go).
	NATConnFails     int64
	ENIConnRateFails int64
	// VersionInvocations: invocations of published versions (versions.go), included in Invocations.
	VersionInvocations int64
}

// account is one account's runtime state.
type account struct {
	id          string
	dp          *dataplane.Account
	create, del ec2Bucket
	describe    ec2Bucket // Describe* (unfiltered)
	assign      ec2Bucket // Assign/UnassignPrivateIpAddresses
	enis        int32     // network interfaces in the region: its VPCs' ENIs (invariant 2b)
	eniQuota    int32     // EC2's regional network-interface quota
	fn0, nfn    int32     // its functions are m.fns[fn0 : fn0+nfn]
	vpcByID     map[string]int32
	subnetByID  map[string]int32
	sgByID      map[string]int32
	roleByName  map[string]int32
	principals  map[string]*Principal
	comboByKey  map[comboKey]int32
	storms      []Window
	arrivals    Arrivals
	// the next external arrival, read ahead
	nextAt  sim.Time
	nextFn  int32
	nextDur time.Duration
	hasNext bool
}

type comboKey struct {
	subnet int32
	sgs    string // sorted, comma-joined security group ids
}

type vpc struct {
	acct     int32
	id       string
	tenancy  Tenancy
	dualOK   bool // has an IPv6 block
	quota    int32
	enis     int32 // Hyperplane (or legacy) ENIs that exist (creating, ready, deleting, lingering)
	nat      int32
	natBytes int64
	peak     int32 // most ENIs at once
}

type subnet struct {
	acct, vpc int32
	id        string
	az        string
	usable    int32 // 2^(32-p) - 5
	taken     int32 // IPs used by other services (faults)
	enis      int32 // ENIs in this subnet (each takes IPsPerENI)
	legacy    int32 // of which legacy per-environment ENIs
	hasIPv4   bool
	hasIPv6   bool
	route     Route
	peakIPs   int32
	endpoints []string // gateway endpoints (services reachable privately)
}

type securityGroup struct {
	acct, vpc int32
	id        string
}

type role struct {
	acct     int32
	name     string
	deleted  bool
	names    []string // policy names, parallel to policies
	policies []*iam.Policy
}

// ipsUsed is the IPs the subnet's ENIs and other services take.
func (m *Model) ipsUsed(sn *subnet) int32 { return sn.enis*int32(m.p.IPsPerENI) + sn.taken }

// New validates cfg and builds the model. The Config must not change afterwards.
func New(cfg *Config, seed sim.Seed, obs Observer) (*Model, error) {
	if cfg == nil {
		return nil, errorf("config", "nil", "must be set")
	}
	if obs == nil {
		obs = nopObserver{}
	}
	m := &Model{cfg: cfg, p: cfg.Params, seed: seed, obs: obs, defaultService: sim.Const(10 * time.Millisecond)}
	if err := m.build(); err != nil {
		return nil, err
	}
	if err := m.buildAggregates(); err != nil {
		return nil, err
	}
	installInvariantHook(m)
	return m, nil
}

// Start schedules the run's first events: workloads, the timeline, faults and sampling.
func (m *Model) Start(s sim.Scheduler) error {
	if m.started {
		return errors.New("model: Start called twice")
	}
	m.started = true
	now := s.Now()
	m.intervalStart = now
	for i := range m.fns {
		f := &m.fns[i]
		if f.state != StateAbsent && f.wl != nil && f.wl.rateMax > 0 {
			m.scheduleArrival(int32(i), now, s)
		}
	}
	for a := range m.accts {
		m.readAhead(int32(a), s)
	}
	for i := range m.timeline {
		if err := m.schedule(s, sim.Event{At: m.timeline[i].at, Kind: evTimeline, Obj: uint32(i)}); err != nil {
			return err
		}
	}
	for i, g := range m.cfg.Faults.SubnetIPsTaken {
		if err := m.schedule(s, sim.Event{At: sim.Time(g.At), Kind: evIPGrab, Obj: uint32(i)}); err != nil {
			return err
		}
	}
	for c := range m.combos {
		m.armIdle(int32(c), now, s)
	}
	m.armReplaceAll(s)
	return m.schedule(s, sim.Event{At: now.Add(m.sampleEvery), Kind: evSample})
}

// schedule is Schedule for events whose time is known to be valid.
func (m *Model) schedule(s sim.Scheduler, ev sim.Event) error {
	_, err := s.Schedule(ev)
	return err
}

// must schedules an event the model computed itself; failing means a model bug.
func (m *Model) must(s sim.Scheduler, ev sim.Event) sim.Handle {
	h, err := s.Schedule(ev)
	if err != nil {
		m.panicf("scheduling %+v: %v", ev, err)
	}
	return h
}

// Handle handles one event at s.Now().
func (m *Model) Handle(ev sim.Event, s sim.Scheduler) {
	switch ev.Kind {
	case evArrival:
		m.onArrival(ev, s)
	case evTrace:
		m.onTrace(ev, s)
	case evComplete:
		m.onComplete(ev, s)
	case evExpire:
		m.onExpire(ev, s)
	case evTimeline:
		m.onTimeline(ev, s)
	case evENICreated:
		m.onENICreated(ev, s)
	case evENIRetry:
		m.onENIRetry(ev, s)
	case evENIDeleted:
		m.onENIDeleted(ev, s)
	case evENIDeleteTry:
		m.onENIDeleteTry(ev, s)
	case evOpStep:
		m.onOpStep(ev, s)
	case evIdleCheck:
		m.onIdleCheck(ev, s)
	case evSample:
		m.aggFlush(s.Now())
		m.onSample(ev, s)
	case evIPGrab:
		m.onIPGrab(ev, s)
	case evAggExpire:
		m.onAggExpire(ev, s)
	case evENIReplace:
		m.onENIReplace(ev, s)
	case evVerComplete:
		m.onVersionComplete(ev, s)
	case evVerExpire:
		m.onVersionExpire(ev, s)
	default:
		m.panicf("unknown event kind %d", ev.Kind)
	}
	if m.onEvent != nil {
		m.onEvent(m)
	}
}

// Finish emits the samples and interval aggregates of the last, partial interval.
func (m *Model) Finish(now sim.Time) {
	if m.finished {
		return
	}
	m.finished = true
	m.aggFlush(now)
	if now == m.intervalStart && len(m.active) == 0 {
		return // the sampling event at now already reported everything
	}
	m.emitSamples(now)
}

// Counters returns the run totals so far.
func (m *Model) Counters() Counters { return m.counters }

// panicf reports a broken model invariant with the seed that reproduces it.
func (m *Model) panicf(format string, args ...any) {
	panic(invariantError(m.seed, format, args...))
}

// pcg streams: u01 and exp draws without wrapping the source in a rand.Rand (which would
// allocate on the hot path).
func u01(src *rand.PCG) float64 { return float64(src.Uint64()>>11) * 0x1p-53 }

// sampleDur draws a span from d; Const, Exp and LogNormal (the hot-path kinds) are drawn
// here without allocating, the rest through sim.Dist.
func sampleDur(d *sim.Dist, src *rand.PCG) time.Duration {
	var v float64
	switch d.Kind {
	case sim.DistConst:
		v = d.A
	case sim.DistExp:
		v = expDraw(src) * d.A
	case sim.DistLogNormal:
		v = logNormalDraw(d.A, d.B, src)
	default:
		return d.Duration(src)
	}
	if v >= float64(1<<63-1)/1e9 {
		return time.Duration(1<<63 - 1)
	}
	return time.Duration(v * 1e9)
}

// fastDur is sampleDur for the hot path, drawing exponentials and normals with r's
// ziggurat (r wraps src).
func fastDur(d *sim.Dist, r *rand.Rand, src *rand.PCG) time.Duration {
	var v float64
	switch d.Kind {
	case sim.DistConst:
		v = d.A
	case sim.DistExp:
		v = r.ExpFloat64() * d.A
	case sim.DistLogNormal:
		v = math.Exp(d.A + d.B*r.NormFloat64())
	default:
		return d.Duration(src)
	}
	if v >= float64(1<<63-1)/1e9 {
		return time.Duration(1<<63 - 1)
	}
	return time.Duration(v * 1e9)
}
