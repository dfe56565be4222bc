package dataplane_test

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/enisim/enisim/model/dataplane"
	"github.com/enisim/enisim/sim"
)

// Example shows the caller's side of the loop: Invoke on arrival, schedule the completion
// at Outcome.End, Complete on it, schedule the returned Expiry, Expire on it. The third
// invocation comes 400 s after the second: its kept-alive connection was dropped after
// 350 s idle, so it pays a failed round trip (1 ms), the 50 ms retry back-off and a new
// TLS 1.3 handshake (2 ms) on top of the 5 ms operation and 10 ms compute.
func Example() {
	cfg := dataplane.DefaultConfig()
	cfg.Targets = []dataplane.Target{{Name: "dynamodb", RTT: sim.Const(time.Millisecond),
		TLS: dataplane.TLS13, Operation: sim.Const(5 * time.Millisecond), Ops: 1}}
	pool, _ := dataplane.NewPool(&cfg)
	acct, _ := dataplane.NewAccount(dataplane.DefaultAccountConfig())
	src := rand.NewPCG(1, 2)

	const (
		arrival uint32 = iota
		done
		expire
	)
	q := sim.NewQueue(16)
	for _, s := range []time.Duration{0, 30 * time.Second, 400 * time.Second, 2000 * time.Second} {
		q.Schedule(sim.Event{At: sim.Time(0).Add(s), Kind: arrival})
	}
	h := sim.HandlerFunc(func(ev sim.Event, s sim.Scheduler) {
		switch ev.Kind {
		case arrival:
			o := pool.Invoke(ev.At, acct, dataplane.Request{Compute: 10 * time.Millisecond, ColdStart: 300 * time.Millisecond}, src)
			fmt.Printf("%v: cold=%v latency=%v conns=%+v\n", ev.At, o.Cold, o.Latency.Total(), o.Conn)
			s.Schedule(sim.Event{At: o.End, Kind: done, Arg: dataplane.PackArg(o.Env, o.Gen)})
		case done:
			env, gen := dataplane.UnpackArg(ev.Arg)
			if x, _ := pool.Complete(ev.At, acct, env, gen); x.Set {
				s.Schedule(sim.Event{At: x.At, Kind: expire, Arg: x.Arg()})
			}
		case expire:
			env, gen := dataplane.UnpackArg(ev.Arg)
			destroyed, x := pool.Expire(ev.At, env, gen)
			if x.Set {
				s.Schedule(sim.Event{At: x.At, Kind: expire, Arg: x.Arg()})
			}
			if destroyed {
				fmt.Printf("%v: environment %d expired\n", ev.At, env)
			}
		}
	})
	sim.Run(q, h, sim.Bounds{Until: sim.Time(0).Add(time.Hour)}, nil)
	// Output:
	// 0s: cold=true latency=317ms conns={Reused:0 New:1 Resets:0}
	// 30s: cold=false latency=15ms conns={Reused:1 New:0 Resets:0}
	// 6m40s: cold=false latency=68ms conns={Reused:0 New:1 Resets:1}
	// 16m40.068s: environment 0 expired
	// 33m20s: cold=true latency=317ms conns={Reused:0 New:1 Resets:0}
	// 43m20.317s: environment 0 expired
}
