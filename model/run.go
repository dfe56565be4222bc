package model

import (
	"fmt"

	"github.com/enisim/enisim/sim"
)

// Run is sim.Run for this model: it hands q's events to m in order until a bound is
// reached, with the same Bounds, poll contract and Stats and, event for event, the same
// order of handling, so the same observations. The difference is speed: an external
// (trace) arrival is normally not scheduled into q but kept aside and taken here when it
// comes before q's next event, which saves a queue insertion and removal per arrival.
//
// Why the order is exactly sim.Run's: the queue orders events by (At, seq), seq being the
// order of scheduling, and under sim.Run an arrival is scheduled when it is read (after
// the invocation before it). An arrival read when no queued event is due at exactly its
// time comes after every queued event due earlier and before every queued event due
// later, as by time; and every event scheduled after the read at its time has a larger
// seq, so it runs before any queued event at a time >= its own, which is Run's rule.
// Arrivals kept aside for the same time run in the order they were read, as their seqs
// would. An arrival read when a queued event may be due at exactly its time is scheduled
// as usual. Whether one may be is answered by counting, per hash of the time, the events
// the model has queued and not yet had back (runState.pending): no count, no such event.
// Each arrival counts as one event, as it does under sim.Run.
//
// Start must have been called with q. A model may be driven by sim.Run instead, but not
// by sim.Run after Run: an arrival Run kept aside is only ever taken by Run.
func (m *Model) Run(q *sim.Queue, b sim.Bounds, poll func(sim.Stats) bool) (sim.Stats, error) {
	if err := b.Validate(); err != nil {
		return sim.Stats{}, err
	}
	r := &m.run
	if q == nil {
		return sim.Stats{}, fmt.Errorf("%w: model.Run: nil queue", sim.ErrBadConfig)
	}
	if r.q != nil && r.q != q {
		return sim.Stats{}, fmt.Errorf("%w: model.Run: not the queue of the previous Run", sim.ErrBadConfig)
	}
	r.q, r.sched.q = q, q
	var st sim.Stats
	until := b.Until
	if until == 0 {
		until = sim.MaxTime
	}
	maxEv := b.MaxEvents
	if maxEv == 0 {
		maxEv = ^uint64(0)
	}
	now := max(q.Now(), r.sched.now)
	next := uint64(sim.PollEvery)
	for {
		if st.Events >= maxEv {
			st.Reason = sim.StopMaxEvents
			break
		}
		top, ok := q.Peek()
		ai, at := int32(-1), sim.Time(0)
		if r.nAside > 0 {
			ai, at = m.earliestAside()
		}
		if ai >= 0 && (!ok || at <= top.At) {
			if at > until {
				st.Reason = sim.StopUntil
				now = until
				break
			}
			now = at
			m.accts[ai].aside = false
			r.nAside--
			r.sched.now = at
			m.onTraceArrival(ai, &r.sched)
			if m.onEvent != nil {
				m.onEvent(m)
			}
		} else {
			if !ok {
				st.Reason = sim.StopDrained
				break
			}
			if top.At > until {
				st.Reason = sim.StopUntil
				now = until
				break
			}
			ev, _ := q.Next()
			r.handled(ev.At)
			now = ev.At
			m.Handle(ev, q)
		}
		st.Events++
		if poll != nil && st.Events == next {
			next += sim.PollEvery
			st.End = now
			if poll(st) {
				st.Reason = sim.StopInterrupted
				break
			}
		}
	}
	st.End = now
	return st, nil
}

// earliestAside returns the account whose arrival kept aside runs first, and its time.
func (m *Model) earliestAside() (int32, sim.Time) {
	best := int32(-1)
	var at sim.Time
	var seq uint64
	for i := range m.accts {
		a := &m.accts[i]
		if a.aside && (best < 0 || a.nextAt < at || (a.nextAt == at && a.asideSeq < seq)) {
			best, at, seq = int32(i), a.nextAt, a.asideSeq
		}
	}
	return best, at
}

// maxAsideAccounts bounds the accounts replaying arrivals for which Run keeps arrivals
// aside: it finds the earliest by a linear scan over the accounts, which beats a heap
// for a handful. With more, every arrival is queued.
const maxAsideAccounts = 8

// pendingBits sizes runState.pending: 2^14 counters (64 KiB), so that with the tens of
// thousands of events a large partition keeps queued an arrival seldom shares a counter.
const pendingBits = 14

// runState is what Run keeps between events.
type runState struct {
	// q is the queue Run drives the model with; nil until the first Run.
	q *sim.Queue
	// pending[h(t)] counts the events the model scheduled for a time t hashing to h and
	// Run has not yet taken from the queue (an over-count for events taken by sim.Run,
	// which only makes Run keep fewer arrivals aside). The model never cancels events,
	// so no count is ever too low. nil when no account replays arrivals, or too many do.
	pending []uint32
	nAside  int    // accounts with an arrival kept aside
	seq     uint64 // read order of arrivals kept aside
	// sched is the Scheduler the handling of an arrival kept aside sees: the queue, with
	// Now the arrival's time (the queue's own Now is still the previous event's).
	sched asideScheduler
}

func (r *runState) init(accts []account) {
	n := 0
	for i := range accts {
		if accts[i].arrivals != nil {
			n++
		}
	}
	if n > 0 && n <= maxAsideAccounts {
		r.pending = make([]uint32, 1<<pendingBits)
	}
}

func pendingSlot(t sim.Time) uint64 { return uint64(t) * 0x9E3779B97F4A7C15 >> (64 - pendingBits) }

// queued notes an event the model scheduled for t.
func (r *runState) queued(t sim.Time) {
	if r.pending != nil {
		r.pending[pendingSlot(t)]++
	}
}

// handled notes an event for t that Run took from the queue.
func (r *runState) handled(t sim.Time) {
	if r.pending != nil {
		r.pending[pendingSlot(t)]--
	}
}

// keepAside reports whether a's next arrival, just read, is kept aside rather than
// queued, and if so marks it.
func (r *runState) keepAside(a *account) bool {
	if r.q == nil || r.pending == nil || r.pending[pendingSlot(a.nextAt)] != 0 {
		return false
	}
	a.aside, a.asideSeq = true, r.seq
	r.seq++
	r.nAside++
	return true
}

// asideScheduler is a Scheduler over a queue with its own Now.
type asideScheduler struct {
	q   *sim.Queue
	now sim.Time
}

func (s *asideScheduler) Schedule(e sim.Event) (sim.Handle, error) {
	if e.At < s.now {
		return 0, fmt.Errorf("%w: at %v, now %v", sim.ErrPast, e.At, s.now)
	}
	return s.q.Schedule(e)
}

func (s *asideScheduler) Cancel(h sim.Handle) bool { return s.q.Cancel(h) }

func (s *asideScheduler) Now() sim.Time { return s.now }
