package iam

import (
	"fmt"
	"sort"
	"strings"
)

// Policy is a parsed identity-based policy document. It is immutable after Parse.
type Policy struct {
	Version    string // "2012-10-17" or "2008-10-17" (AWS's default when absent)
	ID         string // the optional top-level "Id"
	Statements []Statement
}

// Statement is one statement of a policy. Exactly one of Action/NotAction and one of
// Resource/NotResource is non-empty.
type Statement struct {
	Sid         string
	Deny        bool // Effect: "Deny" (true) or "Allow" (false)
	Action      []string
	NotAction   []string
	Resource    []string
	NotResource []string
	// Conditions are ANDed; they are sorted by operator then key so that printing and
	// error order do not depend on the document's key order.
	Conditions []Condition

	name string // Sid, or "Statement[i]" when there is none: what a Decision names
}

// Name is what a Decision calls the statement: its Sid, or "Statement[i]" without one.
func (s *Statement) Name() string { return s.name }

// Version values IAM accepts.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Parse parses and validates one policy document. Errors wrap ErrInvalidPolicy and are
// *PolicyError values with a position and a field path.
func Parse(data []byte) (*Policy, error) {
	root, err := parseTree(data)
	if err != nil {
		return nil, err
	}
	v := validator{data: data}
	return v.policy(root)
}

// MustParse is Parse for built-in documents known to be valid; it panics otherwise.
func MustParse(doc string) *Policy {
	p, err := Parse([]byte(doc))
	if err != nil {
		panic(err)
	}
	return p
}

type validator struct{ data []byte }

func (v *validator) errf(n *jnode, path, format string, args ...any) error {
	return newError(v.data, n.off, path, format, args...)
}

// field looks up key in obj, rejecting duplicates (a document with two "Effect"s is
// ambiguous; encoding/json would silently keep the last one).
func (v *validator) checkFields(obj *jnode, path string, allowed []string, why map[string]string) error {
	seen := make(map[string]bool, len(obj.keys))
	for i, k := range obj.keys {
		kp := joinPath(path, k)
		if seen[k] {
			return newError(v.data, obj.keyOffs[i], kp, "duplicate field %q", k)
		}
		seen[k] = true
		ok := false
		for _, a := range allowed {
			if a == k {
				ok = true
				break
			}
		}
		if !ok {
			msg := fmt.Sprintf("unknown field %q (want one of %s)", k, strings.Join(allowed, ", "))
			if w, has := why[k]; has {
				msg = fmt.Sprintf("field %q is not supported: %s", k, w)
			}
			return newError(v.data, obj.keyOffs[i], kp, "%s", msg)
		}
	}
	return nil
}

