package model

import (
	"time"

	"github.com/enisim/enisim/model/dataplane"
	"github.com/enisim/enisim/model/iam"
	"github.com/enisim/enisim/sim"
)

// Config is everything one run of the model needs, as a plain value: it knows nothing of
// files. scenarios builds it; New validates it. References between entities use the
// scenario's identifiers (subnet and security-group ids, role names) within one account,
// and function indices within that account's Functions.
type Config struct {
	Params   Params
	Accounts []Account
	// Timeline holds the control-plane operations, in any order (they are sorted by At,
	// ties kept in slice order).
	Timeline []TimelineOp
	Faults   Faults
	// Legacy selects the pre-2019 model: one ENI per execution environment, created
	// during the cold start (docs/design/model.md).
	Legacy bool
	// SampleEvery is the sampling interval for ENISample, SubnetSample and IntervalStats.
	// Zero selects one minute.
	SampleEvery time.Duration
	// PerInvocation is the fraction of invocations reported one by one through
	// Observer.Invocation: 0 is off, 1 reports all. The choice is a seeded draw.
	PerInvocation float64
}

// Params are the model's timing, capacity and cost parameters. DefaultParams gives the
// facts-sheet defaults; each field's comment says where its default comes from.
type Params struct {
	// ENICreate is the time to create a new Hyperplane ENI (function Pending). Facts §2:
	// 90 s (2019), 60–90 s (2020), "several minutes" (current docs): lognormal, median
	// 75 s, p99 4 min.
	ENICreate sim.Dist
	// ENIAttach is the time to attach a function to an existing ENI: "much faster" than
	// creating one. Unsourced: lognormal, median 3 s, p99 15 s.
	ENIAttach sim.Dist
	// Switchover is the time an UpdateFunctionConfiguration that changes the VPC
	// configuration takes beyond the ENI work: "several minutes". Lognormal, median 4 min,
	// p99 10 min (the p99 is unsourced).
	Switchover sim.Dist
	// ENIDelete is the time from an ENI's last user leaving to the ENI being gone:
	// "up to 20 min" documented, p99 ~35 min quoted by AWS. Lognormal, median 15 min,
	// p99 35 min.
	ENIDelete sim.Dist
	// Restore is the time to re-create an ENI after invoking an Inactive function: users
	// saw 40–106 s; the facts sheet uses the creation distribution.
	Restore sim.Dist
	// IdleReclaim: an ENI none of whose functions was invoked for this long is reclaimed
	// and its functions go Inactive (facts §2: 14 days).
	IdleReclaim time.Duration
	// IPsPerENI is the number of private IPs one Hyperplane ENI takes from its subnet.
	// Unsourced (facts §1): default 1.
	IPsPerENI int
	// ConnectionsPerENI is the number of connections one ENI carries (facts §1: 65,000).
	ConnectionsPerENI int
	// VPCENIQuota is the default "Elastic network interfaces per VPC" quota (facts §1: 500).
	VPCENIQuota int
	// RegionENIQuota is EC2's regional quota of network interfaces per account (facts §1:
	// 5,000): it counts the account's Hyperplane ENIs of all its VPCs (and, in legacy mode,
	// the per-environment ENIs).
	RegionENIQuota int
	// ENIRebalanceEvery and ENIHealthFailEvery are the mean times between a ready
	// Hyperplane ENI being replaced to balance load, and failing a health check (facts §1:
	// "Lambda may delete and recreate ENIs to balance load or after failed health checks").
	// Each is an exponential draw per ready ENI. No rate is published: both default to 0,
	// off, so runs only see these events when a scenario asks for them (see
	// docs/design/model.md, "ENI replacement").
	ENIRebalanceEvery  time.Duration
	ENIHealthFailEvery time.Duration
	// EC2Create and EC2Delete are the default per-account token buckets of
	// CreateNetworkInterface and DeleteNetworkInterface (facts §7: 100 burst, 5/s).
	EC2Create TokenBucket
	EC2Delete TokenBucket
	// EC2Describe is the per-account bucket of the unfiltered Describe* calls (facts §7: 50
	// burst, 10/s). Lambda's creation of an ENI starts with one (DescribeSubnets: is there
	// a free IP?); which Describe calls Lambda makes, and how many, is unsourced.
	EC2Describe TokenBucket
	// EC2AssignIP is the per-account bucket of Assign/UnassignPrivateIpAddresses (facts §7:
	// 100 burst, 5/s). Lambda calls AssignPrivateIpAddresses once after creating an ENI
	// when IPsPerENI > 1 (the secondary IPs); deleting the ENI frees them, so Unassign is
	// never needed. Both choices are unsourced.
	EC2AssignIP TokenBucket
	// EC2RetryBackoff is the wait before retrying a throttled EC2 call; the k-th retry waits
	// k times a draw (linear backoff). Unsourced: exponential, mean 2 s.
	EC2RetryBackoff sim.Dist
	// EC2MaxRetries is how many throttled retries an ENI creation makes before the function
	// fails with EC2RequestLimitExceeded. Unsourced: 5.
	EC2MaxRetries int
	// AccountConcurrency is the default account concurrency quota (facts §8: 1,000).
	AccountConcurrency int
	// ScalingStep environments per ScalingPeriod per function (facts §8: 1,000 per 10 s).
	ScalingStep   int
	ScalingPeriod time.Duration
	// EnvIdleExpiry is how long an idle execution environment is kept warm. Unsourced
	// (measured ~10 min in 2019–2020).
	EnvIdleExpiry time.Duration
	// InitLimit caps the init phase (facts §2: 10 s).
	InitLimit time.Duration
	// ColdStart is the init duration of a new execution environment, for a 1,024 MB
	// function; it scales by sqrt(1024/memory). Facts §2: "under 100 ms to over 1 s":
	// lognormal, median 250 ms, p99 1.5 s.
	ColdStart sim.Dist
	// NetworkIdleTimeout: a TCP flow idle this long is dropped silently (facts §6: 350 s
	// for NAT gateways and endpoints; assumed for Hyperplane ENIs).
	NetworkIdleTimeout time.Duration
	// ResetRTTs and ResetDelay are what a client loses when it reuses a silently dropped
	// connection: the request and the RST coming back, then the SDK's retry back-off.
	// Unsourced: 1 RTT and 50 ms.
	ResetRTTs  int
	ResetDelay sim.Dist
	// CodeUpdate is how long UpdateFunctionCode stays InProgress. Unsourced: lognormal,
	// median 5 s, p99 20 s.
	CodeUpdate sim.Dist
	// InternetTimeout is how long an invocation that needs the internet (or a service
	// without a gateway endpoint) runs before failing when its subnet has no route to it;
	// it holds its execution environment meanwhile. Unsourced: 3 s (the default function timeout).
	InternetTimeout time.Duration
	// LegacyENICreate is the ENI creation time inside a legacy (pre-2019) cold start
	// (facts §9: cold starts of up to ~10 s): lognormal, median 4 s, p99 10 s.
	LegacyENICreate sim.Dist
	// LegacyMemoryPerIP: in legacy mode one IP serves this much memory (facts §9: 3 GB).
	LegacyMemoryPerIPMB int
	// NATHourly and NATPerGB are NAT gateway prices in USD (facts §1: $0.045/h, $0.045/GB).
	NATHourly float64
	NATPerGB  float64
	// NATConnectionsPerIP is how many simultaneous connections a NAT gateway carries to one
	// destination (IP, port, protocol) per public IP (facts §6: 55,000).
	NATConnectionsPerIP int
	// NATNewConnectionRate is how many new connections per second a NAT gateway opens to
	// one destination (facts §6: about 900; the one-second burst is unsourced).
	NATNewConnectionRate float64
	// ENINewConnectionRate is how many new connections per second one Hyperplane ENI
	// accepts; a combination's ENIs together accept ready × this. Facts §6: the limit
	// exists but no figure is published; unsourced, 0 = unlimited (the default).
	ENINewConnectionRate float64
}

