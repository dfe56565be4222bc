package dataplane

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/enisim/enisim/sim"
)

func at(d time.Duration) sim.Time { return sim.Time(0).Add(d) }

// noLimits is a config without scaling limit or targets, 10 min expiry.
func noLimits() *Config {
	c := DefaultConfig()
	c.ScaleBurst = 0
	return &c
}

func mustPool(t testing.TB, c *Config) *Pool {
	t.Helper()
	p, err := NewPool(c)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustAccount(t testing.TB, c AccountConfig) *Account {
	t.Helper()
	a, err := NewAccount(c)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

var src = rand.NewPCG(1, 2)

func invoke(t testing.TB, p *Pool, a *Account, now sim.Time, compute time.Duration) Outcome {
	t.Helper()
	o := p.Invoke(now, a, Request{Compute: compute, ColdStart: 100 * time.Millisecond}, src)
	if o.Throttle != NotThrottled {
		t.Fatalf("invocation at %v throttled (%v)", now, o.Throttle)
	}
	return o
}

func TestColdStartThenWarmReuse(t *testing.T) {
	p := mustPool(t, noLimits())
	o := invoke(t, p, nil, 0, time.Second)
	if !o.Cold || o.Latency.ColdStart != 100*time.Millisecond || o.End != at(1100*time.Millisecond) {
		t.Fatalf("first invocation: %+v, want cold, 100ms cold start, end 1.1s", o)
	}
	if p.Alive() != 1 || p.Busy() != 1 || p.HasIdle(o.End) {
		t.Fatalf("alive %d busy %d", p.Alive(), p.Busy())
	}
	x, destroyed := p.Complete(o.End, nil, o.Env, o.Gen)
	if destroyed || !x.Set || x.At != o.End.Add(10*time.Minute) {
		t.Fatalf("complete: expiry %+v destroyed %v, want expiry at end+10min", x, destroyed)
	}
	o2 := invoke(t, p, nil, at(5*time.Second), time.Second)
	if o2.Cold || o2.Env != o.Env || o2.Latency.ColdStart != 0 || o2.End != at(6*time.Second) {
		t.Fatalf("second invocation: %+v, want warm on env %d", o2, o.Env)
	}
	if p.Alive() != 1 || p.Idle() != 0 {
		t.Fatalf("alive %d idle %d, want 1 0", p.Alive(), p.Idle())
	}
}

func TestMRURoutingPicksMostRecentlyUsedIdleEnvironment(t *testing.T) {
	p := mustPool(t, noLimits())
	var os [3]Outcome
	for i := range os { // three concurrent cold starts ending at 10.1 s, 20.1 s, 30.1 s
		os[i] = invoke(t, p, nil, 0, time.Duration(i+1)*10*time.Second)
	}
	for _, o := range os {
		p.Complete(o.End, nil, o.Env, o.Gen)
	}
	if p.Idle() != 3 {
		t.Fatalf("idle = %d, want 3", p.Idle())
	}
	w1 := invoke(t, p, nil, at(40*time.Second), time.Minute)
	w2 := invoke(t, p, nil, at(41*time.Second), time.Minute)
	w3 := invoke(t, p, nil, at(42*time.Second), time.Minute)
	if w1.Env != os[2].Env || w2.Env != os[1].Env || w3.Env != os[0].Env {
		t.Fatalf("routing %d,%d,%d; want most recently used first: %d,%d,%d",
			w1.Env, w2.Env, w3.Env, os[2].Env, os[1].Env, os[0].Env)
	}
	if w1.Cold || w2.Cold || w3.Cold {
		t.Fatal("warm invocations reported cold")
	}
	// The one finishing last becomes the MRU again.
	p.Complete(w1.End, nil, w1.Env, w1.Gen) // ends at 100 s
	p.Complete(w2.End, nil, w2.Env, w2.Gen) // ends at 101 s
	w4 := invoke(t, p, nil, at(200*time.Second), time.Second)
	if w4.Env != w2.Env {
		t.Fatalf("after completions at %v and %v: routed to %d, want %d", w1.End, w2.End, w4.Env, w2.Env)
	}
}

func TestIdleExpiryIsExactInSimulatedTime(t *testing.T) {
	p := mustPool(t, noLimits())
	o := invoke(t, p, nil, 0, 10*time.Second-100*time.Millisecond) // ends at 10 s
	x, _ := p.Complete(o.End, nil, o.Env, o.Gen)
	due := at(10*time.Second + 10*time.Minute)
	if x.At != due {
		t.Fatalf("expiry at %v, want %v", x.At, due)
	}
	if !p.HasIdle(due-1) || p.HasIdle(due) {
		t.Fatal("an idle environment must be usable 1 ns before its expiry and not at it")
	}
	if d, _ := p.Expire(due, x.Env, x.Gen); !d || p.Alive() != 0 {
		t.Fatalf("Expire at due: destroyed %v alive %d", d, p.Alive())
	}
	// A stale event (same env, old generation) is ignored once the slot is reused.
	o2 := invoke(t, p, nil, due, time.Second)
	if !o2.Cold || o2.Env != o.Env || o2.Gen == o.Gen {
		t.Fatalf("reuse of slot: %+v", o2)
	}
	if d, nx := p.Expire(due, x.Env, x.Gen); d || nx.Set {
		t.Fatal("stale expiry acted")
	}
}

func TestIdleExpiryRestartsAfterReuse(t *testing.T) {
	p := mustPool(t, noLimits())
	o := invoke(t, p, nil, 0, 9900*time.Millisecond) // ends at 10 s
	x, _ := p.Complete(o.End, nil, o.Env, o.Gen)
	// Reused at 300 s, ends at 301 s: no second expiry event is requested.
	o2 := invoke(t, p, nil, at(300*time.Second), time.Second)
	if x2, _ := p.Complete(o2.End, nil, o2.Env, o2.Gen); x2.Set {
		t.Fatal("a second expiry event was requested while one is pending")
	}
	d, next := p.Expire(x.At, x.Env, x.Gen)
	want := at(301*time.Second + 10*time.Minute)
	if d || !next.Set || next.At != want {
		t.Fatalf("Expire at the first due time: destroyed %v next %+v, want reschedule at %v", d, next, want)
	}
	if d, _ := p.Expire(next.At, next.Env, next.Gen); !d {
		t.Fatal("not destroyed at the corrected due time")
	}
}

func TestExpiryWhileBusyDefersToCompletion(t *testing.T) {
	p := mustPool(t, noLimits())
	o := invoke(t, p, nil, 0, 9900*time.Millisecond)
	x, _ := p.Complete(o.End, nil, o.Env, o.Gen)
	o2 := invoke(t, p, nil, at(605*time.Second), 10*time.Second) // busy across the due time
	if d, next := p.Expire(x.At, x.Env, x.Gen); d || next.Set {
		t.Fatal("busy environment expired or rescheduled by its event")
	}
	x2, _ := p.Complete(o2.End, nil, o2.Env, o2.Gen)
	if !x2.Set || x2.At != o2.End.Add(10*time.Minute) {
		t.Fatalf("completion after deferred expiry: %+v", x2)
	}
}

func TestRetireDestroysIdleNowAndBusyAtCompletion(t *testing.T) {
	c := noLimits()
	c.Targets = []Target{{Name: "db", RTT: sim.Const(time.Millisecond), Operation: sim.Const(time.Millisecond), Ops: 1}}
	p := mustPool(t, c)
	a := invoke(t, p, nil, 0, time.Second)
	b := invoke(t, p, nil, 0, time.Minute)
	p.Complete(a.End, nil, a.Env, a.Gen)
	if p.Connections() != 2 {
		t.Fatalf("connections = %d, want 2 (keepalive, one per environment)", p.Connections())
	}
	if n := p.Retire(at(2 * time.Second)); n != 1 || p.Alive() != 1 || p.Connections() != 1 {
		t.Fatalf("Retire destroyed %d, alive %d conns %d; want 1, 1, 1", n, p.Alive(), p.Connections())
	}
	if x, d := p.Complete(b.End, nil, b.Env, b.Gen); !d || x.Set || p.Alive() != 0 || p.Connections() != 0 {
		t.Fatalf("busy retired env: destroyed %v expiry %+v alive %d", d, x, p.Alive())
	}
}

func TestCompleteOfIdleEnvironmentPanics(t *testing.T) {
	p := mustPool(t, noLimits())
	o := invoke(t, p, nil, 0, time.Second)
	p.Complete(o.End, nil, o.Env, o.Gen)
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "not running") {
			t.Fatalf("recover = %v", r)
		}
	}()
	p.Complete(o.End, nil, o.Env, o.Gen)
}

