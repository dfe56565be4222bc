package iam

import (
	"errors"
	"testing"
)

// FuzzParse: Parse never panics; it either returns a policy whose statements are all
// well-formed, or an error wrapping ErrInvalidPolicy with a sane position. Accepted policies
// are evaluated too, so the matchers see fuzzed patterns.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		AWSLambdaVPCAccessExecutionRoleDocument, enforceVPCFunction, enforceOutOfSubnet,
		enforceStayInSpecificSubnets, denySourceFunctionArn, denySourceFunctionArnAsPublished,
		`{"Statement": {"Effect": "Allow", "NotAction": "iam:*", "NotResource": "*", "Condition": {"Null": {"a:b": true}}}}`,
		`{"Statement": [1, {"Effect": "Deny"}]}`, ``, `[`, `{"Statement": [],}`,
	} {
		f.Add([]byte(s))
	}
	ctx := VPCConfigContext("vpc-1", []string{"subnet-1", "subnet-2"}, []string{"sg-1"})
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidPolicy) {
				t.Fatalf("error %v does not wrap ErrInvalidPolicy", err)
			}
			var pe *PolicyError
			if !errors.As(err, &pe) || pe.Line < 1 || pe.Column < 1 {
				t.Fatalf("bad error position: %v", err)
			}
			return
		}
		if len(p.Statements) == 0 {
			t.Fatal("accepted a policy without statements")
		}
		for i := range p.Statements {
			s := &p.Statements[i]
			if (s.Action == nil) == (s.NotAction == nil) || (s.Resource == nil) == (s.NotResource == nil) || s.Name() == "" {
				t.Fatalf("malformed statement accepted: %+v", s)
			}
		}
		for _, action := range ENIActions {
			_ = Evaluate([]*Policy{p}, Request{Action: action, Resource: "arn:aws:ec2:us-east-1:1:subnet/subnet-1", Context: ctx})
		}
	})
}