func get(obj *jnode, key string) *jnode {
	for i, k := range obj.keys {
		if k == key {
			return obj.elems[i]
		}
	}
	return nil
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

var policyFields = []string{"Version", "Id", "Statement"}

func (v *validator) policy(root *jnode) (*Policy, error) {
	if root.kind != jObject {
		return nil, v.errf(root, "", "policy must be a JSON object, got %s", root.kind)
	}
	if err := v.checkFields(root, "", policyFields, nil); err != nil {
		return nil, err
	}
	p := &Policy{Version: Version2008}
	if n := get(root, "Version"); n != nil {
		if n.kind != jString {
			return nil, v.errf(n, "Version", "must be a string, got %s", n.kind)
		}
		if n.str != Version2012 && n.str != Version2008 {
			return nil, v.errf(n, "Version", "unknown version %q (want %q or %q)", n.str, Version2012, Version2008)
		}
		p.Version = n.str
	}
	if n := get(root, "Id"); n != nil {
		if n.kind != jString {
			return nil, v.errf(n, "Id", "must be a string, got %s", n.kind)
		}
		p.ID = n.str
	}
	st := get(root, "Statement")
	if st == nil {
		return nil, v.errf(root, "Statement", "missing required field")
	}
	var list []*jnode
	single := false
	switch st.kind {
	case jObject:
		list, single = []*jnode{st}, true
	case jArray:
		if len(st.elems) == 0 {
			return nil, v.errf(st, "Statement", "must not be empty")
		}
		list = st.elems
	default:
		return nil, v.errf(st, "Statement", "must be an object or an array of objects, got %s", st.kind)
	}
	sids := make(map[string]int, len(list))
	for i, n := range list {
		path := fmt.Sprintf("Statement[%d]", i)
		if single {
			path = "Statement"
		}
		s, err := v.statement(n, path)
		if err != nil {
			return nil, err
		}
		// AWS requires Sids to be unique within a policy; a Decision names a statement by
		// its Sid, so duplicates would also make decisions ambiguous.
		if s.Sid != "" {
			if j, dup := sids[s.Sid]; dup {
				return nil, v.errf(get(n, "Sid"), path+".Sid", "duplicate Sid %q (also Statement[%d])", s.Sid, j)
			}
			sids[s.Sid] = i
			s.name = s.Sid
		} else {
			s.name = fmt.Sprintf("Statement[%d]", i)
		}
		p.Statements = append(p.Statements, s)
	}
	return p, nil
}

var statementFields = []string{"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"}

var unsupportedStatementFields = map[string]string{
	"Principal":    "only identity-based policies are modelled (Principal belongs to resource-based policies)",
	"NotPrincipal": "only identity-based policies are modelled (NotPrincipal belongs to resource-based policies)",
}

func (v *validator) statement(n *jnode, path string) (Statement, error) {
	var s Statement
	if n.kind != jObject {
		return s, v.errf(n, path, "statement must be an object, got %s", n.kind)
	}
	if err := v.checkFields(n, path, statementFields, unsupportedStatementFields); err != nil {
		return s, err
	}
	if sid := get(n, "Sid"); sid != nil {
		if sid.kind != jString {
			return s, v.errf(sid, path+".Sid", "must be a string, got %s", sid.kind)
		}
		for _, r := range sid.str {
			// IAM allows only ASCII letters and digits in a Sid.
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return s, v.errf(sid, path+".Sid", "Sid %q may contain only ASCII letters and digits", sid.str)
			}
		}
		s.Sid = sid.str
	}
	eff := get(n, "Effect")
	if eff == nil {
		return s, v.errf(n, path+".Effect", "missing required field")
	}
	if eff.kind != jString {
		return s, v.errf(eff, path+".Effect", "must be a string, got %s", eff.kind)
	}
	switch eff.str {
	case "Allow":
	case "Deny":
		s.Deny = true
	default:
		return s, v.errf(eff, path+".Effect", "unknown effect %q (want \"Allow\" or \"Deny\")", eff.str)
	}
	var err error
	if s.Action, s.NotAction, err = v.pair(n, path, "Action", "NotAction", checkAction); err != nil {
		return s, err
	}
	if s.Resource, s.NotResource, err = v.pair(n, path, "Resource", "NotResource", checkResource); err != nil {
		return s, err
	}
	if c := get(n, "Condition"); c != nil {
		if s.Conditions, err = v.conditions(c, path+".Condition"); err != nil {
			return s, err
		}
	}
	return s, nil
}

// pair reads the mutually exclusive, one-required fields a/notA as strings or string lists.
func (v *validator) pair(n *jnode, path, a, notA string, check func(string) string) ([]string, []string, error) {
	na, nn := get(n, a), get(n, notA)
	switch {
	case na != nil && nn != nil:
		return nil, nil, v.errf(nn, joinPath(path, notA), "%s and %s are mutually exclusive", a, notA)
	case na == nil && nn == nil:
		return nil, nil, v.errf(n, joinPath(path, a), "missing required field (%s or %s)", a, notA)
	}
	name, node := a, na
	if na == nil {
		name, node = notA, nn
	}
	list, err := v.stringList(node, joinPath(path, name), false)
	if err != nil {
		return nil, nil, err
	}
	for i, s := range list {
		if msg := check(s); msg != "" {
			at := node
			p := joinPath(path, name)
			if node.kind == jArray {
				at = node.elems[i]
				p = fmt.Sprintf("%s[%d]", p, i)
			}
			return nil, nil, v.errf(at, p, "%s", msg)
		}
	}
	if na != nil {
		return list, nil, nil
	}
	return nil, list, nil
}

