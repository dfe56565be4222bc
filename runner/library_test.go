package runner

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/enisim/enisim/results"
	"github.com/enisim/enisim/scenarios"
)

// runBuiltin runs one unit of a built-in scenario and returns its summary.
func runBuiltin(t *testing.T, name string, u func([]Unit) Unit, d time.Duration) results.Summary {
	t.Helper()
	sc, err := scenarios.Builtin(name)
	require.NoError(t, err)
	units := Units(sc)
	unit := units[0]
	if u != nil {
		unit = u(units)
	}
	o, err := RunUnit(sc, unit, Options{Dir: filepath.Join(t.TempDir(), name), Format: results.Arrow, Workers: 2, Duration: d})
	require.NoError(t, err)
	require.True(t, o.Complete)
	return o.Summary
}

func failed(s results.Summary, code string) int64 {
	for _, c := range s.FailedByCause {
		if c.Name == code {
			return c.Count
		}
	}
	return 0
}

func outcome(s results.Summary, name string) int64 {
	for _, c := range s.Operations.ByOutcome {
		if c.Name == name {
			return c.Count
		}
	}
	return 0
}

// pointWith picks the first unit whose sweep assignment has the given label.
func pointWith(label string) func([]Unit) Unit {
	return func(us []Unit) Unit {
		for _, u := range us {
			if u.Point.Label() == label {
				return u
			}
		}
		panic("no sweep point " + label)
	}
}

// Each library scenario states a question; these tests run it and assert the direction
// of its answer, so a model change that flips an answer fails here.

func TestLibraryDefaultStaysWithinQuota(t *testing.T) {
	s := runBuiltin(t, "default", nil, 12*time.Hour)
	require.NotEmpty(t, s.VPCs)
	for _, v := range s.VPCs {
		assert.Greater(t, v.PeakENIs, int64(0), v.VPC)
		assert.Less(t, v.PeakENIs, v.Quota, v.VPC)
	}
	assert.Greater(t, s.Invocations.Invocations, int64(100_000))
	assert.Zero(t, s.Invocations.Failed)
}

func TestLibraryVPCPrivateInternetCallsTimeOut(t *testing.T) {
	s := runBuiltin(t, "vpc-private", nil, 2*time.Hour)
	assert.Greater(t, s.Invocations.Failed, int64(0), "internet-bound invocations from private subnets must fail")
	assert.Less(t, s.Invocations.Failed, s.Invocations.Invocations/2, "the S3/DynamoDB-only functions keep working")
}

func TestLibraryVPCPrivatePublicReachesInternet(t *testing.T) {
	s := runBuiltin(t, "vpc-privatepublic", nil, 4*time.Hour)
	assert.Greater(t, s.Invocations.Invocations, int64(0))
	assert.Zero(t, s.Invocations.Failed, "a NAT route gives internet access")
}

func TestLibraryGuardrailsAllowCompliantDenyOthers(t *testing.T) {
	s := runBuiltin(t, "guardrails", nil, 0)
	assert.Greater(t, s.Operations.Denied, int64(0), "non-compliant deployments are denied")
	assert.Less(t, s.Operations.Denied, s.Operations.Total, "the compliant fleet is allowed")
	assert.Greater(t, s.Invocations.Invocations, int64(0), "the compliant fleet runs")
}

func TestLibraryIdleFleetGoesInactiveAndRecovers(t *testing.T) {
	s := runBuiltin(t, "idle-fleet", nil, 0)
	assert.Greater(t, s.Functions.InactiveTransitions, int64(0), "functions silent for over 14 days go Inactive")
	assert.Greater(t, failed(s, "ResourceNotReadyException"), int64(0), "their first invocation fails")
	assert.Greater(t, s.Functions.Recovered, int64(0))
	// The busy fifth of each fleet keeps the shared ENIs alive: recovery attaches (seconds)
	// rather than re-creating an ENI (tens of seconds).
	assert.Less(t, s.Functions.RecoverP50S, 10.0, "recovery attaches to the ENIs that stayed")
	assert.Greater(t, s.Functions.RecoverP50S, 0.5, "an attach still takes seconds")
}

