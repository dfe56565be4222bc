package scenarios

import (
	"gopkg.in/yaml.v3"

	"github.com/enisim/enisim/model/iam"
)

// Scenario is one what-if, as written in a scenario file. Load/Parse fill it and validate
// it; Model converts it into the model's Config for one sweep point. Field comments give
// the YAML key, its unit and its default; docs/scenarios.md is the user's reference.
type Scenario struct {
	// Name is the file's base name without .yaml, or the built-in's name.
	Name string `json:"name"`
	// Source is the file path, or "builtin:NAME".
	Source string `json:"-"`

	Description string      `yaml:"description" json:"description"`
	Accounts    []Account   `yaml:"accounts" json:"accounts"`
	Roles       []Role      `yaml:"roles" json:"roles"`
	Principals  []Principal `yaml:"principals" json:"principals"`
	Fleets      []Fleet     `yaml:"fleets" json:"fleets"`
	Timeline    []Operation `yaml:"timeline" json:"timeline"`
	Faults      []Fault     `yaml:"faults" json:"faults"`
	Params      Params      `yaml:"params" json:"params"`
	Run         Run         `yaml:"run" json:"run"`

	// root is the parsed document, kept so that sweep points can be applied to it and
	// re-decoded; dir is the scenario's directory tree (nil for byte input without one).
	root   *yaml.Node
	src    []byte
	opts   options
	traces map[string]*traceInfo // by fleet name
}

// Account is one AWS account (in one region) with its VPCs.
type Account struct {
	Name string `yaml:"name" json:"name"`
	// Concurrency is the account concurrency quota (default params.quotas.accountConcurrency).
	Concurrency int `yaml:"concurrency" json:"concurrency,omitempty"`
	// EC2RateLimits override params.ec2 buckets for this account.
	EC2RateLimits *EC2RateLimits `yaml:"ec2RateLimits" json:"ec2RateLimits,omitempty"`
	// RegionENIs is the account's regional network-interface quota (default
	// params.quotas.regionENIs).
	RegionENIs int   `yaml:"regionENIs" json:"regionENIs,omitempty"`
	VPCs       []VPC `yaml:"vpcs" json:"vpcs"`
}

// EC2RateLimits are token buckets of the EC2 API actions Lambda calls.
type EC2RateLimits struct {
	CreateNetworkInterface   *Bucket `yaml:"createNetworkInterface" json:"createNetworkInterface,omitempty"`
	DeleteNetworkInterface   *Bucket `yaml:"deleteNetworkInterface" json:"deleteNetworkInterface,omitempty"`
	Describe                 *Bucket `yaml:"describe" json:"describe,omitempty"`
	AssignPrivateIPAddresses *Bucket `yaml:"assignPrivateIpAddresses" json:"assignPrivateIpAddresses,omitempty"`
}

// Bucket is a token bucket: burst tokens, refilled at rate.
type Bucket struct {
	Burst int  `yaml:"burst" json:"burst"`
	Rate  Rate `yaml:"rate" json:"rate"`
}

// VPC is one VPC with its subnets and security groups.
type VPC struct {
	Name     string `yaml:"name" json:"name"`
	CIDR     CIDR   `yaml:"cidr" json:"cidr"`
	IPv6CIDR CIDR   `yaml:"ipv6Cidr" json:"ipv6Cidr"`
	// Tenancy is default or dedicated (Lambda cannot attach to a dedicated VPC).
	Tenancy string `yaml:"tenancy" json:"tenancy,omitempty"`
	// Peering names VPCs peered with this one ("vpc" in the same account, "account/vpc").
	Peering []string `yaml:"peering" json:"peering,omitempty"`
	// ENIQuota is the Hyperplane ENIs-per-VPC quota (default params.quotas.vpcENIs).
	ENIQuota int `yaml:"eniQuota" json:"eniQuota,omitempty"`
	// NATGateways, for cost; default: 1 when a subnet routes through a NAT gateway.
	NATGateways    *int     `yaml:"natGateways" json:"natGateways,omitempty"`
	Subnets        []Subnet `yaml:"subnets" json:"subnets"`
	SecurityGroups []string `yaml:"securityGroups" json:"securityGroups"`
	// NATGatewayIPs is the number of public IPs of each NAT gateway (default 1, at most 8):
	// each carries params.network.natConnectionsPerIP connections per destination.
	NATGatewayIPs int `yaml:"natGatewayIPs" json:"natGatewayIPs,omitempty"`
}

