package runner

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/enisim/enisim/results"
	"github.com/enisim/enisim/scenarios"
)

// natBurst: 20 functions calling one partner API through one NAT gateway at 100/s each,
// a new connection per invocation (2,000/s against the ~900/s per destination of facts §6);
// the sweep's second point keeps connections alive instead.
const natBurst = `accounts:
  - name: prod
    vpcs:
      - name: vpc-1
        cidr: 10.0.0.0/16
        subnets:
          - {name: private-a, az: us-east-1a, cidr: 10.0.1.0/24, route: nat}
          - {name: public-a, az: us-east-1a, cidr: 10.0.9.0/24, route: public}
        securityGroups: [sg-1]
roles:
  - name: r
    managed: [AWSLambdaVPCAccessExecutionRole]
fleets:
  - name: api
    count: 20
    role: r
    vpcConfig: {SubnetIds: [private-a], SecurityGroupIds: [sg-1]}
    connections:
      mode: per-invocation
      targets: [{name: partner, kind: internet}]
    workload: {rate: 100/s}
run:
  duration: 1m
  sweep:
    list:
      - {fleets.api.connections.mode: per-invocation}
      - {fleets.api.connections.mode: keepalive}
`

// TestNATNewConnectionLimitShowsInResults: connections refused by the NAT gateway surface
// as ConnectionTimeout failures in the run's results; keep-alive connections avoid them.
func TestNATNewConnectionLimitShowsInResults(t *testing.T) {
	sc, err := scenarios.Parse("nat-burst.yaml", []byte(natBurst))
	require.NoError(t, err)
	byMode := map[string]results.Summary{}
	for _, u := range Units(sc) {
		o, err := RunUnit(sc, u, Options{Dir: filepath.Join(t.TempDir(), "u"), Format: results.Arrow, Duration: time.Minute})
		require.NoError(t, err)
		byMode[u.Point.Label()] = o.Summary
	}
	require.Len(t, byMode, 2)
	for label, s := range byMode {
		timeouts := failed(s, "ConnectionTimeout")
		t.Logf("%s: %d invocations, %d ConnectionTimeout", label, s.Invocations.Invocations, timeouts)
		if s.Invocations.ConnReused == 0 { // per-invocation
			// About 2,000/s offered, about 900/s admitted.
			frac := float64(timeouts) / float64(s.Invocations.Invocations)
			assert.InDelta(t, 0.55, frac, 0.05, "%s: share of invocations refused by the NAT gateway", label)
		} else {
			assert.Zero(t, timeouts, "%s: kept-alive connections are opened once per environment", label)
		}
	}
}

// pinnedVersions: 5 functions with a published version, moved to another subnet and
// security group after an hour; the version stays pinned to the old combination.
const pinnedVersions = `accounts:
  - name: prod
    vpcs:
      - name: vpc-1
        cidr: 10.0.0.0/16
        subnets:
          - {name: subnet-a, az: us-east-1a, cidr: 10.0.1.0/24}
          - {name: subnet-b, az: us-east-1b, cidr: 10.0.2.0/24}
        securityGroups: [sg-1, sg-2]
roles:
  - name: r
    managed: [AWSLambdaVPCAccessExecutionRole]
fleets:
  - name: api
    count: 5
    role: r
    versions: 1
    vpcConfig: {SubnetIds: [subnet-a], SecurityGroupIds: [sg-1]}
    workload:
      rate: 1/h
QUALIFIERS
timeline:
  - {at: 1h, op: UpdateFunctionConfiguration, functions: api, vpcConfig: {SubnetIds: [subnet-b], SecurityGroupIds: [sg-2]}}
run:
  duration: 20d
  sampleEvery: 1h
`

// TestInvokedVersionsKeepTheirENIs: a version invoked through workload.qualifiers keeps the
// old combination's ENI and stays Active; never invoked, it goes Inactive after 14 days and
// the ENI only it used is reclaimed and deleted, although $LATEST stays busy.
func TestInvokedVersionsKeepTheirENIs(t *testing.T) {
	run := func(qualifiers string) results.Summary {
		src := strings.Replace(pinnedVersions, "QUALIFIERS\n", qualifiers, 1)
		sc, err := scenarios.Parse("pinned.yaml", []byte(src))
		require.NoError(t, err)
		o, err := RunUnit(sc, Units(sc)[0], Options{Dir: filepath.Join(t.TempDir(), "u"), Format: results.Arrow})
		require.NoError(t, err)
		return o.Summary
	}
	invoked := run("      qualifiers: [{version: 1, share: 50%}]\n")
	assert.Zero(t, invoked.Functions.InactiveTransitions, "version and $LATEST both invoked every few hours")
	assert.Zero(t, invoked.ENIAPI.Deleted, "the version keeps the old combination's ENI")
	idle := run("")
	assert.Equal(t, int64(5), idle.Functions.InactiveTransitions, "each function's version 1 goes Inactive")
	assert.Equal(t, int64(1), idle.ENIAPI.Deleted, "the old combination's ENI is reclaimed and deleted")
}

