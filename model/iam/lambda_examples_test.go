package iam

import (
	"errors"
	"testing"
)

// The example policies of the Lambda developer guide ("Using IAM condition keys for VPC
// settings") and of lambda-vpc-facts.md §4, with their documented outcomes.

const allowLambdaAll = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"lambda:*","Resource":"*"}}`

const enforceVPCFunction = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "EnforceVPCFunction",
      "Action": [
          "lambda:CreateFunction",
          "lambda:UpdateFunctionConfiguration"
       ],
      "Effect": "Deny",
      "Resource": "*",
      "Condition": {
        "Null": {
           "lambda:VpcIds": "true"
        }
      }
    }
  ]
}`

const enforceOutOfVPC = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "EnforceOutOfVPC",
      "Action": ["lambda:CreateFunction", "lambda:UpdateFunctionConfiguration"],
      "Effect": "Deny",
      "Resource": "*",
      "Condition": {"StringEquals": {"lambda:VpcIds": ["vpc-1", "vpc-2"]}}
    }
  ]
}`

const enforceOutOfSubnet = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "EnforceOutOfSubnet",
      "Action": ["lambda:CreateFunction", "lambda:UpdateFunctionConfiguration"],
      "Effect": "Deny",
      "Resource": "*",
      "Condition": {"ForAnyValue:StringEquals": {"lambda:SubnetIds": ["subnet-1", "subnet-2"]}}
    }
  ]
}`

const enforceOutOfSecurityGroups = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "EnforceOutOfSecurityGroups",
      "Action": ["lambda:CreateFunction", "lambda:UpdateFunctionConfiguration"],
      "Effect": "Deny",
      "Resource": "*",
      "Condition": {"ForAnyValue:StringEquals": {"lambda:SecurityGroupIds": ["sg-1", "sg-2"]}}
    }
  ]
}`

const enforceStayInSpecificVpc = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "EnforceStayInSpecificVpc",
      "Effect": "Allow",
      "Action": ["lambda:CreateFunction", "lambda:UpdateFunctionConfiguration"],
      "Resource": "*",
      "Condition": {"StringEquals": {"lambda:VpcIds": ["vpc-1", "vpc-2"]}}
    }
  ]
}`

const enforceStayInSpecificSubnets = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "EnforceStayInSpecificSubnets",
      "Effect": "Allow",
      "Action": ["lambda:CreateFunction", "lambda:UpdateFunctionConfiguration"],
      "Resource": "*",
      "Condition": {"ForAllValues:StringEquals": {"lambda:SubnetIds": ["subnet-1", "subnet-2"]}}
    }
  ]
}`

const enforceStayInSpecificSecurityGroups = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "EnforceStayInSpecificSecurityGroup",
      "Effect": "Allow",
      "Action": ["lambda:CreateFunction", "lambda:UpdateFunctionConfiguration"],
      "Resource": "*",
      "Condition": {"ForAllValues:StringEquals": {"lambda:SecurityGroupIds": ["sg-1", "sg-2"]}}
    }
  ]
}`

// denySourceFunctionArn is the Lambda guide's example as published: note the trailing
// comma after the last action, which AWS rejects.
const denySourceFunctionArnAsPublished = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Deny",
      "Action": [
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:DetachNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
      ],
      "Resource": [ "*" ],
      "Condition": {
        "ArnEquals": {
          "lambda:SourceFunctionArn": [
            "arn:aws:lambda:us-west-2:123456789012:function:my_function"
          ]
        }
      }
    }
  ]
}`

const denySourceFunctionArn = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Deny",
      "Action": [
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:DetachNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses"
      ],
      "Resource": [ "*" ],
      "Condition": {
        "ArnEquals": {
          "lambda:SourceFunctionArn": [
            "arn:aws:lambda:us-west-2:123456789012:function:my_function"
          ]
        }
      }
    }
  ]
}`

func mustParse(t testing.TB, doc string) *Policy {
	t.Helper()
	p, err := Parse([]byte(doc))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return p
}