// TokenBucket is an EC2 API rate limit: Burst tokens, refilled at Rate per second.
type TokenBucket struct {
	Burst int
	Rate  float64
}

// DefaultParams returns the facts-sheet defaults.
func DefaultParams() Params {
	return Params{
		ENICreate:           sim.LogNormalMedianP99(75*time.Second, 4*time.Minute),
		ENIAttach:           sim.LogNormalMedianP99(3*time.Second, 15*time.Second),
		Switchover:          sim.LogNormalMedianP99(4*time.Minute, 10*time.Minute),
		ENIDelete:           sim.LogNormalMedianP99(15*time.Minute, 35*time.Minute),
		Restore:             sim.LogNormalMedianP99(75*time.Second, 4*time.Minute),
		IdleReclaim:         14 * 24 * time.Hour,
		IPsPerENI:           1,
		ConnectionsPerENI:   65000,
		VPCENIQuota:         500,
		EC2Create:           TokenBucket{Burst: 100, Rate: 5},
		EC2Delete:           TokenBucket{Burst: 100, Rate: 5},
		EC2Describe:         TokenBucket{Burst: 50, Rate: 10},
		EC2AssignIP:         TokenBucket{Burst: 100, Rate: 5},
		RegionENIQuota:      5000,
		EC2RetryBackoff:     sim.Exp(2 * time.Second),
		EC2MaxRetries:       5,
		AccountConcurrency:  1000,
		ScalingStep:         1000,
		ScalingPeriod:       10 * time.Second,
		EnvIdleExpiry:       10 * time.Minute,
		ColdStart:           sim.LogNormalMedianP99(250*time.Millisecond, 1500*time.Millisecond),
		NetworkIdleTimeout:  350 * time.Second,
		ResetRTTs:           1,
		ResetDelay:          sim.Const(50 * time.Millisecond),
		CodeUpdate:          sim.LogNormalMedianP99(5*time.Second, 20*time.Second),
		InitLimit:           10 * time.Second,
		InternetTimeout:     3 * time.Second,
		LegacyENICreate:     sim.LogNormalMedianP99(4*time.Second, 10*time.Second),
		LegacyMemoryPerIPMB: 3072,
		NATHourly:           0.045,
		NATPerGB:            0.045,

		NATConnectionsPerIP:  55000,
		NATNewConnectionRate: 900,
	}
}