// Subnet is one subnet of a VPC.
type Subnet struct {
	Name     string `yaml:"name" json:"name"`
	AZ       string `yaml:"az" json:"az"`
	CIDR     CIDR   `yaml:"cidr" json:"cidr"`
	IPv6CIDR CIDR   `yaml:"ipv6Cidr" json:"ipv6Cidr"`
	// Route is private (no default route), nat, or public (internet gateway).
	Route string `yaml:"route" json:"route,omitempty"`
	// Endpoints lists gateway endpoints reachable from the subnet: s3, dynamodb.
	Endpoints []string `yaml:"endpoints" json:"endpoints,omitempty"`
}

// Role is an execution role.
type Role struct {
	Name    string `yaml:"name" json:"name"`
	Account string `yaml:"account" json:"account,omitempty"`
	// Managed names AWS managed policies attached to the role.
	Managed  []string `yaml:"managed" json:"managed,omitempty"`
	Policies []Policy `yaml:"policies" json:"policies,omitempty"`
}

// Principal is a user or role that calls the Lambda API.
type Principal struct {
	Name     string   `yaml:"name" json:"name"`
	Account  string   `yaml:"account" json:"account,omitempty"`
	Managed  []string `yaml:"managed" json:"managed,omitempty"`
	Policies []Policy `yaml:"policies" json:"policies,omitempty"`
}

// Policy is an inline policy: a name and an AWS JSON policy document.
type Policy struct {
	Name     string    `yaml:"name" json:"name"`
	Document PolicyDoc `yaml:"document" json:"document"`
}

// PolicyDoc is a JSON policy document written as a YAML block string, parsed by iam.Parse.
type PolicyDoc struct {
	Text   string      `json:"text"`
	Parsed *iam.Policy `json:"-"`
}

// VPCConfig is a function's VPC configuration, named as in the Lambda API.
type VPCConfig struct {
	SubnetIds               []string `yaml:"SubnetIds" json:"SubnetIds"`
	SecurityGroupIds        []string `yaml:"SecurityGroupIds" json:"SecurityGroupIds"`
	Ipv6AllowedForDualStack bool     `yaml:"Ipv6AllowedForDualStack" json:"Ipv6AllowedForDualStack,omitempty"`
}

// Fleet is a group of similar functions.
type Fleet struct {
	Name    string `yaml:"name" json:"name"`
	Account string `yaml:"account" json:"account,omitempty"`
	// Count is the number of functions (for a trace fleet: at most this many of the trace's
	// functions; default all).
	Count int `yaml:"count" json:"count"`
	// NamePattern names function i, e.g. "api-{i:04}" → api-0007; default "NAME-{i}".
	NamePattern string `yaml:"namePattern" json:"namePattern,omitempty"`
	// Memory in MB (512, 512MB, 2GB); default 1024.
	Memory    Size       `yaml:"memory" json:"memory,omitempty"`
	Role      string     `yaml:"role" json:"role"`
	VPCConfig *VPCConfig `yaml:"vpcConfig" json:"vpcConfig,omitempty"`
	// Versions is the number of published versions that exist at the start (Start: active).
	Versions int `yaml:"versions" json:"versions,omitempty"`
	// Start is active (deployed and Active at time 0) or absent (created by the timeline).
	Start       string       `yaml:"start" json:"start,omitempty"`
	Connections *Connections `yaml:"connections" json:"connections,omitempty"`
	Workload    *Workload    `yaml:"workload" json:"workload,omitempty"`
	Trace       *Trace       `yaml:"trace" json:"trace,omitempty"`
	// Fidelity is exact (default: every invocation simulated) or aggregate (per-interval
	// invocation counts; states, idle gaps and ENIs stay exact: docs/design/fidelity.md).
	Fidelity string `yaml:"fidelity" json:"fidelity,omitempty"`
}