func TestInitPhaseIsClampedToInitLimit(t *testing.T) {
	p := mustPool(t, noLimits())
	o := p.Invoke(0, nil, Request{ColdStart: 12 * time.Second, ENICreate: 8 * time.Second, Compute: time.Second}, src)
	if !o.InitTimedOut || o.Latency.ColdStart != 18*time.Second {
		t.Fatalf("cold start %v timedOut %v; want 10 s init + 8 s ENI creation", o.Latency.ColdStart, o.InitTimedOut)
	}
}

func TestConfigErrorsNameTheField(t *testing.T) {
	cases := []struct {
		mut  func(*Config)
		want string
	}{
		{func(c *Config) { c.IdleExpiry = 0 }, "idleExpiry"},
		{func(c *Config) { c.ScaleBurst = 5; c.ScaleWindow = 0 }, "scale window"},
		{func(c *Config) { c.NetIdleTimeout = -1 }, "netIdleTimeout"},
		{func(c *Config) {
			c.Targets = []Target{{Name: "db", RTT: sim.Const(1), Operation: sim.Const(1), Ops: 0}}
		}, "targets[0] (db).ops"},
		{func(c *Config) {
			c.Targets = []Target{{Name: "db", RTT: sim.Dist{Kind: sim.DistExp}, Operation: sim.Const(1), Ops: 1}}
		}, "targets[0] (db).rtt"},
		{func(c *Config) { c.ResetRTTs = -1 }, "resetRTTs"},
	}
	for _, tc := range cases {
		c := DefaultConfig()
		tc.mut(&c)
		_, err := NewPool(&c)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("want error naming %q, got %v", tc.want, err)
		}
		if err != nil && !errors.Is(err, ErrBadConfig) && !errors.Is(err, sim.ErrBadConfig) {
			t.Errorf("error %v wraps no sentinel", err)
		}
	}
	if _, err := NewAccount(AccountConfig{Concurrency: 0}); err == nil || !strings.Contains(err.Error(), "concurrency = 0") {
		t.Errorf("account: %v", err)
	}
}

func TestNegativeDrawPanics(t *testing.T) {
	p := mustPool(t, noLimits())
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "negative duration") {
			t.Fatalf("recover = %v", r)
		}
	}()
	p.Invoke(0, nil, Request{Compute: -1}, src)
}