func TestLambdaVPCConditionKeyExamples(t *testing.T) {
	noVPC := VPCConfigContext("", nil, nil)
	vpc := func(id string, subnets, sgs []string) map[string][]string { return VPCConfigContext(id, subnets, sgs) }
	cases := []struct {
		name     string
		policies []string
		action   string
		ctx      map[string][]string
		want     Effect
		stmt     string
	}{
		// "Ensure that users deploy only VPC-connected functions."
		{"enforce VPC: no VPC denied", []string{allowLambdaAll, enforceVPCFunction}, "lambda:CreateFunction", noVPC, ExplicitDeny, "EnforceVPCFunction"},
		{"enforce VPC: update without VPC denied", []string{allowLambdaAll, enforceVPCFunction}, "lambda:UpdateFunctionConfiguration", noVPC, ExplicitDeny, "EnforceVPCFunction"},
		{"enforce VPC: VPC allowed", []string{allowLambdaAll, enforceVPCFunction}, "lambda:CreateFunction", vpc("vpc-1", []string{"subnet-1"}, []string{"sg-1"}), Allow, "Statement[0]"},
		{"enforce VPC: other action untouched", []string{allowLambdaAll, enforceVPCFunction}, "lambda:Invoke", noVPC, Allow, "Statement[0]"},
		// "Deny users access to specific VPCs, subnets, or security groups."
		{"deny VPC: vpc-1 denied", []string{allowLambdaAll, enforceOutOfVPC}, "lambda:CreateFunction", vpc("vpc-1", []string{"subnet-9"}, []string{"sg-9"}), ExplicitDeny, "EnforceOutOfVPC"},
		{"deny VPC: vpc-2 denied", []string{allowLambdaAll, enforceOutOfVPC}, "lambda:CreateFunction", vpc("vpc-2", []string{"subnet-9"}, []string{"sg-9"}), ExplicitDeny, "EnforceOutOfVPC"},
		{"deny VPC: vpc-3 allowed", []string{allowLambdaAll, enforceOutOfVPC}, "lambda:CreateFunction", vpc("vpc-3", []string{"subnet-9"}, []string{"sg-9"}), Allow, "Statement[0]"},
		{"deny VPC: no VPC allowed (StringEquals on a missing key is false)", []string{allowLambdaAll, enforceOutOfVPC}, "lambda:CreateFunction", noVPC, Allow, "Statement[0]"},
		{"deny subnet: one of several denied", []string{allowLambdaAll, enforceOutOfSubnet}, "lambda:CreateFunction", vpc("vpc-1", []string{"subnet-3", "subnet-2"}, []string{"sg-9"}), ExplicitDeny, "EnforceOutOfSubnet"},
		{"deny subnet: others allowed", []string{allowLambdaAll, enforceOutOfSubnet}, "lambda:CreateFunction", vpc("vpc-1", []string{"subnet-3", "subnet-4"}, []string{"sg-9"}), Allow, "Statement[0]"},
		{"deny subnet: no VPC allowed (ForAnyValue on missing is false)", []string{allowLambdaAll, enforceOutOfSubnet}, "lambda:CreateFunction", noVPC, Allow, "Statement[0]"},
		{"deny SG: sg-1 denied", []string{allowLambdaAll, enforceOutOfSecurityGroups}, "lambda:UpdateFunctionConfiguration", vpc("vpc-1", []string{"subnet-3"}, []string{"sg-7", "sg-1"}), ExplicitDeny, "EnforceOutOfSecurityGroups"},
		{"deny SG: sg-3 allowed", []string{allowLambdaAll, enforceOutOfSecurityGroups}, "lambda:UpdateFunctionConfiguration", vpc("vpc-1", []string{"subnet-3"}, []string{"sg-3"}), Allow, "Statement[0]"},
		// "Allow users to create and update functions with specific VPC settings."
		{"allow VPC: vpc-1 allowed", []string{enforceStayInSpecificVpc}, "lambda:CreateFunction", vpc("vpc-1", []string{"subnet-1"}, []string{"sg-1"}), Allow, "EnforceStayInSpecificVpc"},
		{"allow VPC: vpc-3 implicitly denied", []string{enforceStayInSpecificVpc}, "lambda:CreateFunction", vpc("vpc-3", []string{"subnet-1"}, []string{"sg-1"}), ImplicitDeny, ""},
		{"allow VPC: no VPC implicitly denied", []string{enforceStayInSpecificVpc}, "lambda:CreateFunction", noVPC, ImplicitDeny, ""},
		{"allow subnets: subset allowed", []string{enforceStayInSpecificSubnets}, "lambda:CreateFunction", vpc("vpc-1", []string{"subnet-2", "subnet-1"}, []string{"sg-1"}), Allow, "EnforceStayInSpecificSubnets"},
		{"allow subnets: one outside denied", []string{enforceStayInSpecificSubnets}, "lambda:CreateFunction", vpc("vpc-1", []string{"subnet-1", "subnet-3"}, []string{"sg-1"}), ImplicitDeny, ""},
		// Facts §4: ForAllValues holds on a missing key, so this Allow also allows a
		// function with no VPC ...
		{"allow subnets: no VPC ALLOWED (ForAllValues on missing is true)", []string{enforceStayInSpecificSubnets}, "lambda:CreateFunction", noVPC, Allow, "EnforceStayInSpecificSubnets"},
		// ... unless a Deny on Null lambda:VpcIds is added.
		{"allow subnets + enforce VPC: no VPC denied", []string{enforceStayInSpecificSubnets, enforceVPCFunction}, "lambda:CreateFunction", noVPC, ExplicitDeny, "EnforceVPCFunction"},
		{"allow subnets + enforce VPC: subset allowed", []string{enforceStayInSpecificSubnets, enforceVPCFunction}, "lambda:CreateFunction", vpc("vpc-1", []string{"subnet-1"}, []string{"sg-1"}), Allow, "EnforceStayInSpecificSubnets"},
		{"allow SGs: subset allowed", []string{enforceStayInSpecificSecurityGroups}, "lambda:CreateFunction", vpc("vpc-1", []string{"subnet-1"}, []string{"sg-2"}), Allow, "EnforceStayInSpecificSecurityGroup"},
		{"allow SGs: one outside denied", []string{enforceStayInSpecificSecurityGroups}, "lambda:CreateFunction", vpc("vpc-1", []string{"subnet-1"}, []string{"sg-2", "sg-5"}), ImplicitDeny, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ps []*Policy
			for _, d := range tc.policies {
				ps = append(ps, mustParse(t, d))
			}
			d := Evaluate(ps, Request{Action: tc.action, Resource: "arn:aws:lambda:us-east-1:123456789012:function:f", Context: tc.ctx})
			if d.Effect != tc.want || d.Statement != tc.stmt {
				t.Fatalf("got %v (statement %q), want %v (statement %q)", d.Effect, d.Statement, tc.want, tc.stmt)
			}
		})
	}
}