// Connections are the downstreams a fleet's functions talk to through their ENIs.
type Connections struct {
	// Mode is keepalive (connections opened during init and reused; default) or
	// per-invocation (a new connection each time).
	Mode string `yaml:"mode" json:"mode,omitempty"`
	// KeepaliveInterval is the TCP keepalive probe interval (default none: Linux's
	// 7200s exceeds the 350s network idle timeout anyway).
	KeepaliveInterval Duration `yaml:"keepaliveInterval" json:"keepaliveInterval,omitempty"`
	Targets           []Target `yaml:"targets" json:"targets"`
}

// Target is one downstream endpoint.
type Target struct {
	Name string `yaml:"name" json:"name"`
	// Kind is db (inside the VPC), dynamodb or s3 (through a gateway endpoint when every
	// subnet has one, else the internet), or internet (needs a NAT route).
	Kind string `yaml:"kind" json:"kind"`
	// RTT is one network round trip (default by kind: see docs/scenarios.md).
	RTT *Dist `yaml:"rtt" json:"rtt,omitempty"`
	// TLS is none, "1.2" or "1.3" (default none).
	TLS string `yaml:"tls" json:"tls,omitempty"`
	// OpTime is the time of one operation once connected (default const 5ms).
	OpTime *Dist `yaml:"opTime" json:"opTime,omitempty"`
	// Ops is the number of operations per invocation (default 1).
	Ops int `yaml:"ops" json:"ops,omitempty"`
}

// Workload generates the invocations of each function of a fleet.
type Workload struct {
	// Rate is the mean rate per function (Poisson): 2/min, 50/s.
	Rate Rate `yaml:"rate" json:"rate"`
	// Spread makes per-function rates heavy-tailed across the fleet with Rate as the mean.
	Spread  *Spread  `yaml:"spread" json:"spread,omitempty"`
	Diurnal *Diurnal `yaml:"diurnal" json:"diurnal,omitempty"`
	Bursts  []Burst  `yaml:"bursts" json:"bursts,omitempty"`
	Quiet   []Quiet  `yaml:"quiet" json:"quiet,omitempty"`
	// Service is the time each invocation's own work takes; default const 10ms.
	Service *Dist `yaml:"service" json:"service,omitempty"`
	// BytesPerInvocation through a NAT gateway (cost), e.g. 20KB.
	BytesPerInvocation Bytes `yaml:"bytesPerInvocation" json:"bytesPerInvocation,omitempty"`
	// Qualifiers send shares of each function's invocations to published versions
	// instead of $LATEST.
	Qualifiers []Qualifier `yaml:"qualifiers" json:"qualifiers,omitempty"`
}

// Qualifier is the share of a function's invocations that invoke published version Version.
type Qualifier struct {
	Version int     `yaml:"version" json:"version"`
	Share   float64 `yaml:"share" json:"share"`
}

// Spread is a distribution of per-function rate multipliers with mean 1.
type Spread struct {
	// Kind is lognormal (Sigma) or pareto (Shape > 1).
	Kind  string  `yaml:"kind" json:"kind"`
	Sigma float64 `yaml:"sigma" json:"sigma,omitempty"`
	Shape float64 `yaml:"shape" json:"shape,omitempty"`
}

// Diurnal modulates the rate: rate·(1 + amplitude·cos(2π(t − peak)/period)).
type Diurnal struct {
	Period    Duration `yaml:"period" json:"period"`
	Amplitude float64  `yaml:"amplitude" json:"amplitude"`
	// Peak is the time of day (offset into the period) with the highest rate.
	Peak Duration `yaml:"peak" json:"peak"`
}

// Burst multiplies the rate by Factor during [At, At+For).
type Burst struct {
	At     Duration `yaml:"at" json:"at"`
	For    Duration `yaml:"for" json:"for"`
	Factor float64  `yaml:"factor" json:"factor"`
}