func TestLibraryPermissionRemovedBreaksNextCreation(t *testing.T) {
	s := runBuiltin(t, "permission-removed", nil, 0)
	assert.Greater(t, s.Invocations.Invocations, int64(0), "invocations keep working without EC2 permissions")
	assert.Greater(t, outcome(s, "Failed"), int64(0), "the move to new subnets needs new ENIs and fails")
}

func TestLibraryVPCSwitchoverTakesMinutes(t *testing.T) {
	s := runBuiltin(t, "vpc-switchover", nil, 3*time.Hour)
	assert.Equal(t, int64(400), s.Switchovers.Count)
	assert.Greater(t, s.Switchovers.InProgressP50S, 60.0, "a switchover takes minutes")
	assert.Zero(t, s.Invocations.Failed, "invocations keep using the old VPC meanwhile")
	assert.Greater(t, s.ENIAPI.Deleted, int64(0), "old ENIs are deleted once unused")
}

func TestLibraryMassDeployCreatingIsSlowerThanAttaching(t *testing.T) {
	s := runBuiltin(t, "mass-deploy", nil, 0)
	assert.Equal(t, int64(5000), s.Pending.Count)
	assert.Greater(t, s.Pending.NewCount, int64(0))
	assert.Greater(t, s.Pending.AttachedCount, s.Pending.NewCount, "most functions attach to a combination created earlier")
	assert.Greater(t, s.Pending.NewP50S, 5*s.Pending.AttachedP50S, "creating an ENI is much slower than attaching")
	for _, v := range s.VPCs {
		assert.LessOrEqual(t, v.PeakENIs, v.Quota)
	}
}

func TestLibraryKeepaliveWithoutProbesResets(t *testing.T) {
	sc, err := scenarios.Builtin("keepalive-vs-reconnect")
	require.NoError(t, err)
	byLabel := map[string]results.Summary{}
	for _, u := range Units(sc) {
		if u.Rep != 0 {
			continue
		}
		o, err := RunUnit(sc, u, Options{Dir: filepath.Join(t.TempDir(), "u"), Format: results.Arrow, Duration: 4 * time.Hour})
		require.NoError(t, err)
		byLabel[u.Point.Label()] = o.Summary
	}
	require.Len(t, byLabel, 3, "the sweep compares three connection settings")
	var resets, noResets, perInv bool
	for label, s := range byLabel {
		t.Logf("%s: reused %d new %d resets %d", label, s.Invocations.ConnReused, s.Invocations.ConnNew, s.Invocations.ConnResets)
		switch {
		case s.Invocations.ConnReused == 0 && s.Invocations.ConnNew > 0:
			perInv = true
			assert.Zero(t, s.Invocations.ConnResets, label)
		case s.Invocations.ConnResets > 0:
			resets = true
		default:
			noResets = true
		}
	}
	assert.True(t, resets, "keepalive without probes past 350 s idle sees resets")
	assert.True(t, noResets, "probes below 350 s prevent resets")
	assert.True(t, perInv, "per-invocation connections never reuse")
}

func TestLibraryLegacyNeedsMoreIPs(t *testing.T) {
	legacy := runBuiltin(t, "legacy-vs-hyperplane", pointWith("params.legacy.enabled=true"), 30*time.Minute)
	hyper := runBuiltin(t, "legacy-vs-hyperplane", pointWith("params.legacy.enabled=false"), 30*time.Minute)
	peak := func(s results.Summary) (n int64) {
		for _, sn := range s.Subnets {
			n += sn.PeakIPs
		}
		return n
	}
	assert.Greater(t, peak(legacy), 3*peak(hyper), "one ENI per environment takes far more IPs")
	assert.Greater(t, legacy.Latency.MeanS, hyper.Latency.MeanS, "legacy cold starts include ENI creation")
}

func TestLibraryAzureTraceRuns(t *testing.T) {
	if _, err := os.Stat("../../shared/traces/azure2019/1000_inv.csv"); err != nil {
		t.Skip("../shared/traces not found: the Azure trace is read from ../shared/traces beside the repository")
	}
	s := runBuiltin(t, "azure-trace", nil, 30*time.Minute)
	assert.Greater(t, s.Invocations.Invocations, int64(50_000), "half an hour of the 11.6 M-invocation day")
	require.NotEmpty(t, s.VPCs)
	assert.Greater(t, len(s.TopCombinations), 1, "apps are spread over several combinations")
}
