package scenarios

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/sim"
)

// memScenario has one account with the given concurrency and n functions whose workload
// keeps about twice that concurrency busy (so every execution environment the account
// allows is created), or, with trace set, a fleet replaying that azure2019 file instead.
func memScenario(n, concurrency int, trace string) string {
	fleet := fmt.Sprintf(`  - name: api
    count: %d
    role: r
    vpcConfig: {SubnetIds: [s1, s2], SecurityGroupIds: [sg-1]}
    workload: {rate: %g/s, service: 20s}
`, n, 2*float64(concurrency)/20/float64(n))
	if trace != "" {
		fleet = `  - name: tr
    role: r
    vpcConfig: {SubnetIds: [s1, s2], SecurityGroupIds: [sg-1]}
    trace: {format: azure2019, path: ` + trace + `}
`
	}
	return fmt.Sprintf(`accounts:
  - name: prod
    concurrency: %d
    vpcs:
      - name: vpc-1
        cidr: 10.0.0.0/16
        subnets:
          - {name: s1, az: us-east-1a, cidr: 10.0.0.0/18}
          - {name: s2, az: us-east-1b, cidr: 10.0.64.0/18}
        securityGroups: [sg-1]
roles:
  - {name: r, managed: [AWSLambdaVPCAccessExecutionRole]}
fleets:
%srun:
  duration: 2m
`, concurrency, fleet)
}