// Account is one AWS account in one region. Accounts share nothing unless their VPCs are
// peered (then Partitions keeps them together).
type Account struct {
	ID string
	// Concurrency is the account concurrency quota; 0 selects Params.AccountConcurrency.
	Concurrency int
	// EC2Create / EC2Delete / EC2Describe / EC2AssignIP override Params' token buckets
	// when Burst > 0.
	EC2Create   TokenBucket
	EC2Delete   TokenBucket
	EC2Describe TokenBucket
	EC2AssignIP TokenBucket
	// ENIQuota is the account's regional network-interface quota; 0 selects
	// Params.RegionENIQuota.
	ENIQuota int
	VPCs     []VPC
	Subnets  []Subnet
	// SecurityGroups lists the account's security groups; each belongs to a VPC.
	SecurityGroups []SecurityGroup
	Roles          []Role
	Principals     []Principal
	Functions      []Function
	// Arrivals, when set, replays invocations (e.g. a trace) for this account's functions
	// in addition to each function's Workload.
	Arrivals Arrivals
}

// Tenancy is a VPC's instance tenancy.
type Tenancy uint8

const (
	TenancyDefault Tenancy = iota
	TenancyDedicated
)

// VPC is one virtual private cloud.
type VPC struct {
	ID       string
	Tenancy  Tenancy
	IPv4CIDR string
	IPv6CIDR string // empty when the VPC has no IPv6 block
	// PeeredWith lists VPC ids (possibly of other accounts, as "account/vpc") peered to it.
	PeeredWith []string
	// ENIQuota is the Hyperplane ENIs-per-VPC quota; 0 selects Params.VPCENIQuota.
	ENIQuota int
	// NATGateways is the number of NAT gateways in the VPC (for cost, and the connection
	// limits of nat.go).
	NATGateways int
	// NATGatewayIPs is the number of public IPs of each of its NAT gateways (facts §6: up to
	// 8); each IP adds Params.NATConnectionsPerIP simultaneous connections per destination.
	// 0 means 1 (a gateway has one IP unless more are associated).
	NATGatewayIPs int
}

// Route is where a subnet's default route (0.0.0.0/0) goes.
type Route uint8

const (
	RoutePrivate Route = iota // no default route: no internet
	RouteNAT                  // default route to a NAT gateway: internet through it
	RoutePublic               // default route to an internet gateway: Lambda still gets no public IP
)

