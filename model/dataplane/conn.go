package dataplane

import (
	"math/rand/v2"
	"time"

	"github.com/enisim/enisim/sim"
)

// connect accounts for the invocation's connections to every target, in target order (so
// draws are reproducible), and fills o.Latency.ConnSetup, o.Latency.Operation and o.Conn.
//
// KeepAlive: a cold environment opens every connection during init (counted as setup time
// of this first invocation). A warm one reuses them, unless a connection has been idle
// longer than NetIdleTimeout and no keepalive probes below the timeout protect it: then the
// network has silently dropped the flow, the first request fails (ResetRTTs round trips plus
// ResetDelay) and the client reconnects.
// PerInvocation: every invocation sets up every connection.
//
// One RTT is drawn per target per invocation and used for all of its round trips (a
// connection's handshake happens within a few ms, over one path). Operation times include
// their own round trip.
func (p *Pool) connect(now sim.Time, e int32, cold bool, factor float64, o *Outcome, src rand.Source) {
	c := p.cfg
	ts := c.Targets
	if len(ts) == 0 {
		return
	}
	if src == nil {
		// gonum falls back to the global generator on a nil source, which would make runs
		// irreproducible: refuse instead.
		panic("dataplane: Pool.Invoke: a function with connection targets needs a rand.Source")
	}
	keep := c.Mode == KeepAlive
	protect := c.probesProtect()
	base := int(e) * len(ts)
	var setup, ops time.Duration
	for k := range ts {
		t := &ts[k]
		needSetup, reset := true, false
		if keep && !cold {
			idle := now.Sub(p.lastUse[base+k])
			if !protect && idle > c.NetIdleTimeout {
				reset = true
			} else {
				needSetup = false
			}
		}
		if needSetup {
			rtt := t.RTT.Duration(src)
			setup += time.Duration(t.TLS.HandshakeRTTs()) * rtt
			o.Conn.New++
			if reset {
				setup += time.Duration(c.ResetRTTs)*rtt + c.ResetDelay.Duration(src)
				o.Conn.Resets++
			}
		} else {
			o.Conn.Reused++
		}
		for range t.Ops {
			ops += t.Operation.Duration(src)
		}
	}
	if cold && keep || !keep {
		p.conns += int32(len(ts))
	}
	if factor > 0 && factor != 1 {
		setup = time.Duration(float64(setup) * factor)
		ops = time.Duration(float64(ops) * factor)
	}
	o.Latency.ConnSetup = setup
	o.Latency.Operation = ops
}
