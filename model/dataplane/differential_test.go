package dataplane

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/enisim/enisim/sim"
)

// refEnv is the brute-force reference model's environment: no lists, no events, just the
// definition. An environment is alive while busy or while idle for less than the expiry;
// an arrival goes to the alive idle environment whose last request ended last.
type refEnv struct {
	busy    bool
	retire  bool // destroy at completion (Retire while busy)
	dead    bool
	lastEnd sim.Time
	id      EnvID // the library's slot and generation for the same environment
	gen     uint32
}

func (r *refEnv) alive(now sim.Time, expiry time.Duration) bool {
	return !r.dead && (r.busy || now.Sub(r.lastEnd) < expiry)
}

// TestDifferentialAgainstBruteForceReference drives the library with a sim.Queue through
// bursty random traffic (with an account concurrency cap) and checks every routing decision,
// throttle and environment count against the reference model.
func TestDifferentialAgainstBruteForceReference(t *testing.T) {
	for _, mode := range []ConnMode{KeepAlive, PerInvocation} {
		t.Run(mode.String(), func(t *testing.T) { differential(t, mode) })
	}
}

func differential(t *testing.T, mode ConnMode) {
	const seed = 20261127
	const expiry = 60 * time.Second
	const limit = 12
	cfg := DefaultConfig()
	cfg.ScaleBurst = 0
	cfg.IdleExpiry = expiry
	cfg.Mode = mode
	cfg.Targets = []Target{{Name: "db", RTT: sim.Const(time.Millisecond), Operation: sim.Const(time.Millisecond), Ops: 1}}
	p := mustPool(t, &cfg)
	acct := mustAccount(t, AccountConfig{Concurrency: limit})
	rng := rand.New(rand.NewPCG(seed, 1))
	q := sim.NewQueue(64)
	var ref []refEnv
	const (
		kArr uint32 = iota
		kDone
		kExp
		kRetire
	)
	var arrivals, cold, throttled, retires int
	h := sim.HandlerFunc(func(ev sim.Event, s sim.Scheduler) {
		now := ev.At
		switch ev.Kind {
		case kArr:
			arrivals++
			// reference decision
			best, busy := -1, 0
			for i := range ref {
				r := &ref[i]
				if r.busy {
					busy++
				} else if r.alive(now, expiry) && (best < 0 || r.lastEnd > ref[best].lastEnd) {
					best = i
				}
			}
			compute := time.Duration(rng.ExpFloat64() * 5e9)
			o := p.Invoke(now, acct, Request{Compute: compute}, src)
			switch {
			case busy >= limit:
				if o.Throttle != ThrottledConcurrency {
					t.Fatalf("seed %d at %v: reference throttles (busy %d), library %v", seed, now, busy, o.Throttle)
				}
				throttled++
			case best >= 0:
				if o.Cold || o.Env != ref[best].id || o.Gen != ref[best].gen {
					t.Fatalf("seed %d at %v: reference routes to env %d/%d (idle since %v), library %+v",
						seed, now, ref[best].id, ref[best].gen, ref[best].lastEnd, o)
				}
				ref[best].busy = true
			default:
				if !o.Cold {
					t.Fatalf("seed %d at %v: reference cold-starts, library routed to %d", seed, now, o.Env)
				}
				cold++
				ref = append(ref, refEnv{busy: true, id: o.Env, gen: o.Gen})
			}
			if o.Throttle == NotThrottled {
				s.Schedule(sim.Event{At: o.End, Kind: kDone, Arg: PackArg(o.Env, o.Gen)})
			}
			// bursty traffic: alternate 100 s phases of 2/s and 0.02/s
			rate := 2.0
			if int(now.Seconds()/100)%2 == 1 {
				rate = 0.02
			}
			s.Schedule(sim.Event{At: now.Add(time.Duration(rng.ExpFloat64() / rate * 1e9)), Kind: kArr})
		case kDone:
			id, gen := UnpackArg(ev.Arg)
			wantDestroyed := false
			for i := range ref {
				if r := &ref[i]; r.busy && r.id == id && r.gen == gen {
					r.busy, r.lastEnd = false, now
					r.dead, wantDestroyed = r.retire, r.retire
				}
			}
			x, destroyed := p.Complete(now, acct, id, gen)
			if destroyed != wantDestroyed {
				t.Fatalf("seed %d at %v: Complete destroyed %v, reference %v", seed, now, destroyed, wantDestroyed)
			}
			if x.Set {
				s.Schedule(sim.Event{At: x.At, Kind: kExp, Arg: x.Arg()})
			}
		case kRetire:
			idle := 0
			for i := range ref {
				if r := &ref[i]; r.busy {
					r.retire = true
				} else if r.alive(now, expiry) {
					r.dead = true
					idle++
				}
			}
			if n := p.Retire(now); n != idle {
				t.Fatalf("seed %d at %v: Retire destroyed %d, reference %d idle", seed, now, n, idle)
			}
			retires++
			s.Schedule(sim.Event{At: now.Add(2345 * time.Second), Kind: kRetire})
		case kExp:
			id, gen := UnpackArg(ev.Arg)
			if _, x := p.Expire(now, id, gen); x.Set {
				s.Schedule(sim.Event{At: x.At, Kind: kExp, Arg: x.Arg()})
			}
		}
		if err := p.checkInvariants(); err != nil {
			t.Fatalf("seed %d at %v (event kind %d): %v", seed, now, ev.Kind, err)
		}
		// compact the reference and compare counts
		alive, busy := 0, 0
		k := 0
		for _, r := range ref {
			if r.alive(now, expiry) {
				ref[k] = r
				k++
				alive++
				if r.busy {
					busy++
				}
			}
		}
		ref = ref[:k]
		if p.Alive() != alive || p.Busy() != busy || acct.InFlight() != busy {
			t.Fatalf("seed %d at %v (event kind %d): library alive %d busy %d in-flight %d, reference alive %d busy %d",
				seed, now, ev.Kind, p.Alive(), p.Busy(), acct.InFlight(), alive, busy)
		}
	})
	q.Schedule(sim.Event{At: 0, Kind: kArr})
	q.Schedule(sim.Event{At: at(1234 * time.Second), Kind: kRetire})
	if _, err := sim.Run(q, h, sim.Bounds{Until: at(20000 * time.Second)}, nil); err != nil {
		t.Fatal(err)
	}
	t.Logf("seed %d: %d arrivals, %d cold starts, %d throttled, %d retires", seed, arrivals, cold, throttled, retires)
	if arrivals < 10000 || cold < 50 || throttled < 10 {
		t.Fatalf("traffic did not exercise the model: %d arrivals, %d cold, %d throttled", arrivals, cold, throttled)
	}
}