// stringList reads a string or a non-empty array of strings. With scalars, JSON booleans
// and numbers are accepted as their literal text (IAM accepts `"Bool": {"k": true}`).
func (v *validator) stringList(n *jnode, path string, scalars bool) ([]string, error) {
	one := func(e *jnode, p string) (string, error) {
		switch {
		case e.kind == jString:
			return e.str, nil
		case scalars && e.kind == jBool:
			if e.boolean {
				return "true", nil
			}
			return "false", nil
		case scalars && e.kind == jNumber:
			return e.str, nil
		}
		return "", v.errf(e, p, "must be a string, got %s", e.kind)
	}
	if n.kind != jArray {
		s, err := one(n, path)
		if err != nil {
			return nil, v.errf(n, path, "must be a string or an array of strings, got %s", n.kind)
		}
		return []string{s}, nil
	}
	if len(n.elems) == 0 {
		return nil, v.errf(n, path, "must not be an empty array")
	}
	out := make([]string, len(n.elems))
	for i, e := range n.elems {
		s, err := one(e, fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// checkAction accepts "*" or "service:action" where the action part may hold wildcards.
func checkAction(a string) string {
	if a == "*" {
		return ""
	}
	svc, act, ok := strings.Cut(a, ":")
	if !ok || svc == "" || act == "" || strings.ContainsAny(svc, "*?") && svc != "*" {
		return fmt.Sprintf("action %q must be \"*\" or \"service:action\"", a)
	}
	return ""
}

// checkResource accepts "*" or an ARN (at least "arn:partition:service:region:account:…").
func checkResource(r string) string {
	if r == "*" {
		return ""
	}
	if !strings.HasPrefix(r, "arn:") || strings.Count(r, ":") < 5 {
		return fmt.Sprintf("resource %q must be \"*\" or an ARN (arn:partition:service:region:account:resource)", r)
	}
	return ""
}

func (v *validator) conditions(n *jnode, path string) ([]Condition, error) {
	if n.kind != jObject {
		return nil, v.errf(n, path, "must be an object mapping operators to {key: values}, got %s", n.kind)
	}
	var out []Condition
	seenOp := make(map[string]bool, len(n.keys))
	for i, opName := range n.keys {
		opPath := path + "." + opName
		if seenOp[opName] {
			return nil, newError(v.data, n.keyOffs[i], opPath, "duplicate condition operator %q", opName)
		}
		seenOp[opName] = true
		op, msg := parseOperator(opName)
		if msg != "" {
			return nil, newError(v.data, n.keyOffs[i], opPath, "%s", msg)
		}
		body := n.elems[i]
		if body.kind != jObject {
			return nil, v.errf(body, opPath, "must be an object mapping condition keys to values, got %s", body.kind)
		}
		if len(body.keys) == 0 {
			return nil, v.errf(body, opPath, "must name at least one condition key")
		}
		seenKey := make(map[string]bool, len(body.keys))
		for j, key := range body.keys {
			keyPath := opPath + "." + key
			// Condition key names are case-insensitive in IAM, so "aws:X" twice in any
			// casing under one operator is a duplicate.
			lk := strings.ToLower(key)
			if seenKey[lk] {
				return nil, newError(v.data, body.keyOffs[j], keyPath, "duplicate condition key %q", key)
			}
			seenKey[lk] = true
			if key == "" {
				return nil, newError(v.data, body.keyOffs[j], keyPath, "empty condition key")
			}
			vals, err := v.stringList(body.elems[j], keyPath, true)
			if err != nil {
				return nil, err
			}
			c := Condition{Operator: opName, Key: key, Values: vals, op: op}
			if msg := c.checkValues(); msg != "" {
				return nil, v.errf(body.elems[j], keyPath, "%s", msg)
			}
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].Operator != out[b].Operator {
			return out[a].Operator < out[b].Operator
		}
		return out[a].Key < out[b].Key
	})
	return out, nil
}
