package scenarios

import (
	"errors"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/enisim/enisim/model/iam"
)

// decodeNode parses a policy document written as a YAML string (a block scalar `|` is the
// readable way) with iam.Parse, and maps the policy's line:col back into the scenario file
// so the error points at the offending character.
func (x *PolicyDoc) decodeNode(d *decoder, n *yaml.Node, p string) {
	s, ok := d.scalar(n, p, "a JSON policy document as a block string (document: |)")
	if !ok {
		return
	}
	x.Text = s
	pol, err := iam.Parse([]byte(s))
	if err != nil {
		var pe *iam.PolicyError
		if !errors.As(err, &pe) {
			d.errorf(n, p, "", "policy: %v", err)
			return
		}
		line, col := d.mapScalarPos(n, pe.Line, pe.Column)
		fp := p
		if pe.Path != "" {
			fp = p + "{" + pe.Path + "}"
		}
		d.errs.add(line, col, fp, "", "invalid policy document: %s", pe.Msg)
		return
	}
	x.Parsed = pol
}

// mapScalarPos converts a 1-based line:col inside a scalar's value into the file's
// line:col. A literal or folded block scalar starts on the line after its indicator and
// is indented; a quoted or plain scalar starts at the node itself (one-line documents).
func (d *decoder) mapScalarPos(n *yaml.Node, line, col int) (int, int) {
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		fileLine := n.Line + line
		indent := 0
		// The block's indentation is that of its first non-blank line.
		for l := n.Line + 1; l-1 < len(d.src); l++ {
			t := d.src[l-1]
			if strings.TrimSpace(t) == "" {
				continue
			}
			indent = len(t) - len(strings.TrimLeft(t, " "))
			break
		}
		return fileLine, indent + col
	}
	if line == 1 {
		off := 0
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			off = 1
		}
		return n.Line, n.Column + off + col - 1
	}
	return n.Line + line - 1, col
}

// managedPolicies are the AWS managed policies a scenario may attach by name, with the
// statements that matter to the model (the CloudWatch Logs statements are kept so that a
// role using them reads like the real one).
var managedPolicies = map[string]string{
	"AWSLambdaVPCAccessExecutionRole": `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow",
     "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
                "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface",
                "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
     "Resource": "*"}
  ]
}`,
	"AWSLambdaBasicExecutionRole": `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow",
     "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
     "Resource": "*"}
  ]
}`,
	"AWSLambda_FullAccess": `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow",
     "Action": ["lambda:*", "iam:PassRole", "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets", "ec2:DescribeVpcs"],
     "Resource": "*"}
  ]
}`,
}

func managedNames() []string {
	out := make([]string, 0, len(managedPolicies))
	for k := range managedPolicies {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// managedPolicy returns the parsed managed policy, or nil for an unknown name.
func managedPolicy(name string) *iam.Policy {
	doc, ok := managedPolicies[name]
	if !ok {
		return nil
	}
	return iam.MustParse(doc)
}
