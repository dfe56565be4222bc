package iam

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseShapes(t *testing.T) {
	p := mustParse(t, `{
  "Version": "2012-10-17",
  "Id": "doc1",
  "Statement": [
    {"Sid": "One", "Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::b/*", "arn:aws:s3:::c/*"]},
    {"Effect": "Deny", "NotAction": ["iam:*"], "NotResource": "*",
     "Condition": {"StringLike": {"aws:userid": "AID*", "s3:prefix": ["a/", "b/"]}, "Bool": {"aws:SecureTransport": false}, "ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": "x"}}}
  ]
}`)
	if p.Version != Version2012 || p.ID != "doc1" || len(p.Statements) != 2 {
		t.Fatalf("policy = %+v", p)
	}
	s0, s1 := p.Statements[0], p.Statements[1]
	if s0.Name() != "One" || s0.Deny || !reflect.DeepEqual(s0.Action, []string{"s3:GetObject"}) || len(s0.Resource) != 2 || s0.NotAction != nil {
		t.Fatalf("statement 0 = %+v", s0)
	}
	if s1.Name() != "Statement[1]" || !s1.Deny || s1.Action != nil || !reflect.DeepEqual(s1.NotAction, []string{"iam:*"}) || !reflect.DeepEqual(s1.NotResource, []string{"*"}) {
		t.Fatalf("statement 1 = %+v", s1)
	}
	// Conditions flattened and sorted by (operator, key); JSON false kept as "false".
	var got []string
	for _, c := range s1.Conditions {
		got = append(got, c.Operator+" "+c.Key+"="+strings.Join(c.Values, ","))
	}
	want := []string{
		"Bool aws:SecureTransport=false",
		"ForAnyValue:StringEqualsIfExists aws:TagKeys=x",
		"StringLike aws:userid=AID*",
		"StringLike s3:prefix=a/,b/",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("conditions = %q, want %q", got, want)
	}

	single := mustParse(t, `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}`)
	if single.Version != Version2008 || single.Statements[0].Name() != "Statement[0]" {
		t.Fatalf("single statement object: %+v", single)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name      string
		doc       string
		path      string
		line, col int
		msg       string
	}{
		{"empty", ``, "", 1, 1, "unexpected end"},
		{"not JSON", `{"Version": 2012-10-17}`, "", 1, 17, "malformed JSON"},
		{"trailing comma in object", "{\n  \"Statement\": [],\n}", "", 3, 1, "malformed JSON"},
		{"trailing garbage", `{"Statement": []} x`, "", 1, 19, "after top-level value"},
		{"unclosed", `{"Statement": [`, "", 1, 16, "unexpected end"},
		{"top level array", `[]`, "", 1, 1, "must be a JSON object"},
		{"unknown top-level field", `{"Version": "2012-10-17", "Statment": []}`, "Statment", 1, 27, `unknown field "Statment"`},
		{"duplicate field", `{"Version": "2012-10-17", "Version": "2012-10-17", "Statement": []}`, "Version", 1, 27, "duplicate field"},
		{"bad version", `{"Version": "2012-10-18", "Statement": []}`, "Version", 1, 13, "unknown version"},
		{"version type", `{"Version": 2012, "Statement": []}`, "Version", 1, 13, "must be a string"},
		{"missing statement", `{"Version": "2012-10-17"}`, "Statement", 1, 1, "missing required field"},
		{"empty statement list", `{"Statement": []}`, "Statement", 1, 15, "must not be empty"},
		{"statement type", `{"Statement": "x"}`, "Statement", 1, 15, "must be an object or an array"},
		{"statement element type", `{"Statement": [1]}`, "Statement[0]", 1, 16, "statement must be an object"},
		{"unknown statement field", "{\"Statement\": [\n {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"},\n {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\", \"Condtion\": {}}]}", "Statement[1].Condtion", 3, 54, `unknown field "Condtion"`},
		{"principal", `{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}}`, "Statement.Principal", 1, 35, "resource-based"},
		{"missing effect", `{"Statement": {"Action": "*", "Resource": "*"}}`, "Statement.Effect", 1, 15, "missing required field"},
		{"unknown effect", `{"Statement": {"Effect": "allow", "Action": "*", "Resource": "*"}}`, "Statement.Effect", 1, 26, `unknown effect "allow"`},
		{"effect type", `{"Statement": {"Effect": true, "Action": "*", "Resource": "*"}}`, "Statement.Effect", 1, 26, "must be a string"},
		{"action and notaction", `{"Statement": {"Effect": "Allow", "Action": "*", "NotAction": "*", "Resource": "*"}}`, "Statement.NotAction", 1, 63, "mutually exclusive"},
		{"no action", `{"Statement": {"Effect": "Allow", "Resource": "*"}}`, "Statement.Action", 1, 15, "missing required field"},
		{"no resource", `{"Statement": {"Effect": "Allow", "Action": "*"}}`, "Statement.Resource", 1, 15, "missing required field"},
		{"action type", `{"Statement": {"Effect": "Allow", "Action": 3, "Resource": "*"}}`, "Statement.Action", 1, 45, "must be a string or an array"},
		{"action element type", `{"Statement": {"Effect": "Allow", "Action": ["s3:Get", null], "Resource": "*"}}`, "Statement.Action[1]", 1, 56, "must be a string"},
		{"empty action list", `{"Statement": {"Effect": "Allow", "Action": [], "Resource": "*"}}`, "Statement.Action", 1, 45, "empty array"},
		{"bad action", `{"Statement": {"Effect": "Allow", "Action": ["s3:Get", "GetObject"], "Resource": "*"}}`, "Statement.Action[1]", 1, 56, `action "GetObject"`},
		{"bad resource", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "bucket"}}`, "Statement.Resource", 1, 62, `resource "bucket"`},
		{"bad sid", `{"Statement": {"Sid": "no spaces", "Effect": "Allow", "Action": "*", "Resource": "*"}}`, "Statement.Sid", 1, 23, "letters and digits"},
		{"duplicate sid", `{"Statement": [{"Sid": "A", "Effect": "Allow", "Action": "*", "Resource": "*"}, {"Sid": "A", "Effect": "Deny", "Action": "*", "Resource": "*"}]}`, "Statement[1].Sid", 1, 89, `duplicate Sid "A"`},
		{"condition type", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": []}}`, "Statement.Condition", 1, 80, "must be an object"},
		{"unknown operator", "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"},\n{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\", \"Condition\": {\"StringEqual\": {\"a:b\": \"c\"}}}]}", "Statement[1].Condition.StringEqual", 2, 67, `unknown condition operator "StringEqual"`},
		{"unsupported operator", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericLessThan": {"a:b": "1"}}}}`, "Statement.Condition.NumericLessThan", 1, 81, "not supported"},
		{"Null with IfExists", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NullIfExists": {"a:b": "true"}}}}`, "Statement.Condition.NullIfExists", 1, 81, "Null takes no"},
		{"ForAnyValue Null", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"ForAnyValue:Null": {"a:b": "true"}}}}`, "Statement.Condition.ForAnyValue:Null", 1, 81, "Null takes no"},
		{"operator body type", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": "x"}}}`, "Statement.Condition.StringEquals", 1, 97, "must be an object"},
		{"operator body empty", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {}}}}`, "Statement.Condition.StringEquals", 1, 97, "at least one condition key"},
		{"condition value type", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"a:b": {"c": 1}}}}}`, "Statement.Condition.StringEquals.a:b", 1, 105, "must be a string"},
		{"condition list element", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"a:b": ["x", null]}}}}`, "Statement.Condition.StringEquals.a:b[1]", 1, 111, "must be a string"},
		{"condition empty list", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"a:b": []}}}}`, "Statement.Condition.StringEquals.a:b", 1, 105, "empty array"},
		{"bool value", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "yes"}}}}`, "Statement.Condition.Bool.aws:SecureTransport", 1, 113, `"yes"`},
		{"null value", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Null": {"a:b": 1}}}}`, "Statement.Condition.Null.a:b", 1, 97, `"1"`},
		{"duplicate condition key", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"a:b": "x", "A:B": "y"}}}}`, "Statement.Condition.StringEquals.A:B", 1, 110, "duplicate condition key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse([]byte(tc.doc))
			if err == nil {
				t.Fatalf("accepted: %+v", p)
			}
			if !errors.Is(err, ErrInvalidPolicy) {
				t.Fatalf("%v does not wrap ErrInvalidPolicy", err)
			}
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("%T is not a *PolicyError", err)
			}
			if pe.Path != tc.path || pe.Line != tc.line || pe.Column != tc.col || !strings.Contains(pe.Msg, tc.msg) {
				t.Fatalf("got %q at %d:%d path %q; want path %q at %d:%d containing %q", pe.Msg, pe.Line, pe.Column, pe.Path, tc.path, tc.line, tc.col, tc.msg)
			}
			if s := err.Error(); tc.path != "" && !strings.Contains(s, tc.path) {
				t.Fatalf("message %q does not name the path", s)
			}
		})
	}
}

func TestLineCol(t *testing.T) {
	data := []byte("ab\ncd\n\nx")
	for _, tc := range []struct{ off, line, col int }{{0, 1, 1}, {1, 1, 2}, {2, 1, 3}, {3, 2, 1}, {6, 3, 1}, {7, 4, 1}, {8, 4, 2}, {99, 4, 2}} {
		if l, c := lineCol(data, tc.off); l != tc.line || c != tc.col {
			t.Errorf("lineCol(%d) = %d:%d, want %d:%d", tc.off, l, c, tc.line, tc.col)
		}
	}
}
