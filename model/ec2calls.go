package model

import "github.com/enisim/enisim/sim"

// ec2Call is one EC2 API call of an ENI's creation, in the order Lambda makes them. The
// sequence is a modelling choice (unsourced): facts §4 lists the actions the execution
// role needs and facts §7 their per-account token buckets, but not which calls Lambda
// makes per ENI. The model makes one DescribeSubnets (is there a free IP in the subnet?),
// the CreateNetworkInterface, and, when an ENI takes more than one IP, one
// AssignPrivateIpAddresses for the secondary IPs. Deletion is one DeleteNetworkInterface:
// it releases every IP of the ENI, so UnassignPrivateIpAddresses is never needed.
type ec2Call uint8

const (
	callDescribe ec2Call = iota // the zero value: a new ENI starts here
	callCreate
	callAssign
	callsDone
)

// throttleReason is the ENIEvent reason of a throttled call. CreateNetworkInterface keeps
// the plain RequestLimitExceeded it always had; the other calls name themselves.
func (c ec2Call) throttleReason() string {
	switch c {
	case callDescribe:
		return "RequestLimitExceeded:DescribeSubnets"
	case callAssign:
		return "RequestLimitExceeded:AssignPrivateIpAddresses"
	}
	return "RequestLimitExceeded"
}

// ec2Take spends a token of account ai's bucket for call at now; false means the call is
// throttled (the bucket is empty or an EC2 storm covers every call of the account).
func (m *Model) ec2Take(ai int32, call ec2Call, now sim.Time) bool {
	if m.inStorm(ai, now) {
		return false
	}
	a := &m.accts[ai]
	switch call {
	case callDescribe:
		return a.describe.take(now)
	case callAssign:
		return a.assign.take(now)
	}
	return a.create.take(now)
}
