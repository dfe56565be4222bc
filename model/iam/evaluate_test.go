package iam

import "testing"

// AWS policy evaluation logic within one account for identity-based policies: default
// deny, an Allow grants, an explicit Deny in any policy wins.
func TestEvaluationLogic(t *testing.T) {
	allowS3 := `{"Version":"2012-10-17","Statement":{"Sid":"AllowS3","Effect":"Allow","Action":"s3:*","Resource":"*"}}`
	denyDelete := `{"Version":"2012-10-17","Statement":[{"Sid":"Other","Effect":"Allow","Action":"sqs:*","Resource":"*"},{"Sid":"NoDelete","Effect":"Deny","Action":"s3:Delete*","Resource":"arn:aws:s3:::prod/*"}]}`
	notAction := `{"Version":"2012-10-17","Statement":{"Sid":"AllButIAM","Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`
	notResource := `{"Version":"2012-10-17","Statement":{"Sid":"OnlyProd","Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::prod","arn:aws:s3:::prod/*"]}}`
	cases := []struct {
		name     string
		policies []string
		action   string
		resource string
		want     Decision
	}{
		{"no policies", nil, "s3:GetObject", "*", Decision{ImplicitDeny, -1, ""}},
		{"allow", []string{allowS3}, "s3:GetObject", "arn:aws:s3:::prod/a", Decision{Allow, 0, "AllowS3"}},
		{"action case-insensitive", []string{allowS3}, "S3:getobject", "arn:aws:s3:::prod/a", Decision{Allow, 0, "AllowS3"}},
		{"other service", []string{allowS3}, "sqs:SendMessage", "*", Decision{ImplicitDeny, -1, ""}},
		{"deny in another policy wins", []string{allowS3, denyDelete}, "s3:DeleteObject", "arn:aws:s3:::prod/a", Decision{ExplicitDeny, 1, "NoDelete"}},
		{"deny wins whatever the order", []string{denyDelete, allowS3}, "s3:DeleteObject", "arn:aws:s3:::prod/a", Decision{ExplicitDeny, 0, "NoDelete"}},
		{"deny scoped by resource", []string{allowS3, denyDelete}, "s3:DeleteObject", "arn:aws:s3:::dev/a", Decision{Allow, 0, "AllowS3"}},
		{"first allow is reported", []string{denyDelete, allowS3}, "sqs:SendMessage", "*", Decision{Allow, 0, "Other"}},
		{"NotAction allows the rest", []string{notAction}, "ec2:RunInstances", "*", Decision{Allow, 0, "AllButIAM"}},
		{"NotAction excludes", []string{notAction}, "iam:CreateUser", "*", Decision{ImplicitDeny, -1, ""}},
		{"NotResource denies elsewhere", []string{allowS3, notResource}, "s3:GetObject", "arn:aws:s3:::dev/x", Decision{ExplicitDeny, 1, "OnlyProd"}},
		{"NotResource spares the listed", []string{allowS3, notResource}, "s3:GetObject", "arn:aws:s3:::prod/x", Decision{Allow, 0, "AllowS3"}},
		{"nil policy skipped", []string{"", allowS3}, "s3:GetObject", "*", Decision{Allow, 1, "AllowS3"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ps []*Policy
			for _, d := range tc.policies {
				if d == "" {
					ps = append(ps, nil)
					continue
				}
				ps = append(ps, mustParse(t, d))
			}
			if got := Evaluate(ps, Request{Action: tc.action, Resource: tc.resource}); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMatchers(t *testing.T) {
	globs := []struct {
		pat, s string
		fold   bool
		want   bool
	}{
		{"", "", false, true},
		{"*", "", false, true},
		{"", "a", false, false},
		{"a*b*c", "axxbyyc", false, true},
		{"a*b*c", "axxbyy", false, false},
		{"*a", "bbba", false, true},
		{"a?", "aé", false, true}, // '?' is one character, not one byte
		{"a??", "aé", false, false},
		{"**", "x", false, true},
		{"ec2:*NetworkInterface*", "ec2:CreateNetworkInterfacePermission", true, true},
		{"EC2:describe*", "ec2:DescribeSubnets", true, true},
		{"EC2:describe*", "ec2:DescribeSubnets", false, false},
	}
	for _, g := range globs {
		if got := glob(g.pat, g.s, g.fold); got != g.want {
			t.Errorf("glob(%q, %q, %v) = %v", g.pat, g.s, g.fold, got)
		}
	}
	arns := []struct {
		pat, s string
		want   bool
	}{
		{"*", "anything", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/k:with:colons", true},
		{"arn:aws:ec2:*:*:network-interface/*", "arn:aws:ec2:us-east-1:1:network-interface/eni-1", true},
		{"arn:aws:ec2:*:*:network-interface/*", "arn:aws:ec2:us-east-1:1:subnet/s", false},
		{"arn:aws:ec2:us-*:1:*", "arn:aws:ec2:eu-west-1:1:subnet/s", false},
		{"arn:aws:ec2:*", "arn:aws:ec2:us-east-1:1:subnet/s", false},
		{"arn:aws:ec2:r:1:subnet/s", "*", false},
	}
	for _, a := range arns {
		if got := resourceMatch(a.pat, a.s); got != a.want {
			t.Errorf("resourceMatch(%q, %q) = %v", a.pat, a.s, got)
		}
	}
}

func TestEvaluateAllocatesNothing(t *testing.T) {
	role := []*Policy{AWSLambdaVPCAccessExecutionRole(), mustParse(t, denySourceFunctionArn), mustParse(t, enforceStayInSpecificSubnets), mustParse(t, enforceVPCFunction)}
	code := Request{Action: "ec2:CreateNetworkInterface", Resource: "*", Context: FunctionCodeContext("arn:aws:lambda:us-west-2:123456789012:function:my_function")}
	create := Request{Action: "lambda:CreateFunction", Resource: "*", Context: VPCConfigContext("vpc-1", []string{"subnet-1", "subnet-2"}, []string{"sg-1"})}
	allocs := testing.AllocsPerRun(200, func() {
		_ = Evaluate(role, code)
		_ = Evaluate(role, create)
	})
	if allocs != 0 {
		t.Fatalf("Evaluate allocates %v times per call pair, want 0", allocs)
	}
}
