package sim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

// eventQueue is what the differential test drives: Queue and the benchmark baselines.
type eventQueue interface {
	Schedule(e Event) (Handle, error)
	Cancel(h Handle) bool
	Next() (Event, bool)
	Peek() (Event, bool)
	Len() int
	Now() Time
}

// oracle is the obviously correct queue: a slice kept sorted by (At, seq), so the next
// event is always pending[0].
type oracle struct {
	pending []oracleItem
	seq     uint64
	now     Time
}

type oracleItem struct {
	ev  Event
	seq uint64
	id  int // index into the test's handle list
}

func (o *oracle) schedule(e Event, id int) {
	o.seq++
	it := oracleItem{ev: e, seq: o.seq, id: id}
	// Insert after every item at or before e.At: seqs only grow, so that is (At, seq) order.
	i := sort.Search(len(o.pending), func(i int) bool { return o.pending[i].ev.At > e.At })
	o.pending = slices.Insert(o.pending, i, it)
}

// min is the index of the next event, or -1.
func (o *oracle) min() int {
	if len(o.pending) == 0 {
		return -1
	}
	return 0
}

func (o *oracle) remove(id int) bool {
	for i, it := range o.pending {
		if it.id == id {
			o.pending = slices.Delete(o.pending, i, i+1)
			return true
		}
	}
	return false
}

// queueImpls are the queues checked against the oracle.
var queueImpls = []struct {
	name string
	make func() eventQueue
}{
	{"queue", func() eventQueue { return NewQueue(0) }},
	{"heap4", func() eventQueue { return newHeap4Queue(0) }},
	{"heap4-indexed", func() eventQueue { return newIndexedQueue(0) }},
	{"draft", func() eventQueue { return newDraftQueue(0) }},
}

// timeScales are the spans of the random delays: many ties at ns scale, a spread that
// exercises every radix bucket, and a Lambda-like mix of milliseconds and days.
var timeScales = []struct {
	name  string
	delay func(r *rand.Rand) Time
}{
	{"ties", func(r *rand.Rand) Time { return Time(r.IntN(3)) }},
	{"wide", func(r *rand.Rand) Time { return Time(r.Uint64N(1 << uint(r.IntN(62)))) }},
	{"mixed", func(r *rand.Rand) Time {
		switch r.IntN(4) {
		case 0:
			return 0
		case 1:
			return Time(r.IntN(1e7))
		case 2:
			return Time(350e9)
		default:
			return Time(14 * 24 * 3600e9)
		}
	}},
}

// TestQueueMatchesOracle drives each queue and the oracle with the same random script of
// schedules (with ties), cancellations (valid, already run, already cancelled, the zero
// Handle and made-up Handles), peeks and pops, and requires identical answers throughout.
func TestQueueMatchesOracle(t *testing.T) {
	for _, impl := range queueImpls {
		seeds := uint64(4)
		if impl.name != "queue" {
			seeds = 1 // the benchmark baselines: enough to trust their figures
		}
		for _, sc := range timeScales {
			for seed := uint64(1); seed <= seeds; seed++ {
				t.Run(fmt.Sprintf("%s/%s/seed=%d", impl.name, sc.name, seed), func(t *testing.T) {
					runDifferential(t, impl.make(), sc.delay, seed, 4000)
				})
			}
		}
	}
}

