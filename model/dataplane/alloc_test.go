package dataplane

import (
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/enisim/enisim/sim"
)

// fullConfig: three targets with random RTT and operation times, keepalive.
func fullConfig() *Config {
	c := DefaultConfig()
	c.Targets = []Target{
		{Name: "rds", RTT: sim.LogNormalMedianP99(300*time.Microsecond, 1500*time.Microsecond), TLS: TLS12, Operation: sim.Exp(4 * time.Millisecond), Ops: 2},
		{Name: "dynamodb", RTT: sim.Const(time.Millisecond), TLS: TLS13, Operation: sim.LogNormalMedianP99(5*time.Millisecond, 20*time.Millisecond), Ops: 1},
		{Name: "api", RTT: sim.Exp(30 * time.Millisecond), TLS: TLS13, Operation: sim.Exp(80 * time.Millisecond), Ops: 1},
	}
	return &c
}

// steady drives a pool through invoke/complete/expire cycles with a few concurrent
// invocations, the way the caller's event loop would, without a queue.
type steady struct {
	p   *Pool
	a   *Account
	acc Accumulator
	src *rand.PCG
	now sim.Time
	out [4]Outcome
	exp [64]Expiry
	n   int
}

func (s *steady) cycle() {
	for i := range s.out {
		s.out[i] = s.p.Invoke(s.now, s.a, Request{Compute: 20 * time.Millisecond, ColdStart: 200 * time.Millisecond}, s.src)
		s.acc.Add(&s.out[i])
	}
	end := s.now
	for i := range s.out {
		o := &s.out[i]
		if o.Throttle != NotThrottled {
			continue
		}
		if o.End > end {
			end = o.End
		}
		x, _ := s.p.Complete(o.End, s.a, o.Env, o.Gen)
		if x.Set {
			s.exp[int(x.Env)%len(s.exp)] = x
		}
	}
	// alternate idle gaps of 400 s (connections reset) and 1 s (reused), then deliver
	// due expiries
	s.n++
	gap := time.Second
	if s.n%2 == 0 {
		gap = 400 * time.Second
	}
	s.now = end.Add(gap)
	for i := range s.exp {
		if x := s.exp[i]; x.Set && x.At <= s.now {
			s.exp[i] = Expiry{}
			if _, nx := s.p.Expire(x.At, x.Env, x.Gen); nx.Set {
				s.exp[i] = nx
			}
		}
	}
	s.acc.Observe(s.p.TakePeaks())
}

func newSteady(t testing.TB) *steady {
	return &steady{p: mustPool(t, fullConfig()), a: mustAccount(t, DefaultAccountConfig()), src: rand.NewPCG(3, 4)}
}

func TestSteadyStateInvocationsDoNotAllocate(t *testing.T) {
	s := newSteady(t)
	for i := 0; i < 100; i++ { // grow the slab to its peak
		s.cycle()
	}
	allocs := testing.AllocsPerRun(200, s.cycle)
	if allocs != 0 {
		t.Fatalf("%v allocations per cycle of 4 invocations, want 0", allocs)
	}
	if s.acc.ConnResets == 0 || s.acc.ConnReused == 0 || s.acc.ColdStarts == 0 {
		t.Fatalf("the cycle did not exercise resets (%d), reuses (%d) and cold starts (%d)",
			s.acc.ConnResets, s.acc.ConnReused, s.acc.ColdStarts)
	}
}

// BenchmarkInvocation measures one invoke+complete (part of a cycle) and reports the memory
// figures: bytes per idle function (a Pool without environments) and per live environment.
func BenchmarkInvocation(b *testing.B) {
	s := newSteady(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += len(s.out) {
		s.cycle()
	}
	b.ReportMetric(float64(unsafe.Sizeof(Pool{})), "B/idle-function")
	perEnv := float64(unsafe.Sizeof(env{})) + float64(len(s.p.cfg.Targets))*float64(unsafe.Sizeof(sim.Time(0)))
	b.ReportMetric(perEnv, "B/live-env(3-targets)")
}

// TestMemoryPerIdleFunctionAndEnvironment measures heap bytes, not just struct sizes: 10,000
// idle pools, then one pool with 10,000 live environments.
func TestMemoryPerIdleFunctionAndEnvironment(t *testing.T) {
	cfg := fullConfig()
	const n = 10000
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	h0 := heap()
	pools := make([]*Pool, n)
	for i := range pools {
		pools[i] = mustPool(t, cfg)
	}
	idle := float64(heap()-h0)/n - 8 // minus the pointer in the slice
	runtime.KeepAlive(pools)
	c := *cfg
	c.ScaleBurst = 0
	p := mustPool(t, &c)
	h1 := heap()
	for i := 0; i < n; i++ {
		p.Invoke(0, nil, Request{Compute: time.Second}, src)
	}
	live := float64(heap()-h1) / n // includes slab slack from append doubling
	runtime.KeepAlive(p)
	t.Logf("heap bytes per idle function: %.0f (sizeof Pool %d); per live environment with 3 targets: %.0f (sizeof %d + 3×8)",
		idle, unsafe.Sizeof(Pool{}), live, unsafe.Sizeof(env{}))
	if idle >= 256 {
		t.Errorf("idle function uses %.0f bytes, target < 256", idle)
	}
	if live > 2*(float64(unsafe.Sizeof(env{}))+24)+1 {
		t.Errorf("live environment uses %.0f bytes", live)
	}
}