// Subnet is one subnet of a VPC.
type Subnet struct {
	ID       string
	VPC      string
	AZ       string
	CIDR     string // IPv4, e.g. 10.0.1.0/24; empty for an IPv6-only subnet
	IPv6CIDR string
	Route    Route
	// GatewayEndpoints lists the services reachable privately, e.g. "s3", "dynamodb".
	GatewayEndpoints []string
}

// SecurityGroup is one security group of a VPC.
type SecurityGroup struct {
	ID  string
	VPC string
}

// Role is an execution role with its permission policies.
type Role struct {
	Name     string
	Policies []*iam.Policy
}

// Principal is a user or role that calls the Lambda API, with its identity policies.
type Principal struct {
	Name     string
	Policies []*iam.Policy
}

// VPCConfig is a function's VPC configuration as given to the Lambda API.
type VPCConfig struct {
	SubnetIds               []string
	SecurityGroupIds        []string
	Ipv6AllowedForDualStack bool
}

// Function is one Lambda function.
type Function struct {
	Name     string
	MemoryMB int // 0 selects 1,024
	Role     string
	VPC      VPCConfig
	// Deployed: the function exists and is Active at the start of the run, its ENIs ready.
	// Otherwise a CreateFunction in the Timeline creates it.
	Deployed bool
	// Versions is the number of versions published (with VPC) before the run (Deployed only).
	Versions int
	// ConnMode, Targets and ProbeInterval are the function's connections (see
	// model/dataplane): keep-alive reuse or a connection per invocation, the downstreams
	// it talks to, and the TCP keepalive probe interval (0: none; Linux's default 7,200 s
	// behaves the same since it exceeds the 350 s network idle timeout).
	ConnMode      dataplane.ConnMode
	Targets       []dataplane.Target
	ProbeInterval time.Duration
	// InternetTargets are the indices (into Targets) of the targets on the internet: from a
	// subnet routed to a NAT gateway their connections go through it and count against its
	// per-destination limits (targets with the same Name in one account are one
	// destination).
	InternetTargets []int
	// NeedsInternet: the invocations call an internet endpoint, which needs a subnet whose
	// default route goes to a NAT gateway; otherwise they time out (Params.InternetTimeout).
	NeedsInternet bool
	// Services lists the AWS services the invocations call, e.g. "s3", "dynamodb": from a
	// VPC they are reachable only through a gateway endpoint of every subnet or a NAT
	// route (facts §5); otherwise the invocations time out.
	Services []string
	Workload Workload
	// Fidelity is how the Workload's invocations are simulated: FidelityExact (the zero
	// value: each invocation is an event) or FidelityAggregate (per-interval counts, with
	// idle gaps, states and ENIs exact; see model/aggregate.go and docs/design/fidelity.md).
	Fidelity Fidelity
}

// Workload generates a function's invocations. A zero Rate means none. A Deployed
// function's workload runs from the start; a function created by the timeline gets
// invocations from its CreateFunction on (failing while it is Pending), and a deleted
// function's stop.
type Workload struct {
	// Rate is the mean invocation rate per second (Poisson).
	Rate float64
	// Diurnal modulates the rate sinusoidally: rate·(1 + Amplitude·sin(2π(t+Phase)/Period)).
	Diurnal Diurnal
	// Bursts multiply the rate during windows.
	Bursts []Burst
	// Quiet windows have no invocations.
	Quiet []Window
	// Service is the time the function's own work takes (seconds); zero value: const 10 ms.
	Service sim.Dist
	// BytesPerInvocation through a NAT gateway (for cost), when a target is on the internet.
	BytesPerInvocation int
	// Qualifiers send shares of the invocations to published versions instead of $LATEST
	// (the rest go to $LATEST); see model/versions.go for what a version invocation is.
	Qualifiers []Qualifier
}

// Qualifier is the share of a workload's invocations that invoke published version Version.
type Qualifier struct {
	Version int
	Share   float64 // in (0, 1]; the shares of one workload add up to at most 1
}

// Diurnal is a sinusoidal rate modulation; Period 0 disables it.
type Diurnal struct {
	Period    time.Duration
	Amplitude float64 // in [0, 1]
	Phase     time.Duration
}

