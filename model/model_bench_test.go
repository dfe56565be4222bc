package model

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/enisim/enisim/model/dataplane"
	"github.com/enisim/enisim/sim"
)

// steadyConfig: n deployed VPC functions sharing one combination pair, each with a
// Poisson workload and a kept-alive connection, sampling rarely.
func steadyConfig(n int, rate float64) *Config {
	c := stdConfig()
	c.SampleEvery = 1000 * time.Hour
	a := &c.Accounts[0]
	a.Concurrency = 100000
	a.Functions = make([]Function, n)
	for i := range a.Functions {
		a.Functions[i] = Function{Name: fmt.Sprintf("fn-%05d", i), Role: "exec", Deployed: true,
			VPC:      VPCConfig{SubnetIds: []string{"a1", "a2"}, SecurityGroupIds: []string{"sg-a1"}},
			Targets:  []dataplane.Target{{Name: "ddb", RTT: sim.Const(time.Millisecond), TLS: dataplane.TLS13, Operation: sim.Const(3 * time.Millisecond), Ops: 1}},
			Workload: Workload{Rate: rate, Service: sim.Exp(20 * time.Millisecond)}}
	}
	return c
}

// Steady-state invocation handling (arrival + completion on warm environments) must not
// allocate.
func TestSteadyStateInvocationsAllocateNothing(t *testing.T) {
	if invariantChecks {
		t.Skip("built with enisim_invariants: CheckInvariants runs (and allocates) after every event")
	}
	m, err := New(steadyConfig(10, 50), 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	q := sim.NewQueue(1024)
	if err := m.Start(q); err != nil {
		t.Fatal(err)
	}
	// Warm up: environments, slices and the queue reach their steady size.
	if _, err := sim.Run(q, m, sim.Bounds{Until: sim.Time(2 * time.Minute)}, nil); err != nil {
		t.Fatal(err)
	}
	before := m.Counters().Invocations
	allocs := testing.AllocsPerRun(20000, func() {
		ev, ok := q.Next()
		if !ok {
			t.Fatal("queue drained")
		}
		m.Handle(ev, q)
	})
	if n := m.Counters().Invocations - before; n < 5000 {
		t.Fatalf("only %d invocations in the measured events", n)
	}
	if allocs != 0 {
		t.Fatalf("%.3f allocations per event in steady state, want 0", allocs)
	}
}

// BenchmarkInvocations runs 1,000 functions; it reports simulated invocations and events
// per second of wall time.
func BenchmarkInvocations(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("functions=%d", n), func(b *testing.B) {
			m, err := New(steadyConfig(n, 10), 1, nil)
			if err != nil {
				b.Fatal(err)
			}
			q := sim.NewQueue(1 << 16)
			if err := m.Start(q); err != nil {
				b.Fatal(err)
			}
			if _, err := sim.Run(q, m, sim.Bounds{Until: sim.Time(time.Minute)}, nil); err != nil {
				b.Fatal(err)
			}
			inv0 := m.Counters().Invocations
			b.ReportAllocs()
			b.ResetTimer()
			st, err := sim.Run(q, m, sim.Bounds{MaxEvents: uint64(b.N)}, nil)
			if err != nil {
				b.Fatal(err)
			}
			el := b.Elapsed().Seconds()
			b.ReportMetric(float64(st.Events)/el, "events/s")
			b.ReportMetric(float64(m.Counters().Invocations-inv0)/el, "invocations/s")
		})
	}
}

// BenchmarkIdleFunctionBytes reports the memory one idle deployed function costs (heap
// bytes per function, its name excluded). Target: < 256 B.
func BenchmarkIdleFunctionBytes(b *testing.B) {
	const n = 20000
	cfg := steadyConfig(n, 0)
	for i := range cfg.Accounts[0].Functions {
		cfg.Accounts[0].Functions[i].Targets = nil
	}
	nameBytes := 0
	for _, f := range cfg.Accounts[0].Functions {
		nameBytes += len(f.Name)
	}
	b.ReportAllocs()
	var per float64
	for b.Loop() {
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		m, err := New(cfg, 1, nil)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&m1)
		per = float64(int64(m1.HeapAlloc)-int64(m0.HeapAlloc)-int64(nameBytes)) / n
		runtime.KeepAlive(m)
	}
	b.ReportMetric(per, "B/idle-fn")
}