// TestVersionInvocationsCountInResults: invocations sent to a published version are real
// invocations in the run's results: the same arrivals all sent to version 1 give the same
// invocation count as when they all go to $LATEST (the qualifier draw does not move the
// arrivals), with cold starts and latency of their own.
func TestVersionInvocationsCountInResults(t *testing.T) {
	run := func(qualifiers string) results.Summary {
		src := strings.Replace(pinnedVersions, "QUALIFIERS\n", qualifiers, 1)
		sc, err := scenarios.Parse("pinned.yaml", []byte(src))
		require.NoError(t, err)
		o, err := RunUnit(sc, Units(sc)[0], Options{Dir: filepath.Join(t.TempDir(), "u"), Format: results.Arrow, Duration: 48 * time.Hour})
		require.NoError(t, err)
		return o.Summary
	}
	latest := run("")
	version := run("      qualifiers: [{version: 1, share: 100%}]\n")
	require.Positive(t, latest.Invocations.Invocations)
	assert.Equal(t, latest.Invocations.Invocations, version.Invocations.Invocations, "every arrival is an invocation, of $LATEST or of version 1")
	assert.Zero(t, version.Invocations.Failed)
	// The same arrival times against the same environment expiry: the same cold starts,
	// but for $LATEST's environments retired by the switchover (one per function at most).
	assert.Positive(t, version.Invocations.ColdStarts)
	assert.InDelta(t, latest.Invocations.ColdStarts, version.Invocations.ColdStarts, 5)
	assert.Positive(t, version.Latency.MeanS)
}

// sparseNAT: functions invoked about every 8 minutes (past the 350 s idle timeout) keep a
// connection to a partner API through a NAT gateway whose new-connection rate is scaled down
// to 1 per 20 s; the sweep adds 60 s keepalive probes, which keep the idle flows open.
const sparseNAT = `accounts:
  - name: prod
    vpcs:
      - name: vpc-1
        cidr: 10.0.0.0/16
        subnets:
          - {name: private-a, az: us-east-1a, cidr: 10.0.1.0/24, route: nat}
          - {name: public-a, az: us-east-1a, cidr: 10.0.9.0/24, route: public}
        securityGroups: [sg-1]
roles:
  - name: r
    managed: [AWSLambdaVPCAccessExecutionRole]
fleets:
  - name: sparse
    count: 100
    role: r
    vpcConfig: {SubnetIds: [private-a], SecurityGroupIds: [sg-1]}
    connections:
      mode: keepalive
      targets: [{name: partner, kind: internet}]
    workload: {rate: 1/8m}
params:
  function:
    envIdleExpiry: 1h
  network:
    natNewConnectionRate: 0.05/s
run:
  duration: 6h
  sweep:
    list:
      - {fleets.sparse.connections.keepaliveInterval: 0s}
      - {fleets.sparse.connections.keepaliveInterval: 60s}
`

// TestReconnectsCountAgainstTheNATRate: reconnects after the idle timeout are new
// connections through the NAT gateway: without probes they keep running into its
// new-connection rate (ConnectionTimeout) long after every environment is warm; with
// probes only the cold starts do.
func TestReconnectsCountAgainstTheNATRate(t *testing.T) {
	sc, err := scenarios.Parse("sparse-nat.yaml", []byte(sparseNAT))
	require.NoError(t, err)
	byProbe := map[bool]results.Summary{}
	for _, u := range Units(sc) {
		o, err := RunUnit(sc, u, Options{Dir: filepath.Join(t.TempDir(), "u"), Format: results.Arrow})
		require.NoError(t, err)
		byProbe[strings.Contains(u.Point.Label(), "60s")] = o.Summary
	}
	require.Len(t, byProbe, 2)
	for probes, s := range byProbe {
		t.Logf("probes %v: %d invocations, %d cold, %d resets, %d ConnectionTimeout", probes, s.Invocations.Invocations,
			s.Invocations.ColdStarts, s.Invocations.ConnResets, failed(s, "ConnectionTimeout"))
	}
	without, with := byProbe[false], byProbe[true]
	assert.Positive(t, without.Invocations.ConnResets)
	assert.Zero(t, with.Invocations.ConnResets)
	assert.Greater(t, failed(without, "ConnectionTimeout"), 3*failed(with, "ConnectionTimeout"),
		"reconnects after the idle drop are charged to the NAT gateway's new-connection rate")
}