func runDifferential(t *testing.T, q eventQueue, delay func(*rand.Rand) Time, seed uint64, steps int) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 99))
	var o oracle
	var handles []Handle // handles[id] for every event ever scheduled
	fail := func(step int, format string, args ...any) {
		t.Fatalf("seed %d step %d: %s (reproduce: go test ./sim -run TestQueueMatchesOracle)", seed, step, fmt.Sprintf(format, args...))
	}
	for step := 0; step < steps; step++ {
		// Phases: grow, churn, then drain, so the queue is seen large, steady and empty.
		pSchedule := 55
		switch {
		case step > steps*2/3:
			pSchedule = 25
		case step < steps/3:
			pSchedule = 75
		}
		switch op := r.IntN(100); {
		case op < pSchedule:
			id := len(handles)
			ev := Event{At: o.now + delay(r), Kind: uint32(r.IntN(5)), Obj: uint32(id), Arg: r.Uint64()}
			h, err := q.Schedule(ev)
			if err != nil {
				fail(step, "Schedule(%+v): %v", ev, err)
			}
			handles = append(handles, h)
			o.schedule(ev, id)
		case op < pSchedule+15 && len(handles) > 0:
			// Any handle ever issued: pending, already run or already cancelled.
			id := r.IntN(len(handles))
			want := o.remove(id)
			if got := q.Cancel(handles[id]); got != want {
				fail(step, "Cancel(event %d) = %v, want %v", id, got, want)
			}
		case op < pSchedule+17:
			if q.Cancel(0) {
				fail(step, "Cancel(0) = true")
			}
			if q.Cancel(Handle(r.Uint64()|1<<63) + 1) {
				fail(step, "Cancel(made-up handle) = true")
			}
		case op < pSchedule+25:
			got, ok := q.Peek()
			m := o.min()
			if ok != (m >= 0) || (ok && got != o.pending[m].ev) {
				fail(step, "Peek = %+v %v, want index %d", got, ok, m)
			}
		default:
			got, ok := q.Next()
			m := o.min()
			if ok != (m >= 0) {
				fail(step, "Next ok = %v with %d pending", ok, len(o.pending))
			}
			if ok {
				want := o.pending[m]
				if got != want.ev {
					fail(step, "Next = %+v, want %+v (seq %d)", got, want.ev, want.seq)
				}
				o.remove(want.id)
				o.now = got.At
			}
		}
		if q.Len() != len(o.pending) {
			fail(step, "Len = %d, want %d", q.Len(), len(o.pending))
		}
		// Checking is O(n); every 16th step still catches a break close to its cause.
		if c, ok := q.(interface{ checkInvariants() error }); ok && step%16 == 0 {
			if err := c.checkInvariants(); err != nil {
				fail(step, "invariant: %v", err)
			}
		}
		if q.Now() != o.now {
			fail(step, "Now = %v, want %v", q.Now(), o.now)
		}
	}
	// Drain: the rest must come out in oracle order.
	for len(o.pending) > 0 {
		m := o.min()
		got, ok := q.Next()
		if !ok || got != o.pending[m].ev {
			fail(steps, "drain: Next = %+v %v, want %+v", got, ok, o.pending[m].ev)
		}
		o.remove(o.pending[m].id)
	}
	if _, ok := q.Next(); ok {
		t.Fatalf("seed %d: Next on a drained queue returned an event", seed)
	}
}

// TestQueueFIFOAtEqualTimes pins the tie rule directly: events at one time come out in
// the order they were scheduled, also when scheduled while that time is being processed.
func TestQueueFIFOAtEqualTimes(t *testing.T) {
	q := NewQueue(0)
	for i := 0; i < 50; i++ {
		_, err := q.Schedule(Event{At: Time(1000 + i%2), Obj: uint32(i)})
		require.NoError(t, err)
	}
	var got []uint32
	for {
		ev, ok := q.Next()
		if !ok {
			break
		}
		got = append(got, ev.Obj)
		if ev.Obj < 4 { // schedule at the current time: after everything already at it
			_, err := q.Schedule(Event{At: q.Now(), Obj: 100 + ev.Obj})
			require.NoError(t, err)
		}
	}
	var want []uint32
	for i := uint32(0); i < 50; i += 2 {
		want = append(want, i)
	}
	want = append(want, 100, 102)
	for i := uint32(1); i < 50; i += 2 {
		want = append(want, i)
	}
	want = append(want, 101, 103)
	require.Equal(t, want, got)
}

func TestQueueErrPast(t *testing.T) {
	q := NewQueue(4)
	_, err := q.Schedule(Event{At: 10})
	require.NoError(t, err)
	_, ok := q.Next()
	require.True(t, ok)
	_, err = q.Schedule(Event{At: 9})
	require.ErrorIs(t, err, ErrPast)
	require.Contains(t, err.Error(), "now 10ns")
	require.Equal(t, 0, q.Len(), "a refused event must not be queued")
	_, err = q.Schedule(Event{At: 10}) // at now is allowed
	require.NoError(t, err)
}

