package runner

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/enisim/enisim/results"
	"github.com/enisim/enisim/scenarios"
)

// Direction tests of the library scenarios that exercise the NAT gateway's connection
// limits, invoked published versions and ENI replacement (library_test.go has the others).

// runSweepPoints runs replication 0 of every sweep point of a built-in scenario and returns
// the summaries by point label, in the scenario's order.
func runSweepPoints(t *testing.T, name string) ([]string, map[string]results.Summary) {
	t.Helper()
	sc, err := scenarios.Builtin(name)
	require.NoError(t, err)
	var labels []string
	byLabel := map[string]results.Summary{}
	for i, u := range Units(sc) {
		if u.Rep != 0 {
			continue
		}
		o, err := RunUnit(sc, u, Options{Dir: filepath.Join(t.TempDir(), "u", string(rune('a'+i))), Format: results.Arrow, Workers: 2})
		require.NoError(t, err)
		require.True(t, o.Complete)
		labels = append(labels, u.Point.Label())
		byLabel[u.Point.Label()] = o.Summary
	}
	return labels, byLabel
}

// readTable streams a run's table (Arrow) to fn, one record batch at a time, with a column
// lookup by name that fails the test when the column is missing.
func readTable(t *testing.T, dir, table string, fn func(rec arrow.Record, col func(string) arrow.Array)) {
	t.Helper()
	path := filepath.Join(dir, table+".arrow")
	err := results.ReadRecords(path, nil, 0, func(rec arrow.Record) error {
		fn(rec, func(name string) arrow.Array {
			idx := rec.Schema().FieldIndices(name)
			require.Len(t, idx, 1, "%s: column %s", path, name)
			return rec.Column(idx[0])
		})
		return nil
	})
	require.NoError(t, err)
}

// TestLibraryNATBurstNeedsKeepaliveAndProbes: bursts of ~2,500 invocations/s to one internet
// API through a NAT gateway. Opening a connection per invocation, about 900 of them per
// second get through (the gateway's per-destination rate): more than half the burst fails
// with ConnectionTimeout, and four gateway IPs do not help (they raise the simultaneous
// limit, not the rate). Keep-alive connections cut the failures to the bursts' first
// seconds; without probes every burst after the first starts with a reconnect storm of the
// environments idle past 350 s, and 60 s probes leave only the first burst's cold starts.
func TestLibraryNATBurstNeedsKeepaliveAndProbes(t *testing.T) {
	labels, byLabel := runSweepPoints(t, "nat-burst")
	require.Len(t, labels, 4, "per-invocation, per-invocation with 4 IPs, keepalive, keepalive with probes")
	perInv, moreIPs, keepalive, probes := byLabel[labels[0]], byLabel[labels[1]], byLabel[labels[2]], byLabel[labels[3]]
	require.Contains(t, labels[1], "natGatewayIPs=4")
	require.Contains(t, labels[3], "keepaliveInterval=60s")
	for _, l := range labels {
		s := byLabel[l]
		t.Logf("%s: %d invocations, %d cold, %d ConnectionTimeout, %d resets", l, s.Invocations.Invocations,
			s.Invocations.ColdStarts, failed(s, "ConnectionTimeout"), s.Invocations.ConnResets)
		require.Greater(t, s.Invocations.Invocations, int64(50_000), l)
		assert.Equal(t, failed(s, "ConnectionTimeout"), s.Invocations.Failed, "%s: the NAT gateway is the only cause of failures", l)
	}
	share := func(s results.Summary) float64 {
		return float64(failed(s, "ConnectionTimeout")) / float64(s.Invocations.Invocations)
	}
	// ~2,500/s offered during the 8 s bursts (all the invocations), ~900/s admitted after
	// a one-second burst of 900.
	assert.InDelta(t, 0.6, share(perInv), 0.05, "per-invocation: the share refused by the NAT gateway")
	assert.InDelta(t, share(perInv), share(moreIPs), 0.02, "gateway IPs do not raise the per-destination rate")
	assert.Less(t, failed(keepalive, "ConnectionTimeout"), failed(perInv, "ConnectionTimeout")/4,
		"keep-alive opens a connection per environment, not per invocation")
	assert.Positive(t, keepalive.Invocations.ConnResets, "environments idle between bursts lose their flows")
	assert.Zero(t, probes.Invocations.ConnResets, "60 s probes keep the flows open")
	assert.Positive(t, failed(probes, "ConnectionTimeout"), "the first burst's cold starts still exceed the rate")
	assert.Greater(t, failed(keepalive, "ConnectionTimeout"), 2*failed(probes, "ConnectionTimeout"),
		"without probes each later burst's reconnects run into the rate too")
}

