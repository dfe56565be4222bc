package iam

import (
	"fmt"
	"strings"
)

// Condition is one (operator, key, values) triple of a statement's Condition block.
type Condition struct {
	Operator string   // as written, e.g. "ForAnyValue:StringLikeIfExists"
	Key      string   // condition key, e.g. "lambda:SubnetIds" (case-insensitive in IAM)
	Values   []string // policy values; JSON booleans and numbers are kept as their text
	op       operator
}

type baseOp uint8

const (
	opStringEquals baseOp = iota
	opStringNotEquals
	opStringEqualsIgnoreCase
	opStringNotEqualsIgnoreCase
	opStringLike
	opStringNotLike
	opArnEquals
	opArnLike
	opArnNotEquals
	opArnNotLike
	opBool
	opNull
)

var baseOpNames = [...]string{
	"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
	"StringLike", "StringNotLike", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike",
	"Bool", "Null",
}

// unsupportedOps are real IAM operators this package does not model; naming them gives a
// clearer error than "unknown operator".
var unsupportedOps = []string{
	"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
	"NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals", "DateNotEquals",
	"DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
	"BinaryEquals", "IpAddress", "NotIpAddress",
}

type setOp uint8

const (
	setNone setOp = iota
	setForAnyValue
	setForAllValues
)

type operator struct {
	base     baseOp
	set      setOp
	ifExists bool
}

func (b baseOp) negated() bool {
	switch b {
	case opStringNotEquals, opStringNotEqualsIgnoreCase, opStringNotLike, opArnNotEquals, opArnNotLike:
		return true
	}
	return false
}

// parseOperator splits "ForAllValues:StringLikeIfExists" into its parts; msg says what is
// wrong otherwise.
func parseOperator(name string) (operator, string) {
	var op operator
	rest := name
	switch {
	case strings.HasPrefix(rest, "ForAnyValue:"):
		op.set, rest = setForAnyValue, strings.TrimPrefix(rest, "ForAnyValue:")
	case strings.HasPrefix(rest, "ForAllValues:"):
		op.set, rest = setForAllValues, strings.TrimPrefix(rest, "ForAllValues:")
	}
	if r, ok := strings.CutSuffix(rest, "IfExists"); ok {
		op.ifExists, rest = true, r
	}
	for i, n := range baseOpNames {
		if n == rest {
			op.base = baseOp(i)
			if op.base == opNull && (op.ifExists || op.set != setNone) {
				return op, fmt.Sprintf("condition operator %q: Null takes no ForAnyValue:/ForAllValues: prefix and no IfExists suffix", name)
			}
			return op, ""
		}
	}
	for _, n := range unsupportedOps {
		if n == rest {
			return op, fmt.Sprintf("condition operator %q is not supported (supported: String*, Arn*, Bool, Null, with ForAnyValue:/ForAllValues: and …IfExists)", name)
		}
	}
	return op, fmt.Sprintf("unknown condition operator %q", name)
}

// checkValues validates the policy values of operators that take only "true"/"false".
func (c *Condition) checkValues() string {
	if c.op.base != opBool && c.op.base != opNull {
		return ""
	}
	for _, v := range c.Values {
		if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			return fmt.Sprintf("%s value %q must be \"true\" or \"false\"", baseOpNames[c.op.base], v)
		}
	}
	return ""
}

// matchValue reports whether one request value v matches one policy value p under the
// positive form of the operator (StringNotEquals is judged by StringEquals, then negated).
func (b baseOp) matchValue(p, v string) bool {
	switch b {
	case opStringEquals, opStringNotEquals:
		return p == v
	case opStringEqualsIgnoreCase, opStringNotEqualsIgnoreCase, opBool:
		return strings.EqualFold(p, v)
	case opStringLike, opStringNotLike:
		return glob(p, v, false)
	case opArnEquals, opArnLike, opArnNotEquals, opArnNotLike:
		// IAM documents ArnEquals and ArnLike identically: per-component, with wildcards.
		return arnMatch(p, v)
	}
	return false
}

// valueHolds is the operator's verdict on one request value: for a positive operator, the
// value matches some policy value (OR); for a negated one, it matches none of them (NOR).
func (c *Condition) valueHolds(v string) bool {
	hit := false
	for _, p := range c.Values {
		if c.op.base.matchValue(p, v) {
			hit = true
			break
		}
	}
	if c.op.base.negated() {
		return !hit
	}
	return hit
}

// Eval decides the condition against a request context (see Request.Context for what a
// missing key and an empty value list mean). The rules, from the IAM reference:
//   - Null "true" holds when the key is missing or has no values; "false" when it has some.
//   - A missing key makes a positive operator false and a negated one (StringNotEquals,
//     ArnNotLike, …) true; …IfExists makes a missing key true.
//   - ForAnyValue: some request value holds; false when the key is missing or empty, even
//     with IfExists (as AWS behaves: ForAnyValue:StringEqualsIfExists on an absent
//     aws:TagKeys does not match).
//   - ForAllValues: every request value holds; true when the key is missing or empty.
//   - No set operator: a positive operator holds if any request value matches any policy
//     value; a negated operator is its exact negation. For the single-valued keys this form
//     is meant for, both readings coincide with the documentation.
func (c *Condition) Eval(ctx map[string][]string) bool {
	vals, present := lookup(ctx, c.Key)
	if c.op.base == opNull {
		isNull := !present || len(vals) == 0
		wantNull := strings.EqualFold(c.Values[0], "true")
		for _, p := range c.Values[1:] {
			// Several values OR together: ["true","false"] always holds.
			if strings.EqualFold(p, "true") != wantNull {
				return true
			}
		}
		return isNull == wantNull
	}
	switch c.op.set {
	case setForAnyValue:
		for _, v := range vals {
			if c.valueHolds(v) {
				return true
			}
		}
		return false
	case setForAllValues:
		for _, v := range vals {
			if !c.valueHolds(v) {
				return false
			}
		}
		return true
	}
	if !present {
		return c.op.ifExists || c.op.base.negated()
	}
	matched := false
	pos := c.op.base
	for _, v := range vals {
		for _, p := range c.Values {
			if pos.matchValue(p, v) {
				matched = true
				break
			}
		}
		if matched {
			break
		}
	}
	if c.op.base.negated() {
		return !matched
	}
	return matched
}

// lookup finds a condition key in the request context. IAM condition key names are
// case-insensitive: an exact hit is the fast path; otherwise the context is scanned with
// EqualFold, taking the smallest matching key so that the result never depends on map
// iteration order.
func lookup(ctx map[string][]string, key string) ([]string, bool) {
	if v, ok := ctx[key]; ok {
		return v, true
	}
	var best string
	var bv []string
	found := false
	for k, v := range ctx {
		if strings.EqualFold(k, key) && (!found || k < best) {
			best, bv, found = k, v, true
		}
	}
	return bv, found
}
