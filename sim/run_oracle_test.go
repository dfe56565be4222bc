package sim

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestRunMatchesOracle drives Run, not Next, against the sorted-slice oracle: Run takes
// events through its own inline path while near is a sorted array and nothing cancelled
// is queued, and through front and pop otherwise. The handler schedules 0-2 events per
// event (ties, every radix level, Lambda-like spans) and, in the cancelling phases only,
// cancels handles (pending, run or cancelled already), so a run passes from the
// no-cancel paths (dead == 0: no cancelled bit is read) to the lazy-cancellation paths
// and back as dead entries are dropped. Runs are cut by MaxEvents and by Until, so the
// loop is also entered with near partly taken and Until stops it mid-stretch.
func TestRunMatchesOracle(t *testing.T) {
	for _, sc := range timeScales {
		for seed := uint64(1); seed <= 3; seed++ {
			t.Run(fmt.Sprintf("%s/seed=%d", sc.name, seed), func(t *testing.T) {
				runOracleRun(t, sc.delay, seed)
			})
		}
	}
}

func runOracleRun(t *testing.T, delay func(*rand.Rand) Time, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 7))
	q := NewQueue(0)
	var o oracle
	var handles []Handle
	sched := func(s Scheduler, at Time) {
		id := len(handles)
		ev := Event{At: at, Kind: uint32(r.IntN(5)), Obj: uint32(id), Arg: r.Uint64()}
		h, err := s.Schedule(ev)
		if err != nil {
			t.Fatalf("seed %d: Schedule(%+v): %v", seed, ev, err)
		}
		handles = append(handles, h)
		o.schedule(ev, id)
	}
	for range 300 {
		sched(q, delay(r))
	}
	cancelling := false
	handled := 0
	h := HandlerFunc(func(ev Event, s Scheduler) {
		handled++
		if len(o.pending) == 0 || ev != o.pending[0].ev {
			t.Fatalf("seed %d event %d: Run handed %+v, oracle has %d pending", seed, handled, ev, len(o.pending))
		}
		o.remove(o.pending[0].id)
		o.now = ev.At
		for range r.IntN(3) {
			sched(s, s.Now()+delay(r))
		}
		if cancelling && r.IntN(3) == 0 {
			id := r.IntN(len(handles))
			if got, want := s.Cancel(handles[id]), o.remove(id); got != want {
				t.Fatalf("seed %d event %d: Cancel(event %d) = %v, want %v", seed, handled, id, got, want)
			}
		}
	})
	for round := 0; len(o.pending) > 0 && round < 40; round++ {
		// Cancel in rounds 5-9 and 20-24 only: dead entries come and go.
		cancelling = round/5 == 1 || round/5 == 4
		b := Bounds{MaxEvents: uint64(1 + r.IntN(200))}
		if round%3 == 0 && len(o.pending) > 1 {
			b = Bounds{Until: o.pending[len(o.pending)/2].ev.At} // stop mid-way
		}
		st, err := Run(q, h, b, nil)
		if err != nil {
			t.Fatal(err)
		}
		if q.Len() != len(o.pending) {
			t.Fatalf("seed %d round %d: Len = %d, want %d", seed, round, q.Len(), len(o.pending))
		}
		if err := q.checkInvariants(); err != nil {
			t.Fatalf("seed %d round %d (%v): invariant: %v", seed, round, st.Reason, err)
		}
	}
	// Drain with Run: the rest must come out in oracle order too.
	cancelling = false
	for len(o.pending) > 0 {
		if _, err := Run(q, HandlerFunc(func(ev Event, s Scheduler) {
			if ev != o.pending[0].ev {
				t.Fatalf("seed %d drain: Run handed %+v, want %+v", seed, ev, o.pending[0].ev)
			}
			o.remove(o.pending[0].id)
		}), Bounds{MaxEvents: 1 << 20}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if q.Len() != 0 || handled == 0 {
		t.Fatalf("seed %d: %d left after the drain, %d handled", seed, q.Len(), handled)
	}
}
