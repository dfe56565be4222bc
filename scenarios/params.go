package scenarios

// Params overrides the model's parameters; every field is optional and defaults to
// model.DefaultParams() (the facts-sheet values, listed in docs/scenarios.md). Spans that
// vary are distributions (see Dist).
type Params struct {
	ENI      ENIParams      `yaml:"eni" json:"eni"`
	Function FunctionParams `yaml:"function" json:"function"`
	Network  NetworkParams  `yaml:"network" json:"network"`
	EC2      EC2Params      `yaml:"ec2" json:"ec2"`
	Quotas   QuotaParams    `yaml:"quotas" json:"quotas"`
	Legacy   LegacyParams   `yaml:"legacy" json:"legacy"`
	Cost     CostParams     `yaml:"cost" json:"cost"`
}

// ENIParams are Hyperplane ENI timings and capacities.
type ENIParams struct {
	CreateLatency     *Dist     `yaml:"createLatency" json:"createLatency,omitempty"`
	AttachLatency     *Dist     `yaml:"attachLatency" json:"attachLatency,omitempty"`
	DeleteLatency     *Dist     `yaml:"deleteLatency" json:"deleteLatency,omitempty"`
	RestoreLatency    *Dist     `yaml:"restoreLatency" json:"restoreLatency,omitempty"`
	IdleReclaimAfter  *Duration `yaml:"idleReclaimAfter" json:"idleReclaimAfter,omitempty"`
	IPsPerENI         *int      `yaml:"ipsPerENI" json:"ipsPerENI,omitempty"`
	ConnectionsPerENI *int      `yaml:"connectionsPerENI" json:"connectionsPerENI,omitempty"`
	// RebalanceEvery and HealthFailEvery are the mean times between a ready ENI being
	// replaced to balance load / failing a health check (facts §1; unsourced, default off).
	RebalanceEvery  *Duration `yaml:"rebalanceEvery" json:"rebalanceEvery,omitempty"`
	HealthFailEvery *Duration `yaml:"healthFailEvery" json:"healthFailEvery,omitempty"`
}

// FunctionParams are function-level timings.
type FunctionParams struct {
	SwitchoverLatency *Dist     `yaml:"switchoverLatency" json:"switchoverLatency,omitempty"`
	ColdStart         *Dist     `yaml:"coldStart" json:"coldStart,omitempty"`
	EnvIdleExpiry     *Duration `yaml:"envIdleExpiry" json:"envIdleExpiry,omitempty"`
	ScalingStep       *int      `yaml:"scalingStep" json:"scalingStep,omitempty"`
	ScalingPeriod     *Duration `yaml:"scalingPeriod" json:"scalingPeriod,omitempty"`
	InitLimit         *Duration `yaml:"initLimit" json:"initLimit,omitempty"`
	CodeUpdateLatency *Dist     `yaml:"codeUpdateLatency" json:"codeUpdateLatency,omitempty"`
}

// NetworkParams are connection timings.
type NetworkParams struct {
	IdleTimeout     *Duration `yaml:"idleTimeout" json:"idleTimeout,omitempty"`
	ResetRTTs       *int      `yaml:"resetRTTs" json:"resetRTTs,omitempty"`
	ResetDelay      *Dist     `yaml:"resetDelay" json:"resetDelay,omitempty"`
	InternetTimeout *Duration `yaml:"internetTimeout" json:"internetTimeout,omitempty"`
	// NAT gateway limits per destination (facts §6) and the per-ENI new-connection rate
	// (unsourced; 0 = unlimited).
	NATConnectionsPerIP  *int  `yaml:"natConnectionsPerIP" json:"natConnectionsPerIP,omitempty"`
	NATNewConnectionRate *Rate `yaml:"natNewConnectionRate" json:"natNewConnectionRate,omitempty"`
	ENINewConnectionRate *Rate `yaml:"eniNewConnectionRate" json:"eniNewConnectionRate,omitempty"`
}

// EC2Params are the default EC2 API rate limits and Lambda's retry behaviour.
type EC2Params struct {
	CreateNetworkInterface *Bucket `yaml:"createNetworkInterface" json:"createNetworkInterface,omitempty"`
	DeleteNetworkInterface *Bucket `yaml:"deleteNetworkInterface" json:"deleteNetworkInterface,omitempty"`
	// Describe is the unfiltered Describe* bucket, AssignPrivateIPAddresses the
	// Assign/UnassignPrivateIpAddresses one (facts §7).
	Describe                 *Bucket `yaml:"describe" json:"describe,omitempty"`
	AssignPrivateIPAddresses *Bucket `yaml:"assignPrivateIpAddresses" json:"assignPrivateIpAddresses,omitempty"`
	RetryBackoff             *Dist   `yaml:"retryBackoff" json:"retryBackoff,omitempty"`
	MaxRetries               *int    `yaml:"maxRetries" json:"maxRetries,omitempty"`
}

// QuotaParams are the default quotas (accounts and VPCs may override them).
type QuotaParams struct {
	VPCENIs            *int `yaml:"vpcENIs" json:"vpcENIs,omitempty"`
	RegionENIs         *int `yaml:"regionENIs" json:"regionENIs,omitempty"`
	AccountConcurrency *int `yaml:"accountConcurrency" json:"accountConcurrency,omitempty"`
}

// LegacyParams select and tune the pre-2019 model (one ENI per execution environment).
type LegacyParams struct {
	Enabled          bool  `yaml:"enabled" json:"enabled,omitempty"`
	ENICreateLatency *Dist `yaml:"eniCreateLatency" json:"eniCreateLatency,omitempty"`
	MemoryPerIP      Size  `yaml:"memoryPerIP" json:"memoryPerIP,omitempty"`
}

// CostParams are prices in USD.
type CostParams struct {
	NATHourly *float64 `yaml:"natHourly" json:"natHourly,omitempty"`
	NATPerGB  *float64 `yaml:"natPerGB" json:"natPerGB,omitempty"`
}
