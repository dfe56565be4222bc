package sim

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// schedule is a test helper that fails the test on a scheduling error.
func schedule(t testing.TB, s Scheduler, e Event) Handle {
	t.Helper()
	h, err := s.Schedule(e)
	require.NoError(t, err)
	return h
}

// ticks queues one event per second at 1 s..n s and records the times it handles.
func ticks(t *testing.T, n int) (*Queue, *[]Time, Handler) {
	q := NewQueue(n)
	for i := 1; i <= n; i++ {
		schedule(t, q, Event{At: Time(i) * Time(time.Second)})
	}
	var seen []Time
	return q, &seen, HandlerFunc(func(ev Event, s Scheduler) {
		require.Equal(t, ev.At, s.Now(), "the handler runs at the event's time")
		seen = append(seen, ev.At)
	})
}

func TestRunUntil(t *testing.T) {
	q, seen, h := ticks(t, 10)
	until := Time(5 * time.Second)
	st, err := Run(q, h, Bounds{Until: until}, nil)
	require.NoError(t, err)
	require.Equal(t, Stats{Events: 5, End: until, Reason: StopUntil}, st)
	require.Len(t, *seen, 5, "an event exactly at Until runs")
	require.Equal(t, until, q.Now())
	require.Equal(t, 5, q.Len())

	// A second window continues where the first stopped, and an event scheduled between
	// the old Until and the next pending one runs in order.
	schedule(t, q, Event{At: until + 1})
	st, err = Run(q, h, Bounds{Until: Time(7 * time.Second)}, nil)
	require.NoError(t, err)
	require.Equal(t, uint64(3), st.Events)
	require.Equal(t, until+1, (*seen)[5])
	require.Equal(t, StopUntil, st.Reason)
}

func TestRunMaxEventsAndDrained(t *testing.T) {
	q, seen, h := ticks(t, 10)
	st, err := Run(q, h, Bounds{MaxEvents: 3}, nil)
	require.NoError(t, err)
	require.Equal(t, Stats{Events: 3, End: Time(3 * time.Second), Reason: StopMaxEvents}, st)

	// Both bounds set: whichever comes first ends the run.
	st, err = Run(q, h, Bounds{Until: Time(time.Hour), MaxEvents: 2}, nil)
	require.NoError(t, err)
	require.Equal(t, StopMaxEvents, st.Reason)
	st, err = Run(q, h, Bounds{Until: Time(6 * time.Second), MaxEvents: 100}, nil)
	require.NoError(t, err)
	require.Equal(t, Stats{Events: 1, End: Time(6 * time.Second), Reason: StopUntil}, st)

	st, err = Run(q, h, Bounds{Until: Time(time.Hour)}, nil)
	require.NoError(t, err)
	require.Equal(t, Stats{Events: 4, End: Time(10 * time.Second), Reason: StopDrained}, st)
	require.Len(t, *seen, 10)
}

func TestRunPollInterrupts(t *testing.T) {
	q := NewQueue(1)
	schedule(t, q, Event{At: 0})
	// An endless chain: every event schedules the next one a millisecond later.
	var schedErr error
	h := HandlerFunc(func(ev Event, s Scheduler) {
		if _, err := s.Schedule(Event{At: ev.At.Add(time.Millisecond)}); err != nil {
			schedErr = err
		}
	})
	var polls []Stats
	st, err := Run(q, h, Bounds{Until: MaxTime}, func(st Stats) bool {
		polls = append(polls, st)
		return len(polls) == 3
	})
	require.NoError(t, err)
	require.NoError(t, schedErr)
	require.Equal(t, StopInterrupted, st.Reason)
	require.Equal(t, uint64(3*PollEvery), st.Events)
	require.Len(t, polls, 3)
	for i, p := range polls {
		n := uint64(i+1) * PollEvery
		require.Equal(t, n, p.Events, "poll %d", i)
		require.Equal(t, Time(n-1)*Time(time.Millisecond), p.End, "poll %d sees the current time", i)
	}
	require.Equal(t, st.End, q.Now())
}

func TestRunCancelAndErrPastFromHandler(t *testing.T) {
	q := NewQueue(4)
	victim := schedule(t, q, Event{At: 20, Kind: 2})
	schedule(t, q, Event{At: 10, Kind: 1})
	var kinds []uint32
	var pastErr error
	h := HandlerFunc(func(ev Event, s Scheduler) {
		kinds = append(kinds, ev.Kind)
		if ev.Kind == 1 {
			require.True(t, s.Cancel(victim))
			_, pastErr = s.Schedule(Event{At: 9})
			schedule(t, s, Event{At: 10, Kind: 3}) // at the current time: allowed, runs next
		}
	})
	st, err := Run(q, h, Bounds{MaxEvents: 10}, nil)
	require.NoError(t, err)
	require.Equal(t, StopDrained, st.Reason)
	require.Equal(t, []uint32{1, 3}, kinds)
	require.ErrorIs(t, pastErr, ErrPast)
}