func TestVPCConfigContext(t *testing.T) {
	if ctx := VPCConfigContext("vpc-1", nil, nil); len(ctx) != 0 {
		t.Fatalf("no VPC config: got %v, want no keys", ctx)
	}
	subnets := []string{"subnet-a", "subnet-b"}
	ctx := VPCConfigContext("vpc-1", subnets, []string{"sg-1"})
	if got := ctx[KeyVpcIds]; len(got) != 1 || got[0] != "vpc-1" {
		t.Fatalf("VpcIds = %v", got)
	}
	if got := ctx[KeySubnetIds]; len(got) != 2 || got[1] != "subnet-b" {
		t.Fatalf("SubnetIds = %v", got)
	}
	subnets[1] = "changed"
	if ctx[KeySubnetIds][1] != "subnet-b" {
		t.Fatal("context aliases the caller's slice")
	}
}

func TestSourceFunctionArnDeny(t *testing.T) {
	_, err := Parse([]byte(denySourceFunctionArnAsPublished))
	var pe *PolicyError
	if !errors.As(err, &pe) || !errors.Is(err, ErrInvalidPolicy) {
		t.Fatalf("published example with a trailing comma: got %v, want a PolicyError", err)
	}
	// The stray comma ends line 13; the error is at the ']' that follows on line 14.
	if pe.Line != 14 || pe.Column != 7 {
		t.Fatalf("trailing comma reported at %d:%d (%v), want 14:7", pe.Line, pe.Column, err)
	}

	role := []*Policy{AWSLambdaVPCAccessExecutionRole(), mustParse(t, denySourceFunctionArn)}
	const mine = "arn:aws:lambda:us-west-2:123456789012:function:my_function"
	const other = "arn:aws:lambda:us-west-2:123456789012:function:other"
	for _, action := range ENIActions {
		// Lambda's own calls carry no lambda:SourceFunctionArn: allowed.
		if d := Evaluate(role, Request{Action: action, Resource: "*"}); d.Effect != Allow {
			t.Errorf("service %s: %v, want Allow", action, d)
		}
		// The function's code: denied.
		if d := Evaluate(role, Request{Action: action, Resource: "*", Context: FunctionCodeContext(mine)}); d.Effect != ExplicitDeny || d.Policy != 1 || d.Statement != "Statement[0]" {
			t.Errorf("code of my_function %s: %v, want ExplicitDeny by policy 1 Statement[0]", action, d)
		}
		// Another function sharing the role is not named by the Deny.
		if d := Evaluate(role, Request{Action: action, Resource: "*", Context: FunctionCodeContext(other)}); d.Effect != Allow {
			t.Errorf("code of other %s: %v, want Allow", action, d)
		}
	}
	if missing := CheckENIPermissions(role, ENIScope{Region: "us-west-2", Account: "123456789012", SubnetIDs: []string{"subnet-1"}, SecurityGroupIDs: []string{"sg-1"}}); missing != nil {
		t.Fatalf("the Deny must not stop Lambda managing ENIs: %+v", missing)
	}
}

