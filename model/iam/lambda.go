package iam

import "fmt"

// Condition keys Lambda adds to CreateFunction and UpdateFunctionConfiguration requests,
// and the one it injects into the credentials of calls made from a function's code.
const (
	KeyVpcIds            = "lambda:VpcIds"           // single-valued, derived from the subnets
	KeySubnetIds         = "lambda:SubnetIds"        // multivalued
	KeySecurityGroupIds  = "lambda:SecurityGroupIds" // multivalued
	KeySourceFunctionArn = "lambda:SourceFunctionArn"
)

// VPCConfigContext is the condition-key context of a CreateFunction or
// UpdateFunctionConfiguration request for a function with the given VPC configuration.
// vpcID is the VPC the subnets belong to: it is not a request parameter, Lambda derives it
// from the subnets, so the caller (which knows the topology) passes it. A function without
// a VPC configuration (no subnets and no security groups) yields an empty context, so all
// three keys are missing — which is what "Null": {"lambda:VpcIds": "true"} detects.
// The slices are copied.
func VPCConfigContext(vpcID string, subnetIDs, securityGroupIDs []string) map[string][]string {
	if len(subnetIDs) == 0 && len(securityGroupIDs) == 0 {
		return map[string][]string{}
	}
	ctx := map[string][]string{
		KeySubnetIds:        append([]string{}, subnetIDs...),
		KeySecurityGroupIds: append([]string{}, securityGroupIDs...),
	}
	if vpcID != "" {
		ctx[KeyVpcIds] = []string{vpcID}
	}
	return ctx
}

// FunctionCodeContext is the context of an AWS call made by a function's own code with its
// execution role's credentials: Lambda injects lambda:SourceFunctionArn. Calls Lambda makes
// itself to manage ENIs carry no such key (use a nil context), so a Deny conditioned on
// lambda:SourceFunctionArn blocks the code but not the service.
func FunctionCodeContext(functionARN string) map[string][]string {
	return map[string][]string{KeySourceFunctionArn: {functionARN}}
}

// The EC2 actions Lambda performs with the execution role to manage Hyperplane ENIs.
const (
	ActionCreateNetworkInterface        = "ec2:CreateNetworkInterface"
	ActionDescribeNetworkInterfaces     = "ec2:DescribeNetworkInterfaces"
	ActionDescribeSubnets               = "ec2:DescribeSubnets"
	ActionDeleteNetworkInterface        = "ec2:DeleteNetworkInterface"
	ActionAssignPrivateIpAddresses      = "ec2:AssignPrivateIpAddresses"
	ActionUnassignPrivateIpAddresses    = "ec2:UnassignPrivateIpAddresses"
	ManagedPolicyVPCAccessExecutionRole = "AWSLambdaVPCAccessExecutionRole"
)

// ENIActions lists the EC2 permissions an execution role needs for Lambda to create and
// delete its Hyperplane ENIs, in a fixed order.
var ENIActions = [...]string{
	ActionCreateNetworkInterface,
	ActionDescribeNetworkInterfaces,
	ActionDescribeSubnets,
	ActionDeleteNetworkInterface,
	ActionAssignPrivateIpAddresses,
	ActionUnassignPrivateIpAddresses,
}

// AWSLambdaVPCAccessExecutionRoleDocument is the permissions statement of the AWS managed
// policy AWSLambdaVPCAccessExecutionRole: CloudWatch Logs plus the ENI actions, all on "*".
const AWSLambdaVPCAccessExecutionRoleDocument = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AWSLambdaVPCAccessExecutionPermissions",
      "Effect": "Allow",
      "Action": [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses"
      ],
      "Resource": "*"
    }
  ]
}`

// awsLambdaVPCAccessExecutionRole is parsed once; a Policy is immutable, so sharing it is safe.
var awsLambdaVPCAccessExecutionRole = MustParse(AWSLambdaVPCAccessExecutionRoleDocument)

// AWSLambdaVPCAccessExecutionRole returns the managed policy, parsed.
func AWSLambdaVPCAccessExecutionRole() *Policy { return awsLambdaVPCAccessExecutionRole }

// ENIScope names the EC2 resources Lambda touches when it manages a function's ENIs, so
// that resource-scoped role policies are judged against the right ARNs.
type ENIScope struct {
	Partition        string // "aws" when empty
	Region           string // e.g. "us-east-1"
	Account          string // 12-digit account id
	SubnetIDs        []string
	SecurityGroupIDs []string
	// ENIID is the network interface Lambda deletes or assigns addresses on. Its id is
	// chosen by EC2 when the ENI is created, so a role scoped to specific ENI ARNs cannot
	// anticipate it; when empty a fresh-looking id is used.
	ENIID string
}

// PermissionCheck is one (action, resource) pair Lambda needs and the decision it got.
type PermissionCheck struct {
	Action   string
	Resource string
	Decision Decision
}

// CheckENIPermissions evaluates the role's policies for every EC2 call Lambda makes to
// create and delete the function's Hyperplane ENIs, as the service makes them (no
// lambda:SourceFunctionArn in the context), and returns the calls that are not allowed, in
// the order of ENIActions; nil means the role is sufficient. Describe* actions have no
// resource-level permissions, so they are requested on "*"; CreateNetworkInterface is
// requested on the new network interface and on each subnet and security group.
func CheckENIPermissions(role []*Policy, scope ENIScope) []PermissionCheck {
	var missing []PermissionCheck
	check := func(action, resource string) {
		d := Evaluate(role, Request{Action: action, Resource: resource})
		if !d.Allowed() {
			missing = append(missing, PermissionCheck{Action: action, Resource: resource, Decision: d})
		}
	}
	eni := scope.ENIID
	if eni == "" {
		eni = "eni-0a1b2c3d4e5f60718"
	}
	for _, action := range ENIActions {
		switch action {
		case ActionDescribeNetworkInterfaces, ActionDescribeSubnets:
			check(action, "*")
		case ActionCreateNetworkInterface:
			check(action, scope.arn("network-interface/*"))
			for _, s := range scope.SubnetIDs {
				check(action, scope.arn("subnet/"+s))
			}
			for _, g := range scope.SecurityGroupIDs {
				check(action, scope.arn("security-group/"+g))
			}
		default:
			check(action, scope.arn("network-interface/"+eni))
		}
	}
	return missing
}

func (s ENIScope) arn(resource string) string {
	p := s.Partition
	if p == "" {
		p = "aws"
	}
	return fmt.Sprintf("arn:%s:ec2:%s:%s:%s", p, s.Region, s.Account, resource)
}

// VPCConfigUserActions are the EC2 permissions the user (not the execution role) needs to
// configure a function's VPC access: Lambda looks the VPC, subnets and security groups up
// with the caller's credentials. They have no resource-level permissions.
var VPCConfigUserActions = [...]string{
	"ec2:DescribeSecurityGroups",
	"ec2:DescribeSubnets",
	"ec2:DescribeVpcs",
}

// CheckVPCConfigUserPermissions evaluates the user's policies for VPCConfigUserActions (on
// "*") and returns the ones not allowed; nil means the user may configure VPC access
// (CreateFunction / UpdateFunctionConfiguration themselves are checked separately, with
// VPCConfigContext).
func CheckVPCConfigUserPermissions(user []*Policy) []PermissionCheck {
	var missing []PermissionCheck
	for _, action := range VPCConfigUserActions {
		if d := Evaluate(user, Request{Action: action, Resource: "*"}); !d.Allowed() {
			missing = append(missing, PermissionCheck{Action: action, Resource: "*", Decision: d})
		}
	}
	return missing
}