// TestQueueReschedule is the idle-timer pattern: cancel the pending timer and schedule a
// new one on every activity; only the last timer of each object may fire.
func TestQueueReschedule(t *testing.T) {
	q := NewQueue(0)
	const objs = 100
	timers := make([]Handle, objs)
	for i := range timers {
		h, err := q.Schedule(Event{At: 350, Obj: uint32(i)})
		require.NoError(t, err)
		timers[i] = h
	}
	for round := 1; round <= 200; round++ {
		for i := range timers {
			require.True(t, q.Cancel(timers[i]))
			require.False(t, q.Cancel(timers[i]), "double cancel")
			h, err := q.Schedule(Event{At: Time(350 + round), Obj: uint32(i), Arg: uint64(round)})
			require.NoError(t, err)
			timers[i] = h
		}
		require.Equal(t, objs, q.Len())
	}
	for i := 0; i < objs; i++ {
		ev, ok := q.Next()
		require.True(t, ok)
		require.Equal(t, Event{At: 550, Obj: uint32(i), Arg: 200}, ev)
	}
	_, ok := q.Next()
	require.False(t, ok)
	require.False(t, q.Cancel(timers[0]), "cancel after the event ran")
}

// TestQueueSeqRenumber starts the 32-bit sequence counter just short of its limit, so the
// renumbering that keeps FIFO ties correct runs inside a differential test.
func TestQueueSeqRenumber(t *testing.T) {
	for seed := uint64(1); seed <= 2; seed++ {
		q := NewQueue(0)
		q.nextSeq = seqLimit - 700
		runDifferential(t, q, timeScales[0].delay, seed, 1500)
		require.Less(t, q.nextSeq, uint64(seqLimit-700), "renumbering did not run")
	}
}

// TestQueueCompaction checks that cancelled entries are dropped once they outnumber the
// live ones, so a cancel-heavy run does not grow the queue without bound.
func TestQueueCompaction(t *testing.T) {
	q := NewQueue(0)
	h, err := q.Schedule(Event{At: 1 << 40})
	require.NoError(t, err)
	for i := 0; i < 10000; i++ {
		h2, err := q.Schedule(Event{At: 1 << 40, Arg: uint64(i)})
		require.NoError(t, err)
		require.True(t, q.Cancel(h))
		h = h2
	}
	require.Equal(t, 1, q.Len())
	require.LessOrEqual(t, q.live+q.dead, 2*compactMin+2, "dead entries are not compacted")
	require.LessOrEqual(t, len(q.tickets), 2*compactMin+2, "slots of dropped entries are not reused")
	ev, ok := q.Next()
	require.True(t, ok)
	require.Equal(t, uint64(9999), ev.Arg)
}

func TestQueueZeroValueAndCapacity(t *testing.T) {
	for _, q := range []*Queue{{}, NewQueue(-5), NewQueue(1000)} {
		_, ok := q.Peek()
		require.False(t, ok)
		_, err := q.Schedule(Event{At: 5, Kind: 7})
		require.NoError(t, err)
		ev, ok := q.Next()
		require.True(t, ok)
		require.Equal(t, Event{At: 5, Kind: 7}, ev)
	}
}

// TestQueueScheduleBeforeFront covers a radix-heap pitfall: after Peek (or a run that
// stopped at Until) the earliest event is known but not taken, and an event between Now
// and it may still be scheduled; it must come out first.
func TestQueueScheduleBeforeFront(t *testing.T) {
	q := NewQueue(0)
	for _, at := range []Time{1000, 5000, 5000, 1 << 33} {
		_, err := q.Schedule(Event{At: at, Arg: uint64(at)})
		require.NoError(t, err)
	}
	ev, ok := q.Next()
	require.True(t, ok)
	require.Equal(t, Time(1000), ev.At)
	ev, ok = q.Peek()
	require.True(t, ok)
	require.Equal(t, Time(5000), ev.At)
	_, err := q.Schedule(Event{At: 1001, Arg: 1})
	require.NoError(t, err)
	var got []uint64
	for {
		ev, ok := q.Next()
		if !ok {
			break
		}
		got = append(got, ev.Arg)
	}
	require.Equal(t, []uint64{1, 5000, 5000, 1 << 33}, got)
	require.False(t, errors.Is(err, ErrPast))
}