func TestCheckENIPermissions(t *testing.T) {
	scope := ENIScope{Region: "us-east-1", Account: "123456789012", SubnetIDs: []string{"subnet-1", "subnet-2"}, SecurityGroupIDs: []string{"sg-1"}}
	cases := []struct {
		name    string
		doc     string
		missing []string // "action resource"
	}{
		{"managed policy", AWSLambdaVPCAccessExecutionRoleDocument, nil},
		{"no policy at all", "", []string{
			"ec2:CreateNetworkInterface arn:aws:ec2:us-east-1:123456789012:network-interface/*",
			"ec2:CreateNetworkInterface arn:aws:ec2:us-east-1:123456789012:subnet/subnet-1",
			"ec2:CreateNetworkInterface arn:aws:ec2:us-east-1:123456789012:subnet/subnet-2",
			"ec2:CreateNetworkInterface arn:aws:ec2:us-east-1:123456789012:security-group/sg-1",
			"ec2:DescribeNetworkInterfaces *",
			"ec2:DescribeSubnets *",
			"ec2:DeleteNetworkInterface arn:aws:ec2:us-east-1:123456789012:network-interface/eni-0a1b2c3d4e5f60718",
			"ec2:AssignPrivateIpAddresses arn:aws:ec2:us-east-1:123456789012:network-interface/eni-0a1b2c3d4e5f60718",
			"ec2:UnassignPrivateIpAddresses arn:aws:ec2:us-east-1:123456789012:network-interface/eni-0a1b2c3d4e5f60718",
		}},
		{"wildcard ec2 actions", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["ec2:*NetworkInterface*","ec2:Describe*","ec2:*PrivateIpAddresses"],"Resource":"*"}}`, nil},
		{"delete missing", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["ec2:CreateNetworkInterface","ec2:DescribeNetworkInterfaces","ec2:DescribeSubnets","ec2:AssignPrivateIpAddresses","ec2:UnassignPrivateIpAddresses"],"Resource":"*"}}`,
			[]string{"ec2:DeleteNetworkInterface arn:aws:ec2:us-east-1:123456789012:network-interface/eni-0a1b2c3d4e5f60718"}},
		// DescribeNetworkInterfaces only works with "Resource": "*" (facts §4).
		{"describe scoped to an ARN", `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":["ec2:CreateNetworkInterface","ec2:DescribeSubnets","ec2:DeleteNetworkInterface","ec2:AssignPrivateIpAddresses","ec2:UnassignPrivateIpAddresses"],"Resource":"*"},
			{"Effect":"Allow","Action":"ec2:DescribeNetworkInterfaces","Resource":"arn:aws:ec2:us-east-1:123456789012:network-interface/*"}]}`,
			[]string{"ec2:DescribeNetworkInterfaces *"}},
		// DeleteNetworkInterface scoped to exact ENI ARNs cannot name the ENIs Lambda will create.
		{"delete scoped to one ENI", `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":["ec2:CreateNetworkInterface","ec2:Describe*","ec2:AssignPrivateIpAddresses","ec2:UnassignPrivateIpAddresses"],"Resource":"*"},
			{"Effect":"Allow","Action":"ec2:DeleteNetworkInterface","Resource":"arn:aws:ec2:us-east-1:123456789012:network-interface/eni-0123456789abcdef0"}]}`,
			[]string{"ec2:DeleteNetworkInterface arn:aws:ec2:us-east-1:123456789012:network-interface/eni-0a1b2c3d4e5f60718"}},
		{"delete scoped to the account's ENIs", `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":["ec2:CreateNetworkInterface","ec2:Describe*","ec2:AssignPrivateIpAddresses","ec2:UnassignPrivateIpAddresses"],"Resource":"*"},
			{"Effect":"Allow","Action":"ec2:DeleteNetworkInterface","Resource":"arn:aws:ec2:us-east-1:123456789012:network-interface/*"}]}`, nil},
		{"create denied on one subnet", `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"ec2:*","Resource":"*"},
			{"Sid":"NoSubnet2","Effect":"Deny","Action":"ec2:CreateNetworkInterface","Resource":"arn:aws:ec2:*:*:subnet/subnet-2"}]}`,
			[]string{"ec2:CreateNetworkInterface arn:aws:ec2:us-east-1:123456789012:subnet/subnet-2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var role []*Policy
			if tc.doc != "" {
				role = append(role, mustParse(t, tc.doc))
			}
			got := CheckENIPermissions(role, scope)
			if len(got) != len(tc.missing) {
				t.Fatalf("missing = %+v, want %v", got, tc.missing)
			}
			for i, m := range got {
				if s := m.Action + " " + m.Resource; s != tc.missing[i] {
					t.Errorf("missing[%d] = %q, want %q", i, s, tc.missing[i])
				}
				if m.Decision.Allowed() {
					t.Errorf("missing[%d] has an Allow decision", i)
				}
			}
		})
	}
}