func TestBoundsValidate(t *testing.T) {
	q, seen, h := ticks(t, 3)
	for _, c := range []struct {
		b    Bounds
		want string
	}{
		{Bounds{}, "bounds: set until, maxEvents or both"},
		{Bounds{Until: -1}, "bounds.until = -1ns: must not be negative"},
		{Bounds{Until: Time(-time.Hour), MaxEvents: 5}, "bounds.until = -1h0m0s"},
	} {
		_, err := Run(q, h, c.b, nil)
		require.ErrorIs(t, err, ErrBadConfig)
		require.Contains(t, err.Error(), c.want)
	}
	require.Empty(t, *seen, "a refused run handles no event")
	require.NoError(t, Bounds{MaxEvents: 1}.Validate())
	require.NoError(t, Bounds{Until: 1}.Validate())
}

func TestStopReasonString(t *testing.T) {
	require.Equal(t, "drained", StopDrained.String())
	require.Equal(t, "end-time", StopUntil.String())
	require.Equal(t, "max-events", StopMaxEvents.String())
	require.Equal(t, "interrupted", StopInterrupted.String())
	require.Equal(t, "StopReason(9)", StopReason(9).String())
}

// churnModel is a small stochastic model that uses everything a real one does: per-entity
// streams, exponential and lognormal delays, ties (a fixed-period tick), and timers that
// are cancelled and rescheduled. It writes its trace into a hash (and, if asked, lines).
type churnModel struct {
	seed   Seed
	timers []Handle
	srcs   []*rand.PCG
	dists  [2]Dist
	trace  *strings.Builder
	hash   uint64
}

const (
	kindArrive uint32 = iota
	kindTimeout
	kindTick
)

func newChurnModel(t testing.TB, seed Seed, entities int, q *Queue, trace *strings.Builder) *churnModel {
	m := &churnModel{seed: seed, timers: make([]Handle, entities), trace: trace, hash: 14695981039346656037,
		dists: [2]Dist{Exp(2 * time.Second), LogNormalMedianP99(100*time.Millisecond, 2*time.Second)}}
	for i := 0; i < entities; i++ {
		m.srcs = append(m.srcs, seed.Stream("entity", uint64(i)))
		schedule(t, q, Event{At: 0, Kind: kindArrive, Obj: uint32(i)})
	}
	schedule(t, q, Event{At: 0, Kind: kindTick})
	return m
}

func (m *churnModel) Handle(ev Event, s Scheduler) {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d %d %d %d|", ev.At, ev.Kind, ev.Obj, ev.Arg)
	m.hash = m.hash*1099511628211 ^ h.Sum64()
	if m.trace != nil {
		fmt.Fprintf(m.trace, "%v %d %d %d\n", ev.At, ev.Kind, ev.Obj, ev.Arg)
	}
	switch ev.Kind {
	case kindArrive:
		d := m.dists[ev.Obj%2].Duration(m.srcs[ev.Obj])
		s.Schedule(Event{At: s.Now().Add(d), Kind: kindArrive, Obj: ev.Obj, Arg: ev.Arg + 1})
		// Reset this entity's idle timer: cancel the old one, start a new one.
		s.Cancel(m.timers[ev.Obj])
		m.timers[ev.Obj], _ = s.Schedule(Event{At: s.Now().Add(5 * time.Second), Kind: kindTimeout, Obj: ev.Obj})
	case kindTimeout:
		m.timers[ev.Obj] = 0
	case kindTick:
		s.Schedule(Event{At: s.Now().Add(time.Second), Kind: kindTick, Arg: ev.Arg + 1})
	}
}

// runChurn runs the model for the given simulated span and returns its trace hash and stats.
func runChurn(t testing.TB, seed Seed, span time.Duration, trace *strings.Builder) (uint64, Stats) {
	q := NewQueue(64)
	m := newChurnModel(t, seed, 40, q, trace)
	st, err := Run(q, m, Bounds{Until: Time(span)}, nil)
	require.NoError(t, err)
	return m.hash, st
}

func TestRunDeterministic(t *testing.T) {
	var a, b strings.Builder
	ha, sa := runChurn(t, 11, time.Minute, &a)
	hb, sb := runChurn(t, 11, time.Minute, &b)
	require.Equal(t, sa, sb)
	require.Greater(t, sa.Events, uint64(1000), "the model must do real work")
	require.Equal(t, a.String(), b.String(), "same seed, same event trace")
	require.Equal(t, ha, hb)
	hc, _ := runChurn(t, 12, time.Minute, nil)
	require.NotEqual(t, ha, hc, "another seed gives another trace")
}

func TestParallelIsIndependentOfWorkers(t *testing.T) {
	const parts = 12
	root := Seed(2024)
	runAll := func(workers int) ([]uint64, []error) {
		hashes := make([]uint64, parts)
		errs := Parallel(parts, workers, func(p int) error {
			if p == 5 {
				return fmt.Errorf("partition %d: refused", p)
			}
			hashes[p], _ = runChurn(t, root.Derive("partition", uint64(p)), 10*time.Second, nil)
			return nil
		})
		return hashes, errs
	}
	h1, e1 := runAll(1)
	for _, w := range []int{2, 8, 0, 100} {
		hw, ew := runAll(w)
		require.Equal(t, h1, hw, "workers=%d", w)
		require.Equal(t, e1, ew, "workers=%d", w)
	}
	for p, err := range e1 {
		if p == 5 {
			require.EqualError(t, err, "partition 5: refused")
		} else {
			require.NoError(t, err)
		}
	}
	require.NotEqual(t, h1[0], h1[1], "partitions draw from different seeds")
	require.Empty(t, Parallel(0, 4, func(int) error { return errors.New("never called") }))
}
