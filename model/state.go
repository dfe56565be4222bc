package model

// State is a function's (or published version's) state (facts §3).
type State uint8

const (
	StateAbsent   State = iota // not created yet, or deleted
	StatePending               // reason Creating or Restoring
	StateActive                // runs invocations
	StateInactive              // reason Idle: its ENIs were reclaimed
	StateFailed                // reason: why the ENIs could not be set up
)

var stateNames = [...]string{"Absent", "Pending", "Active", "Inactive", "Failed"}

func (s State) String() string { return stateNames[s] }

// stateEdges are the documented transitions (invariant 5). Absent→Active is a function
// declared Deployed at the start, or created without a VPC (no ENI to wait for).
var stateEdges = [5][5]bool{
	StateAbsent:   {StatePending: true, StateActive: true},
	StatePending:  {StateActive: true, StateFailed: true, StateInactive: true, StateAbsent: true},
	StateActive:   {StateInactive: true, StateAbsent: true},
	StateInactive: {StatePending: true, StateAbsent: true},
	StateFailed:   {StateAbsent: true},
}

// UpdateStatus is LastUpdateStatus.
type UpdateStatus uint8

const (
	UpdateNone UpdateStatus = iota
	UpdateInProgress
	UpdateSuccessful
	UpdateFailed
)

var updateNames = [...]string{"", "InProgress", "Successful", "Failed"}

func (u UpdateStatus) String() string { return updateNames[u] }

// Reason is a StateReasonCode / LastUpdateStatusReasonCode.
type Reason uint8

const (
	ReasonNone Reason = iota
	ReasonCreating
	ReasonRestoring
	ReasonIdle
	ReasonEniLimitExceeded
	ReasonSubnetOutOfIPAddresses
	ReasonInsufficientRolePermissions
	ReasonInvalidSubnet
	ReasonInvalidSecurityGroup
	ReasonInvalidConfiguration
	ReasonEC2RequestLimitExceeded
	ReasonInternalError
	numReasons
)

var reasonNames = [...]string{"", "Creating", "Restoring", "Idle", "EniLimitExceeded",
	"SubnetOutOfIPAddresses", "InsufficientRolePermissions", "InvalidSubnet",
	"InvalidSecurityGroup", "InvalidConfiguration", "EC2RequestLimitExceeded", "InternalError"}

func (r Reason) String() string { return reasonNames[r] }

// invokeError maps a failure reason to the error Invoke returns for a Failed function
// (facts §3, HTTP 502).
func (r Reason) invokeError() ErrCode {
	switch r {
	case ReasonEniLimitExceeded:
		return ErrENILimitReached
	case ReasonSubnetOutOfIPAddresses:
		return ErrSubnetIPLimit
	case ReasonInsufficientRolePermissions:
		return ErrEC2AccessDenied
	case ReasonInvalidSubnet:
		return ErrInvalidSubnetID
	case ReasonInvalidSecurityGroup:
		return ErrInvalidSecurityGroupID
	case ReasonEC2RequestLimitExceeded:
		return ErrEC2Throttled
	}
	return ErrEC2Unexpected
}

// ErrCode is an error an invocation or an API call gets. Invocation errors are counted in
// fixed arrays indexed by ErrCode, so counting allocates nothing.
type ErrCode uint8

const (
	ErrNone ErrCode = iota
	ErrResourceNotReady
	ErrResourceConflict
	ErrResourceNotFound
	ErrTooManyRequests
	ErrENILimitReached
	ErrSubnetIPLimit
	ErrEC2AccessDenied
	ErrInvalidSubnetID
	ErrInvalidSecurityGroupID
	ErrEC2Throttled
	ErrEC2Unexpected
	ErrInvalidParameterValue
	ErrAccessDenied
	ErrTimeout           // no route to the internet or a service (no NAT, no endpoint): the call times out
	ErrConnectionTimeout // the ENI's connection capacity is exhausted
	numErrCodes
)

var errNames = [...]string{"", "ResourceNotReadyException", "ResourceConflictException",
	"ResourceNotFoundException", "TooManyRequestsException", "ENILimitReachedException",
	"SubnetIPAddressLimitReachedException", "EC2AccessDeniedException",
	"InvalidSubnetIDException", "InvalidSecurityGroupIDException", "EC2ThrottledException",
	"EC2UnexpectedException", "InvalidParameterValueException", "AccessDeniedException",
	"Task.TimedOut", "ConnectionTimeout"}

func (e ErrCode) String() string { return errNames[e] }

// eniState is a Hyperplane ENI's state.
type eniState uint8

const (
	eniCreating eniState = iota // requested, EC2 call pending or in flight
	eniReady
	eniDeleting  // its last user left; deletion in progress
	eniLingering // deletion impossible (role deleted or lacks EC2 permissions)
	eniGone      // deleted, reclaimed or failed: a free slot
)

var eniStateNames = [...]string{"Creating", "Ready", "Deleting", "Lingering", "Gone"}

func (s eniState) String() string { return eniStateNames[s] }
