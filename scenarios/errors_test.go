package scenarios

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// base is a small valid scenario; cases replace one marked line to break one rule.
const base = `accounts:
  - name: prod
    vpcs:
      - name: vpc-1
        cidr: 10.0.0.0/16
        subnets:
          - {name: subnet-a, az: us-east-1a, cidr: 10.0.1.0/24}
          - {name: subnet-b, az: us-east-1b, cidr: 10.0.2.0/24}
        securityGroups: [sg-1]
      - name: vpc-2
        cidr: 10.1.0.0/16
        subnets:
          - {name: subnet-c, az: us-east-1a, cidr: 10.1.1.0/24}
        securityGroups: [sg-2]
roles:
  - name: r
    managed: [AWSLambdaVPCAccessExecutionRole]
fleets:
  - name: api
    count: 10
    role: r
    vpcConfig: {SubnetIds: [subnet-a, subnet-b], SecurityGroupIds: [sg-1]}
run:
  duration: 1h
`

func TestBaseIsValid(t *testing.T) {
	if _, err := Parse("t.yaml", []byte(base)); err != nil {
		t.Fatal(err)
	}
}

// TestErrors checks one validation rule per case: the position, field path and message.
func TestErrors(t *testing.T) {
	cases := []struct {
		name     string
		old, new string // replace old by new in base
		line     int
		at       string // the error's column is where this text starts on its line ("" skips)
		path     string
		msg      string
	}{
		{"unknown field with suggestion", "{SubnetIds: [subnet-a, subnet-b], SecurityGroupIds: [sg-1]}", "{SubnetID: [subnet-a], SecurityGroupIds: [sg-1]}", 22, "SubnetID",
			"fleets[0].vpcConfig.SubnetID", `unknown field "SubnetID"`},
		{"suggestion text", "    count: 10\n", "    cuont: 10\n", 20, "cuont", "fleets[0].cuont", "did you mean count?"},
		{"wrong type", "    count: 10\n", "    count: many\n", 20, "many", "fleets[0].count", `expected an integer, got "many"`},
		{"invalid CIDR", "cidr: 10.0.1.0/24}", "cidr: 10.0.1.0/33}", 7, "10.0.1.0/33", "accounts[0].vpcs[0].subnets[0].cidr", "not a CIDR block"},
		{"host bits", "cidr: 10.0.1.0/24}", "cidr: 10.0.1.7/24}", 7, "10.0.1.7/24", "accounts[0].vpcs[0].subnets[0].cidr", "host bits set (did you mean 10.0.1.0/24?)"},
		{"subnet too small", "cidr: 10.0.1.0/24}", "cidr: 10.0.1.0/29}", 7, "10.0.1.0/29", "accounts[0].vpcs[0].subnets[0].cidr", "at least a /28"},
		{"subnet too large", "        cidr: 10.0.0.0/16\n", "        cidr: 10.0.0.0/8\n", 5, "10.0.0.0/8", "accounts[0].vpcs[0].cidr", "between /16 and /28"},
		{"subnet outside VPC", "cidr: 10.0.1.0/24}", "cidr: 10.9.1.0/24}", 7, "10.9.1.0/24", "accounts[0].vpcs[0].subnets[0].cidr", "outside its VPC's block 10.0.0.0/16"},
		{"overlapping subnets", "cidr: 10.0.2.0/24}", "cidr: 10.0.1.128/25}", 8, "10.0.1.128/25", "accounts[0].vpcs[0].subnets[1].cidr", "overlaps subnet \"subnet-a\""},
		{"dual stack without IPv6", "SecurityGroupIds: [sg-1]}", "SecurityGroupIds: [sg-1], Ipv6AllowedForDualStack: true}", 22, "subnet-a", "fleets[0].vpcConfig.SubnetIds[0]", "Ipv6AllowedForDualStack needs every subnet to have an IPv6 CIDR"},
		{"dedicated tenancy", "      - name: vpc-2\n", "      - name: vpc-2\n        tenancy: dedicated\n", 11, "dedicated", "accounts[0].vpcs[1].tenancy", "dedicated tenancy"},
		{"too many subnets", "{SubnetIds: [subnet-a, subnet-b], SecurityGroupIds: [sg-1]}", "{SubnetIds: [subnet-a, subnet-b, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15, s16, s17], SecurityGroupIds: [sg-1]}", 22, "[subnet-a", "fleets[0].vpcConfig.SubnetIds", "at most 16 subnets"},
		{"too many SGs", "SecurityGroupIds: [sg-1]}", "SecurityGroupIds: [sg-1, a, b, c, d, e]}", 22, "[sg-1, a", "fleets[0].vpcConfig.SecurityGroupIds", "at most 5 security groups"},
		{"subnets without SGs", "{SubnetIds: [subnet-a, subnet-b], SecurityGroupIds: [sg-1]}", "{SubnetIds: [subnet-a]}", 22, "{SubnetIds", "fleets[0].vpcConfig", "SubnetIds without SecurityGroupIds"},
		{"subnets in two VPCs", "[subnet-a, subnet-b]", "[subnet-a, subnet-c]", 22, "subnet-c", "fleets[0].vpcConfig.SubnetIds[1]", `subnet "subnet-c" is in vpc-2 but the function's other subnets are in vpc-1`},
		{"undefined role", "    role: r\n", "    role: rr\n", 21, "rr", "fleets[0].role", `role "rr" is not defined`},
		{"undefined subnet", "[subnet-a, subnet-b]", "[subnet-a, subnet-x]", 22, "subnet-x", "fleets[0].vpcConfig.SubnetIds[1]", `subnet "subnet-x" is not defined`},
		{"zero duration", "  duration: 1h\n", "  duration: 0s\n", 24, "0s", "run.duration", "must be positive"},
		{"negative duration", "  duration: 1h\n", "  duration: -5m\n", 24, "-5m", "run.duration", "must not be negative"},
		{"duration without unit", "  duration: 1h\n", "  duration: 90\n", 24, "90", "run.duration", `"90" has no unit`},
		{"invalid distribution", "run:\n", "params:\n  eni:\n    createLatency: lognormal{median=75s,p99=10s}\nrun:\n", 25, "lognormal", "params.eni.createLatency.p99", "must not be below the median"},
		{"unknown distribution", "run:\n", "params:\n  eni:\n    createLatency: {lognormale: {median: 75s}}\n", 25, "lognormale", "params.eni.createLatency", `unknown distribution "lognormale" (want one of`},
		{"empirical outside tree", "run:\n", "params:\n  eni:\n    createLatency: empirical{file=../../etc/passwd}\nrun:\n", 25, "empirical", "params.eni.createLatency.file", "no directory"},
		{"malformed policy JSON", "    managed: [AWSLambdaVPCAccessExecutionRole]\n", "    policies:\n      - name: deny\n        document: |\n          {\"Version\": \"2012-10-17\",\n           \"Statement\": [{\"Effect\": \"Deny\", \"Action\": \"ec2:*\", \"Resource\": \"*\",}]}\n", 21, "}]}", "roles[0].policies[0].document", "invalid policy document"},
		{"unreadable trace", "    count: 10\n", "    trace: {format: azure2019, path: /nonexistent/trace.csv}\n", 20, "/nonexistent", "fleets[0].trace.path", "does not exist"},
		{"unknown op", "run:\n", "timeline:\n  - {at: 1m, op: UpdateFunctionConfig, functions: api}\nrun:\n", 24, "UpdateFunctionConfig", "timeline[0].op", "did you mean UpdateFunctionConfiguration?"},
		{"memory limit", "    count: 10\n", "    count: 9000000\n", 19, "- name: api", "fleets", "more than run.memoryLimit"},
		{"bad sweep path", "  duration: 1h\n", "  duration: 1h\n  sweep:\n    grid:\n      fleets.apx.count: [1, 2]\n", 27, "fleets.apx", "run.sweep.grid.fleets.apx.count", `no item named "apx" (did you mean api?)`},
		{"bad sweep value", "  duration: 1h\n", "  duration: 1h\n  sweep:\n    grid:\n      fleets.api.count: [5, -1]\n", 27, "-1", "fleets[0].count", "in sweep point 1 (fleets.api.count=-1)"},
		{"yaml syntax", "    count: 10\n", "    count: [10\n", 0, "", "", "YAML syntax"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(base, c.old) {
				t.Fatalf("base has no %q", c.old)
			}
			src := strings.Replace(base, c.old, c.new, 1)
			_, err := Parse("t.yaml", []byte(src))
			if err == nil {
				t.Fatalf("no error for:\n%s", src)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error does not wrap ErrInvalid: %v", err)
			}
			var es *Errors
			if !errors.As(err, &es) {
				t.Fatalf("error is not *Errors: %T", err)
			}
			for _, e := range es.List {
				full := e.Msg + " (" + e.Hint + ")"
				if e.Path == c.path && strings.Contains(full, c.msg) && e.File == "t.yaml" {
					if c.line == 0 {
						return // YAML syntax errors: the position is the YAML library's
					}
					lines := strings.Split(src, "\n")
					col := 0
					if c.at != "" && c.line <= len(lines) {
						col = strings.Index(lines[c.line-1], c.at) + 1
					}
					if e.Line != c.line || c.at != "" && e.Col != col {
						t.Fatalf("position %d:%d, want %d:%d (%q): %v", e.Line, e.Col, c.line, col, c.at, e)
					}
					return
				}
			}
			t.Fatalf("no error at %s containing %q; got:\n%v", c.path, c.msg, err)
		})
	}
}