// Quiet silences a fraction of the fleet's functions during [From, To).
type Quiet struct {
	Fraction float64  `yaml:"fraction" json:"fraction"`
	From     Duration `yaml:"from" json:"from"`
	To       Duration `yaml:"to" json:"to"`
}

// Trace replays a real trace onto a fleet.
type Trace struct {
	// Format is azure2019 (per-minute counts), azure2021 (per invocation) or csv
	// (function,timestamp seconds[,duration seconds]).
	Format string `yaml:"format" json:"format"`
	// Path of the trace file: relative to the scenario's directory for a file, or else
	// to the nearest of its parents that has it; for a built-in, relative to the working
	// directory or one of its parents.
	Path    string       `yaml:"path" json:"path"`
	Mapping TraceMapping `yaml:"mapping" json:"mapping"`
	// Digest is the sha256 of the file, filled in by validation (for Hash).
	Digest string `json:"digest"`
}

// TraceMapping maps a trace's owners, apps and functions onto accounts and VPC configs.
type TraceMapping struct {
	// Accounts receive the functions; AccountBy (owner, app, function) chooses by hash.
	Accounts  []string `yaml:"accounts" json:"accounts"`
	AccountBy string   `yaml:"accountBy" json:"accountBy,omitempty"`
	// Combinations are the (subnets, security groups) configurations; CombinationBy
	// (owner, app, function) chooses one by hash.
	Combinations  []VPCConfig `yaml:"combinations" json:"combinations"`
	CombinationBy string      `yaml:"combinationBy" json:"combinationBy,omitempty"`
}

// Operation is a control-plane operation on the timeline.
type Operation struct {
	At Duration `yaml:"at" json:"at"`
	// Op is the Lambda or IAM API action: CreateFunction, UpdateFunctionConfiguration,
	// UpdateFunctionCode, PublishVersion, DeleteFunction, PutRolePolicy, DeleteRolePolicy,
	// DeleteRole, SetQuota.
	Op string `yaml:"op" json:"op"`
	// By names the calling principal (Lambda API operations; optional).
	By        string    `yaml:"by" json:"by,omitempty"`
	Functions *Selector `yaml:"functions" json:"functions,omitempty"`
	// Over staggers the operation across its functions.
	Over      Duration   `yaml:"over" json:"over,omitempty"`
	VPCConfig *VPCConfig `yaml:"vpcConfig" json:"vpcConfig,omitempty"`
	Memory    Size       `yaml:"memory" json:"memory,omitempty"`
	// Role operations.
	Role       string     `yaml:"role" json:"role,omitempty"`
	PolicyName string     `yaml:"policyName" json:"policyName,omitempty"`
	Policy     *PolicyDoc `yaml:"policy" json:"policy,omitempty"`
	// SetQuota: quota (vpcENIs, concurrency or regionENIs), account, vpc (for vpcENIs), value.
	Quota   string `yaml:"quota" json:"quota,omitempty"`
	Account string `yaml:"account" json:"account,omitempty"`
	VPC     string `yaml:"vpc" json:"vpc,omitempty"`
	Value   int    `yaml:"value" json:"value,omitempty"`
}

// Selector picks functions of one fleet: all, an index range [From, To), or a fraction
// (the first ⌈fraction·count⌉). It may be written as just the fleet's name.
type Selector struct {
	Fleet    string   `yaml:"fleet" json:"fleet"`
	From     *int     `yaml:"from" json:"from,omitempty"`
	To       *int     `yaml:"to" json:"to,omitempty"`
	Fraction *float64 `yaml:"fraction" json:"fraction,omitempty"`
}

func (s *Selector) decodeNode(d *decoder, n *yaml.Node, p string) {
	if n.Kind == yaml.ScalarNode {
		s.Fleet = n.Value
		return
	}
	type plain Selector
	var v plain
	d.decodeStruct(n, reflectValue(&v), p)
	*s = Selector(v)
}

