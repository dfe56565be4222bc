package dataplane

import (
	"testing"
	"time"

	"github.com/enisim/enisim/sim"
)

const ms = time.Millisecond

// oneTarget: 1 ms RTT, 2 ms operation, one operation per invocation, 1 h environment expiry
// so the network timeout is what matters.
func oneTarget(mode ConnMode, tls TLS) *Config {
	c := DefaultConfig()
	c.ScaleBurst = 0
	c.IdleExpiry = time.Hour
	c.Mode = mode
	c.Targets = []Target{{Name: "db", RTT: sim.Const(ms), TLS: tls, Operation: sim.Const(2 * ms), Ops: 1}}
	return &c
}

// run invokes at now (zero compute), completes it, and returns the outcome.
func run(t *testing.T, p *Pool, now sim.Time) Outcome {
	t.Helper()
	o := p.Invoke(now, nil, Request{}, src)
	if o.Throttle != NotThrottled {
		t.Fatal(o.Throttle)
	}
	p.Complete(o.End, nil, o.Env, o.Gen)
	return o
}

func TestKeepaliveReusesUntilNetworkIdleTimeoutThenResets(t *testing.T) {
	p := mustPool(t, oneTarget(KeepAlive, TLSNone))
	o := run(t, p, 0)
	if o.Conn != (ConnCounts{New: 1}) || o.Latency.ConnSetup != ms {
		t.Fatalf("cold: %+v setup %v; want one new connection, 1 RTT", o.Conn, o.Latency.ConnSetup)
	}
	// Idle exactly 350 s since the connection's last use (the end of the invocation): reused.
	o2 := run(t, p, o.End.Add(350*time.Second))
	if o2.Conn != (ConnCounts{Reused: 1}) || o2.Latency.ConnSetup != 0 {
		t.Fatalf("after exactly 350 s: %+v", o2.Conn)
	}
	// 1 ns longer: the flow was dropped; one failed round trip + 50 ms back-off + reconnect.
	o3 := run(t, p, o2.End.Add(350*time.Second+1))
	if o3.Conn != (ConnCounts{New: 1, Resets: 1}) {
		t.Fatalf("after 350 s + 1 ns: %+v, want a reset and a new connection", o3.Conn)
	}
	if want := ms + 50*ms + ms; o3.Latency.ConnSetup != want {
		t.Fatalf("reset cost %v, want %v", o3.Latency.ConnSetup, want)
	}
	if p.Connections() != 1 {
		t.Fatalf("open connections %d, want 1", p.Connections())
	}
}

func TestKeepaliveProbesBelowTimeoutPreventResets(t *testing.T) {
	c := oneTarget(KeepAlive, TLSNone)
	c.ProbeInterval = 60 * time.Second
	p := mustPool(t, c)
	o := run(t, p, 0)
	o2 := run(t, p, o.End.Add(50*time.Minute))
	if o2.Conn != (ConnCounts{Reused: 1}) {
		t.Fatalf("with 60 s probes after 50 min idle: %+v, want reuse", o2.Conn)
	}
	// Probes at the timeout itself (or Linux's 7200 s default) do not protect.
	for _, pi := range []time.Duration{350 * time.Second, 7200 * time.Second, 0} {
		c := oneTarget(KeepAlive, TLSNone)
		c.ProbeInterval = pi
		p := mustPool(t, c)
		o := run(t, p, 0)
		if o2 := run(t, p, o.End.Add(400*time.Second)); o2.Conn.Resets != 1 {
			t.Errorf("probe interval %v: %+v, want a reset after 400 s idle", pi, o2.Conn)
		}
	}
}

func TestPerInvocationModeAlwaysReconnects(t *testing.T) {
	p := mustPool(t, oneTarget(PerInvocation, TLS13))
	for i := 0; i < 5; i++ {
		o := p.Invoke(at(time.Duration(i)*time.Second), nil, Request{}, src)
		if o.Conn != (ConnCounts{New: 1}) || o.Latency.ConnSetup != 2*ms {
			t.Fatalf("invocation %d: %+v setup %v; want a new TLS 1.3 connection (2 RTT)", i, o.Conn, o.Latency.ConnSetup)
		}
		if p.Connections() != 1 {
			t.Fatalf("during the invocation: %d connections, want 1", p.Connections())
		}
		p.Complete(o.End, nil, o.Env, o.Gen)
		if p.Connections() != 0 {
			t.Fatalf("after it: %d connections, want 0", p.Connections())
		}
	}
}

