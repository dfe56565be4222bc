package sim

import (
	"errors"
	"fmt"
)

// ErrBadConfig is wrapped by every error about invalid engine configuration.
var ErrBadConfig = errors.New("sim: invalid configuration")

// Handler reacts to one event at the scheduler's current time.
type Handler interface {
	Handle(ev Event, s Scheduler)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ev Event, s Scheduler)

// Handle calls f.
func (f HandlerFunc) Handle(ev Event, s Scheduler) { f(ev, s) }

// Bounds end a run. Zero fields are unbounded; at least one must be set.
type Bounds struct {
	Until     Time   // stop before the first event later than Until
	MaxEvents uint64 // stop after this many events
}

// Validate names the offending field.
func (b Bounds) Validate() error {
	if b.Until < 0 {
		return fmt.Errorf("%w: bounds.until = %v: must not be negative", ErrBadConfig, b.Until)
	}
	if b.Until == 0 && b.MaxEvents == 0 {
		return fmt.Errorf("%w: bounds: set until, maxEvents or both", ErrBadConfig)
	}
	return nil
}

// StopReason says which bound ended a run.
type StopReason int

const (
	StopDrained     StopReason = iota // no events left
	StopUntil                         // reached Bounds.Until
	StopMaxEvents                     // reached Bounds.MaxEvents
	StopInterrupted                   // the poll function asked to stop
)

func (r StopReason) String() string {
	switch r {
	case StopDrained:
		return "drained"
	case StopUntil:
		return "end-time"
	case StopMaxEvents:
		return "max-events"
	case StopInterrupted:
		return "interrupted"
	}
	return fmt.Sprintf("StopReason(%d)", int(r))
}

// Stats describes a finished run.
type Stats struct {
	Events uint64
	End    Time
	Reason StopReason
}

// PollEvery is how many events pass between calls to the poll function given to Run.
const PollEvery = 1 << 16

// Run takes events from q in order and hands them to h until a bound is reached.
// poll, if not nil, is called every PollEvery events (outside the per-event path) and
// stops the run when it returns true; it is how interrupts and progress reach a run.
func Run(q *Queue, h Handler, b Bounds, poll func(Stats) bool) (Stats, error) {
	if err := b.Validate(); err != nil {
		return Stats{}, err
	}
	var st Stats
	until := b.Until
	if until == 0 {
		until = MaxTime
	}
	max := b.MaxEvents
	if max == 0 {
		max = ^uint64(0)
	}
	next := uint64(PollEvery)
	// One comparison per event stands for both the MaxEvents bound and the poll: limit is
	// the nearer of the two, and which one was reached is sorted out only then.
	limit := max
	if poll != nil {
		limit = min(max, next)
	}
	for {
		if st.Events >= limit {
			if poll != nil && st.Events == next {
				next += PollEvery
				st.End = q.now
				if poll(st) {
					st.Reason = StopInterrupted
					break
				}
			}
			if st.Events >= max {
				st.Reason = StopMaxEvents
				break
			}
			limit = min(max, next)
		}
		var ev Event
		if n := len(q.near) - 1; n >= 0 && !q.nearHeap && q.dead == 0 {
			// pop and front written out for the common case: near is a sorted array
			// whose last entry is the next event, live because nothing is cancelled.
			x := &q.near[n] // fields read one by one: no copy of the whole entry
			at := x.at
			if at > until {
				st.Reason = StopUntil
				q.now = until
				break
			}
			ev = Event{At: at, Kind: x.kind, Obj: x.obj, Arg: x.arg}
			q.release(uint32(x.key)) // the slot
			q.near = q.near[:n]
			q.live--
			q.now = at
		} else {
			if !q.front() {
				st.Reason = StopDrained
				break
			}
			if q.top().at > until {
				st.Reason = StopUntil
				q.now = until
				break
			}
			ev = q.pop()
		}
		h.Handle(ev, q)
		st.Events++
	}
	st.End = q.now
	return st, nil
}
