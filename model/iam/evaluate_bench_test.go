package iam

import "testing"

// BenchmarkEvaluate: one authorisation as the control plane makes it, against a role of
// four policies (managed VPC access, a SourceFunctionArn Deny, subnet allow-list, VPC
// enforcement).
func BenchmarkEvaluate(b *testing.B) {
	role := []*Policy{AWSLambdaVPCAccessExecutionRole(), mustParse(b, denySourceFunctionArn), mustParse(b, enforceStayInSpecificSubnets), mustParse(b, enforceVPCFunction)}
	reqs := map[string]Request{
		"service-eni":   {Action: "ec2:CreateNetworkInterface", Resource: "arn:aws:ec2:us-west-2:123456789012:network-interface/*"},
		"code-eni":      {Action: "ec2:DeleteNetworkInterface", Resource: "*", Context: FunctionCodeContext("arn:aws:lambda:us-west-2:123456789012:function:my_function")},
		"create-in-vpc": {Action: "lambda:CreateFunction", Resource: "*", Context: VPCConfigContext("vpc-1", []string{"subnet-1", "subnet-2"}, []string{"sg-1"})},
		"create-no-vpc": {Action: "lambda:CreateFunction", Resource: "*", Context: VPCConfigContext("", nil, nil)},
	}
	for _, name := range []string{"service-eni", "code-eni", "create-in-vpc", "create-no-vpc"} {
		req := reqs[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = Evaluate(role, req)
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	doc := []byte(denySourceFunctionArn)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(doc); err != nil {
			b.Fatal(err)
		}
	}
}