// heapOfRun is the live heap (after GC) that converting src and running it for its
// duration adds, and the environments created (cold starts).
func heapOfRun(t *testing.T, src string) (bytes int64, envs int64, s *Scenario) {
	t.Helper()
	s, err := Parse("mem.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	cfg, err := s.Model(SweepPoint{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.New(cfg, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	q := sim.NewQueue(1024)
	if err := m.Start(q); err != nil {
		t.Fatal(err)
	}
	st, err := sim.Run(q, m, sim.Bounds{Until: sim.Time(s.Settings().Duration)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	envs = m.Counters().ColdStarts
	runtime.KeepAlive(cfg)
	runtime.KeepAlive(m)
	runtime.KeepAlive(q)
	_ = st
	return int64(after.HeapAlloc) - int64(before.HeapAlloc), envs, s
}

// writeAzure2019 writes an azure2019 _inv.csv of n functions, each invoked once in one
// minute of the first two.
func writeAzure2019(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("HashFunction,HashApp,HashOwner")
	for m := 1; m <= 1440; m++ {
		fmt.Fprintf(&b, ",minute_%d", m)
	}
	b.WriteString("\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "f%d,a%d,o%d", i, i/4, i/16)
		for m := 0; m < 1440; m++ {
			if m == i%2 {
				b.WriteString(",1")
			} else {
				b.WriteString(",0")
			}
		}
		b.WriteString("\n")
	}
	p := filepath.Join(t.TempDir(), fmt.Sprintf("%d_inv.csv", n))
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// withWorkload replaces memScenario's workload line.
func withWorkload(src, rate, service string) string {
	i := strings.Index(src, "    workload:")
	j := strings.Index(src[i:], "\n")
	return src[:i] + "    workload: {rate: " + rate + ", service: " + service + "}" + src[i+j:]
}

// TestMeasureEntityCosts prints the per-entity heap costs behind EstimateBytes (the
// figures in the comment in validate_timeline.go). Run it with ENISIM_MEASURE=1 -v.
func TestMeasureEntityCosts(t *testing.T) {
	if os.Getenv("ENISIM_MEASURE") == "" {
		t.Skip("set ENISIM_MEASURE=1 to measure the per-entity heap costs behind EstimateBytes")
	}
	// Functions invoked every 10 s for 100 ms (about one environment each), and never.
	a1, _, _ := heapOfRun(t, withWorkload(memScenario(1000, 10000, ""), "0.1/s", "100ms"))
	a2, _, _ := heapOfRun(t, withWorkload(memScenario(5000, 10000, ""), "0.1/s", "100ms"))
	active := float64(a2-a1) / 4000
	i1, _, _ := heapOfRun(t, withWorkload(memScenario(1000, 10000, ""), "1/d", "100ms"))
	i2, _, _ := heapOfRun(t, withWorkload(memScenario(5000, 10000, ""), "1/d", "100ms"))
	idle := float64(i2-i1) / 4000
	// Versions.
	v1, _, _ := heapOfRun(t, strings.Replace(memScenario(1000, 100, ""), "    role: r\n", "    role: r\n    versions: 1\n", 1))
	v2, _, _ := heapOfRun(t, strings.Replace(memScenario(1000, 100, ""), "    role: r\n", "    role: r\n    versions: 21\n", 1))
	perVersion := float64(v2-v1) / 20000
	// Versions that the workload invokes (their own pool, accumulators, runtime): 4 of 5
	// invoked vs none.
	q0 := strings.Replace(memScenario(1000, 1000, ""), "    role: r\n", "    role: r\n    versions: 5\n", 1)
	q1 := strings.Replace(q0, "service: 20s}", "service: 20s, qualifiers: [{version: 1, share: 10%}, {version: 2, share: 10%}, {version: 3, share: 10%}, {version: 4, share: 10%}]}", 1)
	w0, _, _ := heapOfRun(t, q0)
	w1, _, _ := heapOfRun(t, q1)
	perInvokedVersion := float64(w1-w0)/4000 + perVersion
	// Environments: few functions, many environments.
	h3, e3, _ := heapOfRun(t, memScenario(10, 200, ""))
	h4, e4, _ := heapOfRun(t, memScenario(10, 2000, ""))
	perEnv := float64(h4-h3) / float64(e4-e3)
	// Azure 2019 rows: each is also a function, invoked once.
	h5, _, _ := heapOfRun(t, memScenario(0, 10, writeAzure2019(t, 200)))
	h6, _, _ := heapOfRun(t, memScenario(0, 10, writeAzure2019(t, 1200)))
	perRow := float64(h6-h5)/1000 - active
	t.Logf("per invoked function %.0f B, per idle function %.0f B, per version %.0f B (invoked by the workload %.0f B), per environment %.0f B (environments %d→%d), per azure2019 row %.0f B beyond its function",
		active, idle, perVersion, perInvokedVersion, perEnv, e3, e4, perRow)
}

// TestEstimateBytesMatchesHeap: EstimateBytes is within a factor of 2 of the heap a run
// actually holds, for a small and a larger scenario whose workloads use every
// environment the account allows (the estimate counts them all).
func TestEstimateBytesMatchesHeap(t *testing.T) {
	for _, c := range []struct{ fns, conc int }{{300, 100}, {2000, 500}} {
		h, envs, s := heapOfRun(t, memScenario(c.fns, c.conc, ""))
		est := s.EstimateBytes()
		t.Logf("%d functions, concurrency %d (%d environments): heap %d KiB, estimate %d KiB", c.fns, c.conc, envs, h>>10, est>>10)
		if envs < int64(c.conc)*9/10 {
			t.Fatalf("only %d environments of %d: the workload does not saturate the account", envs, c.conc)
		}
		if est > 2*h || h > 2*est {
			t.Errorf("%d functions, concurrency %d: estimate %d B, measured %d B: not within a factor of 2", c.fns, c.conc, est, h)
		}
	}
	// Versions the workload invokes cost what a function's pool and accumulators do, far
	// more than a version that is only published: the estimate's difference for 4,000 of
	// them must be the heap's within 50 %.
	q0 := strings.Replace(memScenario(1000, 1000, ""), "    role: r\n", "    role: r\n    versions: 5\n", 1)
	q1 := strings.Replace(q0, "service: 20s}", "service: 20s, qualifiers: [{version: 1, share: 10%}, {version: 2, share: 10%}, {version: 3, share: 10%}, {version: 4, share: 10%}]}", 1)
	h0, _, s0 := heapOfRun(t, q0)
	h1, _, s1 := heapOfRun(t, q1)
	dh, de := float64(h1-h0), float64(s1.EstimateBytes()-s0.EstimateBytes())
	t.Logf("4,000 invoked versions: heap +%.0f KiB, estimate +%.0f KiB", dh/1024, de/1024)
	if de < dh/1.5 || de > dh*1.5 {
		t.Errorf("invoked versions: estimate +%.0f B, measured +%.0f B: not within 50 %%", de, dh)
	}
}