// Facts §4: the user configuring VPC access needs ec2:DescribeSecurityGroups,
// ec2:DescribeSubnets and ec2:DescribeVpcs.
func TestCheckVPCConfigUserPermissions(t *testing.T) {
	cases := []struct {
		name, doc string
		missing   []string
	}{
		{"describe all", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["lambda:*","ec2:Describe*"],"Resource":"*"}}`, nil},
		{"explicit list", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["ec2:DescribeSecurityGroups","ec2:DescribeSubnets","ec2:DescribeVpcs"],"Resource":"*"}}`, nil},
		{"lambda only", allowLambdaAll, []string{"ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"}},
		{"VPCs denied", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"},{"Sid":"NoVpcs","Effect":"Deny","Action":"ec2:DescribeVpcs","Resource":"*"}]}`, []string{"ec2:DescribeVpcs"}},
		{"scoped to an ARN", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:Describe*","Resource":"arn:aws:ec2:*:*:vpc/*"}}`, []string{"ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := CheckVPCConfigUserPermissions([]*Policy{mustParse(t, tc.doc)})
			if len(got) != len(tc.missing) {
				t.Fatalf("missing = %+v, want %v", got, tc.missing)
			}
			for i, m := range got {
				if m.Action != tc.missing[i] || m.Decision.Allowed() {
					t.Errorf("missing[%d] = %+v, want %s denied", i, m, tc.missing[i])
				}
			}
		})
	}
}