// Fault is one fault knob; exactly one of its fields is set.
type Fault struct {
	ENICreateFailure *ENICreateFailure `yaml:"eniCreateFailure" json:"eniCreateFailure,omitempty"`
	SlowENICreate    *SlowENICreate    `yaml:"slowENICreate" json:"slowENICreate,omitempty"`
	EC2Throttling    *EC2Throttling    `yaml:"ec2Throttling" json:"ec2Throttling,omitempty"`
	SubnetIPLoss     *SubnetIPLoss     `yaml:"subnetIPLoss" json:"subnetIPLoss,omitempty"`
	RTTSpike         *RTTSpike         `yaml:"rttSpike" json:"rttSpike,omitempty"`
}

// ENICreateFailure makes each ENI creation fail with this probability.
type ENICreateFailure struct {
	Probability float64 `yaml:"probability" json:"probability"`
}

// SlowENICreate multiplies every ENI creation time.
type SlowENICreate struct {
	Factor float64 `yaml:"factor" json:"factor"`
}

// EC2Throttling throttles every EC2 call Lambda makes (Describe*, Create/Delete
// NetworkInterface, AssignPrivateIpAddresses) during [From, To).
type EC2Throttling struct {
	From    Duration `yaml:"from" json:"from"`
	To      Duration `yaml:"to" json:"to"`
	Account string   `yaml:"account" json:"account,omitempty"`
}

// SubnetIPLoss takes IPs of a subnet (or of every subnet of an AZ) at a time.
type SubnetIPLoss struct {
	At      Duration `yaml:"at" json:"at"`
	Account string   `yaml:"account" json:"account,omitempty"`
	Subnet  string   `yaml:"subnet" json:"subnet,omitempty"`
	AZ      string   `yaml:"az" json:"az,omitempty"`
	// IPs taken; "all" (written as -1 internally) takes every free address.
	IPs int `yaml:"ips" json:"ips"`
}

// RTTSpike multiplies network round trips by Factor during [From, To).
type RTTSpike struct {
	From   Duration `yaml:"from" json:"from"`
	To     Duration `yaml:"to" json:"to"`
	Factor float64  `yaml:"factor" json:"factor"`
}

// Run says how to run the scenario.
type Run struct {
	// Duration of simulated time; required.
	Duration Duration `yaml:"duration" json:"duration"`
	// Seed is the root seed (default 1).
	Seed *uint64 `yaml:"seed" json:"seed,omitempty"`
	// Replications per sweep point (default 1).
	Replications int `yaml:"replications" json:"replications,omitempty"`
	// SampleEvery is the sampling interval (default 1m).
	SampleEvery Duration `yaml:"sampleEvery" json:"sampleEvery,omitempty"`
	// PerInvocation is the fraction of invocations written one by one (0 to 1; default 0).
	PerInvocation float64 `yaml:"perInvocation" json:"perInvocation,omitempty"`
	// MemoryLimit refuses scenarios whose estimated size is above it (default 8GB).
	MemoryLimit Size   `yaml:"memoryLimit" json:"memoryLimit,omitempty"`
	Sweep       *Sweep `yaml:"sweep" json:"sweep,omitempty"`
}

// Sweep varies parameters: Grid is the cross product of its value lists; List gives the
// points one by one. Keys are paths such as params.eni.createLatency.median or
// fleets.api.count.
type Sweep struct {
	Grid []SweepAxis   `yaml:"grid" json:"grid,omitempty"`
	List []SweepAssign `yaml:"list" json:"list,omitempty"`
}

// SweepAxis is one path of a grid with its values (as written).
type SweepAxis struct {
	Path   string       `json:"path"`
	Values []*yaml.Node `json:"-"`
	Text   []string     `json:"values"`
}

// SweepAssign is one point of a list: paths with one value each.
type SweepAssign struct {
	Paths  []string     `json:"paths"`
	Values []*yaml.Node `json:"-"`
	Text   []string     `json:"values"`
}

// Bytes is a data size in bytes: 20KB, 1.5MB, 512 (bytes).
type Bytes int64