// Burst multiplies the rate by Multiplier during [Start, End).
type Burst struct {
	Start, End time.Duration
	Multiplier float64
}

// Window is a span of simulated time [Start, End).
type Window struct {
	Start, End time.Duration
}

// Arrivals is an external source of invocations, e.g. a trace replay. Next returns
// invocations in non-decreasing time order; fn indexes the account's Functions and dur,
// when positive, overrides the function's Service time.
type Arrivals interface {
	Next() (at sim.Time, fn int32, dur time.Duration, ok bool)
}

// OpKind is a control-plane operation.
type OpKind uint8

const (
	OpCreateFunction OpKind = iota
	OpUpdateFunctionConfiguration
	OpUpdateFunctionCode
	OpPublishVersion
	OpDeleteFunction
	OpPutRolePolicy
	OpDeleteRolePolicy
	OpDeleteRole
	OpSetQuota
	numOpKinds
)

var opNames = [...]string{"CreateFunction", "UpdateFunctionConfiguration", "UpdateFunctionCode",
	"PublishVersion", "DeleteFunction", "PutRolePolicy", "DeleteRolePolicy", "DeleteRole", "SetQuota"}

func (k OpKind) String() string {
	if int(k) < len(opNames) {
		return opNames[k]
	}
	return "OpKind(?)"
}

// ParseOpKind maps an API name such as "UpdateFunctionConfiguration" to its kind.
func ParseOpKind(s string) (OpKind, bool) {
	for i, n := range opNames {
		if n == s {
			return OpKind(i), true
		}
	}
	return 0, false
}

// QuotaKind names what SetQuota changes.
type QuotaKind uint8

const (
	QuotaVPCENIs     QuotaKind = iota // Target: VPC id
	QuotaConcurrency                  // the account's concurrency
	QuotaRegionENIs                   // the account's regional network interfaces (EC2, facts §1)
)

// TimelineOp is one scheduled control-plane operation.
type TimelineOp struct {
	At        time.Duration
	Kind      OpKind
	Account   int    // index into Config.Accounts
	Principal string // the caller (for Lambda API operations); empty: not checked by IAM
	// Functions the operation applies to (indices into the account's Functions). With
	// Stagger > 0 the i-th of n starts at At + i·Stagger/n.
	Functions []int
	Stagger   time.Duration
	// VPC is the new VPC configuration (UpdateFunctionConfiguration; nil keeps the old one;
	// empty lists detach). For CreateFunction nil means the function's declared VPC.
	VPC *VPCConfig
	// MemoryMB, when positive, changes the memory (UpdateFunctionConfiguration).
	MemoryMB int
	// Role, PolicyName and Policy are for PutRolePolicy / DeleteRolePolicy / DeleteRole.
	// PutRolePolicy replaces the policy named PolicyName or adds it.
	Role       string
	PolicyName string
	Policy     *iam.Policy
	// Quota and Value are for SetQuota; Target names the VPC for QuotaVPCENIs.
	Quota  QuotaKind
	Target string
	Value  int
}

// Faults are seeded fault knobs: switched on per run, they fire per occurrence.
type Faults struct {
	// ENICreateFailProb is the probability that an ENI creation fails (InternalError).
	ENICreateFailProb float64
	// CreateLatencyFactor multiplies every ENI creation time (0 means 1).
	CreateLatencyFactor float64
	// EC2Storms are windows during which every EC2 call Lambda makes for the named account
	// (empty: every account) is throttled: Describe*, Create/DeleteNetworkInterface and
	// AssignPrivateIpAddresses.
	EC2Storms []Storm
	// SubnetIPsTaken: at At, IPs of a subnet are taken by other services.
	SubnetIPsTaken []IPGrab
	// RTTSpikes multiply network round trips during windows.
	RTTSpikes []RTTSpike
}

// Storm is an EC2 throttling window for one account (empty Account: all).
type Storm struct {
	Window
	Account string
}

// IPGrab takes IPs of a subnet at a time (other services, e.g. EC2 instances or EFS).
type IPGrab struct {
	At      time.Duration
	Account string
	Subnet  string
	IPs     int
}

// RTTSpike multiplies round trips by Factor during its window.
type RTTSpike struct {
	Window
	Factor float64
}
