package iam

import (
	"fmt"
	"testing"
)

// cond parses a one-condition statement and returns its condition.
func cond(t *testing.T, op, key string, values string) *Condition {
	t.Helper()
	doc := fmt.Sprintf(`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {%q: {%q: %s}}}}`, op, key, values)
	p := mustParse(t, doc)
	return &p.Statements[0].Conditions[0]
}

// Request contexts used below: k is the key under test.
var (
	missing  = map[string][]string{"other:key": {"x"}}
	empty    = map[string][]string{"k:k": {}}
	one      = func(v string) map[string][]string { return map[string][]string{"k:k": {v}} }
	many     = func(v ...string) map[string][]string { return map[string][]string{"k:k": v} }
	foldedKK = map[string][]string{"K:K": {"a"}} // condition key names are case-insensitive
)

func TestConditionOperators(t *testing.T) {
	cases := []struct {
		op, values string
		ctx        map[string][]string
		want       bool
	}{
		// String operators on single values; several policy values OR together.
		{"StringEquals", `["a","b"]`, one("b"), true},
		{"StringEquals", `["a","b"]`, one("B"), false},
		{"StringEquals", `"a"`, foldedKK, true},
		{"StringEquals", `"a"`, missing, false}, // missing key: positive operator false
		{"StringEquals", `"a"`, empty, false},
		{"StringEquals", `"a*"`, one("abc"), false}, // no wildcards in Equals
		{"StringNotEquals", `["a","b"]`, one("c"), true},
		{"StringNotEquals", `["a","b"]`, one("b"), false}, // NOR over policy values
		{"StringNotEquals", `"a"`, missing, true},         // negated operator: missing key is true
		{"StringNotEquals", `"a"`, empty, true},
		{"StringEqualsIgnoreCase", `"Abc"`, one("aBC"), true},
		{"StringEqualsIgnoreCase", `"Abc"`, one("abd"), false},
		{"StringNotEqualsIgnoreCase", `"Abc"`, one("aBC"), false},
		{"StringNotEqualsIgnoreCase", `"Abc"`, one("x"), true},
		{"StringLike", `"ab*"`, one("abc"), true},
		{"StringLike", `"a?c"`, one("abc"), true},
		{"StringLike", `"a?c"`, one("abbc"), false},
		{"StringLike", `"ab*"`, one("ABC"), false}, // case-sensitive
		{"StringNotLike", `["x*","ab*"]`, one("abc"), false},
		{"StringNotLike", `["x*","y*"]`, one("abc"), true},
		{"StringNotLike", `"x*"`, missing, true},
		// IfExists: missing key is true; present key is judged normally.
		{"StringEqualsIfExists", `"a"`, missing, true},
		{"StringEqualsIfExists", `"a"`, one("b"), false},
		{"StringEqualsIfExists", `"a"`, one("a"), true},
		{"StringNotEqualsIfExists", `"a"`, one("a"), false},
		{"StringNotEqualsIfExists", `"a"`, missing, true},
		// ARN operators: per component, with wildcards, case-sensitive.
		{"ArnEquals", `"arn:aws:lambda:us-west-2:123456789012:function:f"`, one("arn:aws:lambda:us-west-2:123456789012:function:f"), true},
		{"ArnEquals", `"arn:aws:lambda:us-west-2:123456789012:function:f"`, one("arn:aws:lambda:us-west-2:123456789012:function:g"), false},
		{"ArnLike", `"arn:aws:lambda:*:123456789012:function:*"`, one("arn:aws:lambda:eu-west-1:123456789012:function:f:prod"), true},
		{"ArnLike", `"arn:aws:lambda:*:123456789012:function:*"`, one("arn:aws:lambda:eu-west-1:999999999999:function:f"), false},
		{"ArnLike", `"arn:aws:*"`, one("arn:aws:lambda:eu-west-1:123456789012:function:f"), false}, // '*' cannot span components
		{"ArnLike", `"arn:aws:lambda:*:*:*"`, one("not-an-arn"), false},
		{"ArnNotEquals", `"arn:aws:iam::1:role/a"`, one("arn:aws:iam::1:role/b"), true},
		{"ArnNotLike", `"arn:aws:iam::*:role/a*"`, one("arn:aws:iam::1:role/abc"), false},
		{"ArnNotLike", `"arn:aws:iam::*:role/a*"`, missing, true},
		{"ArnLikeIfExists", `"arn:aws:iam::*:role/a*"`, missing, true},
		// Bool: case-insensitive "true"/"false"; JSON booleans accepted.
		{"Bool", `"true"`, one("true"), true},
		{"Bool", `true`, one("TRUE"), true},
		{"Bool", `false`, one("true"), false},
		{"Bool", `"false"`, missing, false},
		{"BoolIfExists", `"false"`, missing, true},
		// Null: "true" holds when the key is absent (or has no values), "false" when present.
		{"Null", `"true"`, missing, true},
		{"Null", `"true"`, empty, true},
		{"Null", `"true"`, one("a"), false},
		{"Null", `"false"`, one("a"), true},
		{"Null", `"false"`, missing, false},
		{"Null", `["true","false"]`, missing, true},
		{"Null", `["true","false"]`, one("a"), true},
		{"Null", `"true"`, foldedKK, false},
		// Set operators on multivalued keys.
		{"ForAnyValue:StringEquals", `["a","b"]`, many("x", "b"), true},
		{"ForAnyValue:StringEquals", `["a","b"]`, many("x", "y"), false},
		{"ForAnyValue:StringEquals", `"a"`, missing, false}, // false on missing
		{"ForAnyValue:StringEquals", `"a"`, empty, false},   // false on empty
		{"ForAnyValue:StringEqualsIfExists", `"a"`, missing, false},
		{"ForAnyValue:StringNotEquals", `["a","b"]`, many("a", "c"), true}, // some value outside the set
		{"ForAnyValue:StringNotEquals", `["a","b"]`, many("a", "b"), false},
		{"ForAnyValue:StringNotEquals", `"a"`, missing, false},
		{"ForAllValues:StringEquals", `["a","b"]`, many("b", "a"), true},
		{"ForAllValues:StringEquals", `["a","b"]`, many("a", "c"), false},
		{"ForAllValues:StringEquals", `"a"`, missing, true}, // true on missing
		{"ForAllValues:StringEquals", `"a"`, empty, true},   // true on empty
		{"ForAllValues:StringLike", `"Created*"`, many("CreatedBy", "CreatedAt"), true},
		{"ForAllValues:StringNotEquals", `["a","b"]`, many("c", "d"), true},
		{"ForAllValues:StringNotEquals", `["a","b"]`, many("c", "a"), false},
		{"ForAllValues:ArnLike", `"arn:aws:ec2:*:*:subnet/*"`, many("arn:aws:ec2:r:1:subnet/s1", "arn:aws:ec2:r:1:subnet/s2"), true},
		{"ForAnyValue:StringEqualsIgnoreCase", `"A"`, many("x", "a"), true},
		// Plain operators on several request values: positive = any matches; negated = none.
		{"StringEquals", `"a"`, many("x", "a"), true},
		{"StringNotEquals", `"a"`, many("x", "a"), false},
		{"StringNotEquals", `"a"`, many("x", "y"), true},
	}
	for _, tc := range cases {
		name := fmt.Sprintf("%s %s %v", tc.op, tc.values, tc.ctx)
		t.Run(name, func(t *testing.T) {
			c := cond(t, tc.op, "k:k", tc.values)
			if got := c.Eval(tc.ctx); got != tc.want {
				t.Fatalf("Eval = %v, want %v", got, tc.want)
			}
		})
	}
}