func TestTLSHandshakeRoundTrips(t *testing.T) {
	for _, tc := range []struct {
		tls  TLS
		rtts int
	}{{TLSNone, 1}, {TLS13, 2}, {TLS12, 3}} {
		if tc.tls.HandshakeRTTs() != tc.rtts {
			t.Errorf("%v: %d RTT", tc.tls, tc.tls.HandshakeRTTs())
		}
		p := mustPool(t, oneTarget(PerInvocation, tc.tls))
		if o := run(t, p, 0); o.Latency.ConnSetup != time.Duration(tc.rtts)*ms {
			t.Errorf("TLS %v: setup %v, want %d × 1 ms", tc.tls, o.Latency.ConnSetup, tc.rtts)
		}
	}
}

func TestLatencyIsColdStartPlusSetupPlusOperationsPlusCompute(t *testing.T) {
	c := DefaultConfig()
	c.ScaleBurst = 0
	c.Targets = []Target{
		{Name: "db", RTT: sim.Const(ms), TLS: TLS12, Operation: sim.Const(3 * ms), Ops: 2},
		{Name: "ddb", RTT: sim.Const(2 * ms), TLS: TLS13, Operation: sim.Const(5 * ms), Ops: 1},
		{Name: "api", RTT: sim.Const(40 * ms), TLS: TLSNone, Operation: sim.Const(100 * ms), Ops: 1},
	}
	p := mustPool(t, &c)
	req := Request{ColdStart: 300 * ms, Compute: 20 * ms}
	o := p.Invoke(at(time.Second), nil, req, src)
	want := Latency{
		ColdStart: 300 * ms,
		ConnSetup: 3*ms + 2*2*ms + 40*ms, // TLS 1.2: 3 RTT; TLS 1.3: 2 RTT; TCP: 1 RTT
		Operation: 2*3*ms + 5*ms + 100*ms,
		Compute:   20 * ms,
	}
	if o.Latency != want || o.Latency.Total() != 478*ms || o.End != at(time.Second+478*ms) {
		t.Fatalf("cold: %+v end %v, want %+v (478 ms)", o.Latency, o.End, want)
	}
	if o.Conn != (ConnCounts{New: 3}) || p.Connections() != 3 {
		t.Fatalf("cold conns %+v open %d", o.Conn, p.Connections())
	}
	p.Complete(o.End, nil, o.Env, o.Gen)
	w := p.Invoke(o.End.Add(time.Second), nil, req, src)
	if w.Latency != (Latency{Operation: want.Operation, Compute: 20 * ms}) || w.Conn != (ConnCounts{Reused: 3}) {
		t.Fatalf("warm: %+v %+v, want operations + compute only, 3 reuses", w.Latency, w.Conn)
	}
	var acc Accumulator
	acc.Add(&o)
	acc.Add(&w)
	if acc.Invocations != 2 || acc.ColdStarts != 1 || acc.ConnNew != 3 || acc.ConnReused != 3 ||
		acc.LatencySum != o.Latency.Total()+w.Latency.Total() || acc.ColdStartSum != 300*ms {
		t.Fatalf("accumulator %+v", acc)
	}
}

func TestNetFactorScalesNetworkTimeOnly(t *testing.T) {
	p := mustPool(t, oneTarget(PerInvocation, TLS12))
	o := p.Invoke(0, nil, Request{Compute: 10 * ms, NetFactor: 4}, src)
	if o.Latency.ConnSetup != 12*ms || o.Latency.Operation != 8*ms || o.Latency.Compute != 10*ms || o.End != at(30*ms) {
		t.Fatalf("with a 4× spike: %+v end %v; want setup 12 ms, operation 8 ms, compute 10 ms", o.Latency, o.End)
	}
	if !p.EnvBusy(o.Env) {
		t.Fatal("EnvBusy false during the invocation")
	}
	p.Complete(o.End, nil, o.Env, o.Gen)
	if p.EnvBusy(o.Env) || p.EnvBusy(99) {
		t.Fatal("EnvBusy true after completion / for a missing environment")
	}
}