// TestLibraryOldVersionsPinTheOldVPC: after both fleets move to vpc-new, the old VPC keeps
// the ENIs of the combinations pinned by version 1 of `partners`, which clients still
// invoke (through vpc-old, to the end of the run); version 1 of `checkout` is not invoked,
// goes Inactive after 14 days and its old combinations' ENIs are reclaimed and deleted.
func TestLibraryOldVersionsPinTheOldVPC(t *testing.T) {
	sc, err := scenarios.Builtin("old-versions")
	require.NoError(t, err)
	require.Len(t, Units(sc), 1, "no sweep: `enisim run old-versions` runs it")
	dir := filepath.Join(t.TempDir(), "old-versions")
	o, err := RunUnit(sc, Units(sc)[0], Options{Dir: dir, Format: results.Arrow, Workers: 2})
	require.NoError(t, err)
	require.True(t, o.Complete)
	s := o.Summary
	assert.Zero(t, s.Invocations.Failed)
	assert.Equal(t, int64(40), s.Switchovers.Count, "every function moved to vpc-new")
	assert.Equal(t, int64(20), s.Functions.InactiveTransitions, "each checkout function's version 1 goes Inactive once")
	assert.Equal(t, int64(2), s.ENIAPI.Deleted, "checkout's two old combinations (one ENI each) are deleted; partners' stay")

	// ENIs in vpc-old (creating, ready, deleting or lingering: all block deleting its
	// subnets and security groups) per sampling time and fleet.
	const day = 86400.0
	type oldENIs struct{ partners, checkout int64 }
	byTime := map[float64]*oldENIs{}
	var times []float64
	readTable(t, dir, "eni_samples", func(rec arrow.Record, col func(string) arrow.Array) {
		ts, vpc, sgs := col("t_s").(*array.Float64), col("vpc").(*array.String), col("sg_set").(*array.String)
		enis, deleting, lingering := col("enis").(*array.Int64), col("enis_deleting").(*array.Int64), col("enis_lingering").(*array.Int64)
		for i := 0; i < int(rec.NumRows()); i++ {
			if vpc.Value(i) != "vpc-old" {
				continue
			}
			at := ts.Value(i)
			e := byTime[at]
			if e == nil {
				e = &oldENIs{}
				byTime[at] = e
				times = append(times, at)
			}
			n := enis.Value(i) + deleting.Value(i) + lingering.Value(i)
			switch {
			case strings.Contains(sgs.Value(i), "sg-partners"):
				e.partners += n
			case strings.Contains(sgs.Value(i), "sg-checkout"):
				e.checkout += n
			default:
				t.Fatalf("unexpected vpc-old SG set %q", sgs.Value(i))
			}
		}
	})
	require.NotEmpty(t, times)
	checkoutGone := -1.0
	for _, at := range times {
		e := byTime[at]
		if at >= 2*3600 && at <= 14*day {
			require.Positive(t, e.partners, "t=%.0fs: partners' version keeps the old ENIs", at)
			require.Positive(t, e.checkout, "t=%.0fs: checkout's old ENIs stay for 14 idle days", at)
		}
		if at > 14*day {
			assert.Positive(t, e.partners, "t=%.0fs: partners' version is still invoked", at)
		}
		if e.checkout == 0 && checkoutGone < 0 && at > 2*3600 {
			checkoutGone = at
		}
	}
	t.Logf("checkout's vpc-old ENIs gone at %.2f d; partners' at the end: %d", checkoutGone/day, byTime[times[len(times)-1]].partners)
	assert.Greater(t, checkoutGone, 14*day, "reclaimed only after 14 idle days")
	assert.Less(t, checkoutGone, 14*day+4*3600, "then deleted within hours (deletion median 15 min)")
	assert.Zero(t, byTime[times[len(times)-1]].checkout)

	// partners:1 is served by vpc-old to the end; checkout:1 never runs.
	var versionOld, versionLastDay, checkoutVersion int64
	readTable(t, dir, "intervals", func(rec arrow.Record, col func(string) arrow.Array) {
		start, fn, vpc, inv := col("start_s").(*array.Float64), col("function").(*array.String), col("vpc").(*array.String), col("invocations").(*array.Int64)
		for i := 0; i < int(rec.NumRows()); i++ {
			name := fn.Value(i)
			switch {
			case strings.HasPrefix(name, "partners") && strings.HasSuffix(name, ":1"):
				assert.Equal(t, "vpc-old", vpc.Value(i), "%s runs in the VPC it was published with", name)
				versionOld += inv.Value(i)
				if start.Value(i) >= 14*day {
					versionLastDay += inv.Value(i)
				}
			case strings.HasPrefix(name, "checkout") && strings.HasSuffix(name, ":1"):
				checkoutVersion += inv.Value(i)
			}
		}
	})
	t.Logf("partners:1 invocations %d (last day %d)", versionOld, versionLastDay)
	assert.Positive(t, versionLastDay, "partners:1 still runs through vpc-old on the last day")
	assert.Zero(t, checkoutVersion)
	// A fifth of 20 functions × 6/h over 15 days ≈ 8,640.
	assert.InDelta(t, 8640, versionOld, 900)
}

