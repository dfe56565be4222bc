package scenarios

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// netBase: a NAT-routed subnet, one fleet with an internet and an in-VPC target, versions
// invoked through qualifiers, and the connection-limit parameters set.
const netBase = `accounts:
  - name: prod
    vpcs:
      - name: vpc-1
        cidr: 10.0.0.0/16
        natGatewayIPs: 3
        subnets:
          - {name: private-a, az: us-east-1a, cidr: 10.0.1.0/24, route: nat}
          - {name: public-a, az: us-east-1a, cidr: 10.0.9.0/24, route: public}
        securityGroups: [sg-1]
roles:
  - name: r
    managed: [AWSLambdaVPCAccessExecutionRole]
fleets:
  - name: api
    count: 2
    role: r
    versions: 2
    vpcConfig: {SubnetIds: [private-a], SecurityGroupIds: [sg-1]}
    connections:
      targets:
        - {name: db, kind: db}
        - {name: partner, kind: internet}
    workload:
      rate: 10/s
      qualifiers:
        - {version: 1, share: 20%}
        - {version: 2, share: 0.05}
params:
  network:
    natConnectionsPerIP: 1000
    natNewConnectionRate: 600/s
    eniNewConnectionRate: 50/s
run:
  duration: 1h
`

// TestNetLimitsAndQualifiersReachTheModel: the YAML fields become the model's parameters,
// the VPC's NAT gateway IPs, the function's internet targets and its qualifier shares.
func TestNetLimitsAndQualifiersReachTheModel(t *testing.T) {
	s, err := Parse("t.yaml", []byte(netBase))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := s.Model(SweepPoint{})
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Params
	if p.NATConnectionsPerIP != 1000 || p.NATNewConnectionRate != 600 || p.ENINewConnectionRate != 50 {
		t.Errorf("params: natConnectionsPerIP %d, natNewConnectionRate %g, eniNewConnectionRate %g",
			p.NATConnectionsPerIP, p.NATNewConnectionRate, p.ENINewConnectionRate)
	}
	a := cfg.Accounts[0]
	if v := a.VPCs[0]; v.NATGatewayIPs != 3 || v.NATGateways != 1 {
		t.Errorf("VPC: %d NAT gateways with %d IPs, want 1 with 3", v.NATGateways, v.NATGatewayIPs)
	}
	f := a.Functions[0]
	if !slices.Equal(f.InternetTargets, []int{1}) || !f.NeedsInternet {
		t.Errorf("internet targets %v (needs internet %v), want [1]", f.InternetTargets, f.NeedsInternet)
	}
	q := f.Workload.Qualifiers
	if len(q) != 2 || q[0].Version != 1 || q[0].Share != 0.2 || q[1].Version != 2 || q[1].Share != 0.05 {
		t.Errorf("qualifiers %+v", q)
	}
}

func TestNetLimitsAndQualifierErrors(t *testing.T) {
	for _, c := range []struct {
		old, new, path, msg string
	}{
		{"natGatewayIPs: 3", "natGatewayIPs: 9", "accounts[0].vpcs[0].natGatewayIPs", "1 to 8 public IPs"},
		{"natConnectionsPerIP: 1000", "natConnectionsPerIP: 0", "params.network.natConnectionsPerIP", "at least 1"},
		{"natNewConnectionRate: 600/s", "natNewConnectionRate: 0/s", "params.network.natNewConnectionRate", "must be positive"},
		{"{version: 1, share: 20%}", "{version: 0, share: 20%}", "fleets[0].workload.qualifiers[0].version", "at least 1"},
		{"{version: 2, share: 0.05}", "{version: 1, share: 0.05}", "fleets[0].workload.qualifiers[1].version", "listed twice"},
		{"{version: 2, share: 0.05}", "{version: 2, share: 0.9}", "fleets[0].workload.qualifiers", "add up to 1.1"},
		{"{version: 1, share: 20%}", "{version: 1, share: 0}", "fleets[0].workload.qualifiers[0].share", "(0, 1]"},
		{"      rate: 10/s\n", "", "fleets[0].workload.qualifiers", "has no rate"},
		{"    versions: 2\n", "    versions: 2\n    fidelity: aggregate\n", "fleets[0].workload.qualifiers", "not with fidelity aggregate"},
	} {
		if !strings.Contains(netBase, c.old) {
			t.Fatalf("netBase has no %q", c.old)
		}
		_, err := Parse("t.yaml", []byte(strings.Replace(netBase, c.old, c.new, 1)))
		var es *Errors
		if !errors.As(err, &es) {
			t.Fatalf("%s: error %v, want *Errors", c.path, err)
		}
		found := false
		for _, e := range es.List {
			found = found || e.Path == c.path && strings.Contains(e.Msg+" ("+e.Hint+")", c.msg) && e.Line > 0
		}
		if !found {
			t.Errorf("no error at %s containing %q; got:\n%v", c.path, c.msg, err)
		}
	}
}