// TestAllErrorsAtOnce: several independent mistakes are all reported, in file order.
func TestAllErrorsAtOnce(t *testing.T) {
	src := strings.Replace(base, "    count: 10\n", "    cuont: 10\n", 1)
	src = strings.Replace(src, "cidr: 10.0.2.0/24}", "cidr: 10.0.2.0/33}", 1)
	src = strings.Replace(src, "  duration: 1h\n", "  duration: 1parsec\n", 1)
	_, err := Parse("t.yaml", []byte(src))
	var es *Errors
	if !errors.As(err, &es) {
		t.Fatalf("err = %v", err)
	}
	var got []string
	for _, e := range es.List {
		got = append(got, fmt.Sprintf("%d:%s", e.Line, e.Path))
	}
	want := []string{"8:accounts[0].vpcs[0].subnets[1].cidr", "20:fleets[0].cuont", "24:run.duration"}
	for _, w := range want {
		if !contains(got, w) {
			t.Errorf("missing %s in %v", w, got)
		}
	}
	if !strings.HasPrefix(err.Error(), "") || !strings.Contains(err.Error(), "t.yaml:20:5: fleets[0].cuont: unknown field") {
		t.Errorf("message: %v", err)
	}
}

// TestEmpiricalStaysInsideTree: a file scenario reads empirical samples from its own
// directory tree and refuses paths that leave it.
func TestEmpiricalStaysInsideTree(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "times.txt"), []byte("# seconds\n60\n75s\n1m46s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ok := strings.Replace(base, "run:\n", "params:\n  eni:\n    createLatency: empirical{file=times.txt}\nrun:\n", 1)
	if err := os.WriteFile(filepath.Join(dir, "ok.yaml"), []byte(ok), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Load(filepath.Join(dir, "ok.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Params.ENI.CreateLatency.Values; len(got) != 3 || got[0] != 60 || got[2] != 106 {
		t.Fatalf("samples = %v, want [60 75 106]", got)
	}
	bad := strings.Replace(ok, "file=times.txt", "file=../times.txt", 1)
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	if err := os.WriteFile(filepath.Join(sub, "bad.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(filepath.Join(sub, "bad.yaml"))
	if err == nil || !strings.Contains(err.Error(), "inside the scenario's directory") {
		t.Fatalf("err = %v, want a refusal of ../times.txt", err)
	}
}

// TestNoFollowOnErrors: a misspelt key is one problem. "cuont: 10" is reported as an
// unknown field and the count it meant is not reported again as missing; likewise for
// run.duration. A value that failed to decode is not validated again either.
func TestNoFollowOnErrors(t *testing.T) {
	src := strings.Replace(base, "    count: 10\n", "    cuont: 10\n", 1)
	src = strings.Replace(src, "  duration: 1h\n", "  duraton: 1h\n", 1)
	_, err := Parse("t.yaml", []byte(src))
	var es *Errors
	if !errors.As(err, &es) {
		t.Fatalf("err = %v", err)
	}
	var got []string
	for _, e := range es.List {
		got = append(got, e.Path)
	}
	if want := []string{"fleets[0].cuont", "run.duraton"}; !slices.Equal(got, want) {
		t.Fatalf("problems at %v, want only %v:\n%v", got, want, err)
	}
	// Written as well, the real field keeps its own checks.
	src = strings.Replace(base, "    count: 10\n", "    count: 0\n    cuont: 10\n", 1)
	_, err = Parse("t.yaml", []byte(src))
	if err == nil || !strings.Contains(err.Error(), "fleets[0].count: a fleet needs a positive count") {
		t.Fatalf("err = %v, want the written count: 0 reported", err)
	}
	src = strings.Replace(base, "    count: 10\n", "    count: many\n", 1)
	_, err = Parse("t.yaml", []byte(src))
	if !errors.As(err, &es) || len(es.List) != 1 {
		t.Fatalf("err = %v, want the one decode error", err)
	}
}