// TestLibraryENIChurnNeedsQuotaHeadroom: failed health checks and rebalances against the
// account's regional ENI quota. With the quota at the ENIs in use, a failed ENI (still
// counted until deleted) leaves no room for its replacement: the functions of that
// combination lose their VPC connection (Inactive) and their invocations fail with
// ResourceNotReadyException until a restore finds room. 20% headroom absorbs every
// replacement without a failed invocation.
func TestLibraryENIChurnNeedsQuotaHeadroom(t *testing.T) {
	labels, byLabel := runSweepPoints(t, "eni-churn")
	require.Len(t, labels, 2)
	require.Contains(t, labels[0], "regionENIs=30")
	tight, headroom := byLabel[labels[0]], byLabel[labels[1]]
	for _, l := range labels {
		s := byLabel[l]
		t.Logf("%s: %d invocations, %d failed, %d inactive transitions, ENIs requested %d deleted %d, peak %v",
			l, s.Invocations.Invocations, s.Invocations.Failed, s.Functions.InactiveTransitions,
			s.ENIAPI.Requested, s.ENIAPI.Deleted, s.VPCs)
	}
	assert.Positive(t, tight.Functions.InactiveTransitions, "functions lose their VPC connection")
	assert.Positive(t, failed(tight, "ResourceNotReadyException"))
	assert.Greater(t, tight.Invocations.Failed, tight.Invocations.Invocations/1000, "more than a rare failure")
	assert.Zero(t, headroom.Invocations.Failed, "every replacement finds a place")
	assert.Zero(t, headroom.Functions.InactiveTransitions)
	assert.Greater(t, headroom.ENIAPI.Requested, 3*tight.ENIAPI.Requested, "replacements are made instead of refused")
	for _, v := range headroom.VPCs {
		assert.Greater(t, v.PeakENIs, int64(30), "replacements briefly need more ENIs than the combinations")
	}
}