// The IAM guide's "Deny a single policy condition value for a multivalued context key"
// example and its published evaluation table.
func TestDocumentedForAllValuesStringNotLike(t *testing.T) {
	p := mustParse(t, `{
  "Version":"2012-10-17",
  "Statement": [
    {
      "Sid": "DenyRestrictedTags",
      "Effect": "Deny",
      "Action": ["iam:Tag*", "iam:UnTag*"],
      "Resource": ["*"],
      "Condition": {"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}}
    }
  ]
}`)
	cases := []struct {
		ctx  map[string][]string
		deny bool
	}{
		{map[string][]string{"aws:TagKeys": {"key1:legal"}}, false},
		{map[string][]string{"aws:TagKeys": {"key1:hr", "key1:personnel"}}, false},
		{map[string][]string{"aws:TagKeys": {"key2:audit"}}, true},
		{map[string][]string{}, true},
	}
	for i, tc := range cases {
		d := Evaluate([]*Policy{p}, Request{Action: "iam:TagUser", Resource: "arn:aws:iam::123456789012:user/u", Context: tc.ctx})
		if got := d.Effect == ExplicitDeny; got != tc.deny {
			t.Errorf("case %d %v: deny = %v, want %v", i, tc.ctx, got, tc.deny)
		}
	}
	// iam:UntagUser matches "iam:UnTag*" because action names are case-insensitive.
	if d := Evaluate([]*Policy{p}, Request{Action: "iam:UntagUser", Resource: "*"}); d.Effect != ExplicitDeny {
		t.Errorf("iam:UntagUser: %v, want ExplicitDeny", d)
	}
}

// Several keys under one operator AND together, as do several operators.
func TestConditionBlockIsAND(t *testing.T) {
	p := mustParse(t, `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {
		"StringEquals": {"aws:PrincipalTag/department": ["finance", "hr"], "aws:PrincipalTag/role": "audit"},
		"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::222222222222:user/*"}}}}`)
	base := func() map[string][]string {
		return map[string][]string{
			"aws:PrincipalTag/department": {"hr"},
			"aws:PrincipalTag/role":       {"audit"},
			"aws:PrincipalArn":            {"arn:aws:iam::222222222222:user/ana"},
		}
	}
	if d := Evaluate([]*Policy{p}, Request{Action: "s3:GetObject", Resource: "*", Context: base()}); d.Effect != Allow {
		t.Fatalf("all conditions hold: %v", d)
	}
	for _, drop := range []string{"aws:PrincipalTag/department", "aws:PrincipalTag/role", "aws:PrincipalArn"} {
		ctx := base()
		delete(ctx, drop)
		if d := Evaluate([]*Policy{p}, Request{Action: "s3:GetObject", Resource: "*", Context: ctx}); d.Effect != ImplicitDeny {
			t.Errorf("without %s: %v, want ImplicitDeny", drop, d)
		}
	}
}
