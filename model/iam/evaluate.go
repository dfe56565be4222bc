package iam

import "fmt"

// Request is one API call to authorise.
type Request struct {
	Action   string // "service:Action", e.g. "ec2:CreateNetworkInterface"
	Resource string // an ARN, or "*" for actions without resource-level permissions
	// Context holds the request's condition keys. A key absent from the map is "missing";
	// a key mapped to an empty slice is present but "empty" (ForAllValues holds, ForAnyValue
	// does not, Null "true" holds). Single-valued keys hold one value.
	Context map[string][]string
}

// Effect is the outcome of an evaluation.
type Effect uint8

const (
	// ImplicitDeny: no statement allowed the request (the default).
	ImplicitDeny Effect = iota
	// Allow: some statement allowed it and none denied it.
	Allow
	// ExplicitDeny: a Deny statement matched; it overrides every Allow.
	ExplicitDeny
)

func (e Effect) String() string {
	switch e {
	case ImplicitDeny:
		return "ImplicitDeny"
	case Allow:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	}
	return fmt.Sprintf("Effect(%d)", uint8(e))
}

// Decision is the result of Evaluate and the statement responsible for it: for
// ExplicitDeny the first matching Deny, for Allow the first matching Allow (in policy
// order, then statement order). For ImplicitDeny, Policy is -1 and Statement empty.
type Decision struct {
	Effect    Effect
	Policy    int    // index into the policies passed to Evaluate
	Statement string // the statement's Sid, or "Statement[i]" when it has none
}

// Allowed reports whether the request may proceed.
func (d Decision) Allowed() bool { return d.Effect == Allow }

func (d Decision) String() string {
	if d.Effect == ImplicitDeny {
		return "ImplicitDeny"
	}
	return fmt.Sprintf("%s by policy %d statement %s", d.Effect, d.Policy, d.Statement)
}

// Evaluate applies AWS's evaluation logic for the identity-based policies of one principal:
// an explicit Deny in any policy wins; otherwise any Allow grants; otherwise the request is
// implicitly denied. Nil policies are skipped. It allocates nothing.
func Evaluate(policies []*Policy, req Request) Decision {
	allow := Decision{Effect: ImplicitDeny, Policy: -1}
	for pi, p := range policies {
		if p == nil {
			continue
		}
		for si := range p.Statements {
			st := &p.Statements[si]
			if !st.Matches(&req) {
				continue
			}
			if st.Deny {
				return Decision{Effect: ExplicitDeny, Policy: pi, Statement: st.name}
			}
			if allow.Effect == ImplicitDeny {
				allow = Decision{Effect: Allow, Policy: pi, Statement: st.name}
			}
		}
	}
	return allow
}

// Matches reports whether the statement applies to the request: its action, its resource
// and all its conditions match (whatever its Effect).
func (s *Statement) Matches(req *Request) bool {
	if s.Action != nil {
		if !anyMatch(s.Action, req.Action, actionMatch) {
			return false
		}
	} else if anyMatch(s.NotAction, req.Action, actionMatch) {
		return false
	}
	if s.Resource != nil {
		if !anyMatch(s.Resource, req.Resource, resourceMatch) {
			return false
		}
	} else if anyMatch(s.NotResource, req.Resource, resourceMatch) {
		return false
	}
	for i := range s.Conditions {
		if !s.Conditions[i].Eval(req.Context) {
			return false
		}
	}
	return true
}

func anyMatch(patterns []string, s string, match func(p, s string) bool) bool {
	for _, p := range patterns {
		if match(p, s) {
			return true
		}
	}
	return false
}
