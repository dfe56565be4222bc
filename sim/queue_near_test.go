package sim

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// drain takes every event and returns their Args in the order they came out.
func drain(t *testing.T, q *Queue) []uint64 {
	t.Helper()
	var got []uint64
	for {
		ev, ok := q.Next()
		if !ok {
			return got
		}
		got = append(got, ev.Arg)
		require.NoError(t, q.checkInvariants())
	}
}

// TestQueueTiesAcrossRefill pins first-in-first-out order among events at one time when
// some were filed in a radix bucket and moved into the near heap by a refill, and others
// were scheduled into the near heap directly afterwards (their time is then before the
// horizon), or into a bucket while the time was still at or after it.
func TestQueueTiesAcrossRefill(t *testing.T) {
	for _, bucketed := range []int{1, splitAbove, 5 * splitAbove} {
		t.Run(fmt.Sprintf("bucketed=%d", bucketed), func(t *testing.T) {
			q := NewQueue(0)
			const tie = Time(1 << 30)
			var want []uint64
			arg := uint64(0)
			sched := func(at Time) {
				arg++
				_, err := q.Schedule(Event{At: at, Arg: arg})
				require.NoError(t, err)
				if at == tie {
					want = append(want, arg)
				}
			}
			sched(1) // the first event: taking it refills near from the buckets
			for i := 0; i < bucketed; i++ {
				sched(tie)
				sched(tie + Time(i)*1000 + 1) // spread the bucket so it must be split
			}
			ev, ok := q.Next()
			require.True(t, ok)
			require.Equal(t, Time(1), ev.At)
			ev, ok = q.Peek() // refills: the tie is now in near
			require.True(t, ok)
			require.Equal(t, tie, ev.At)
			require.Less(t, uint64(tie), q.horizon, "the tied events were not moved into near")
			for i := 0; i < 3; i++ {
				sched(tie) // before the horizon: straight into near, after the earlier ones
			}
			var got []uint64
			for _, a := range drain(t, q) {
				if a <= arg && contains(want, a) {
					got = append(got, a)
				}
			}
			require.Equal(t, want, got)
		})
	}
}

func contains(s []uint64, x uint64) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// TestQueueSplitKeepsOtherBuckets schedules a large spread-out bucket (split several
// times before it reaches near) next to later buckets and events scheduled between
// refills, at and after the horizon, and requires the exact (At, seq) order throughout.
func TestQueueSplitKeepsOtherBuckets(t *testing.T) {
	q := NewQueue(0)
	var o oracle
	id := 0
	sched := func(at Time) {
		ev := Event{At: at, Arg: uint64(id)}
		_, err := q.Schedule(ev)
		require.NoError(t, err)
		o.schedule(ev, id)
		id++
	}
	for i := 0; i < 20*splitAbove; i++ {
		sched(Time(1<<20 + (i*7919)%(1<<16)))
		sched(Time(1<<32 + i%5))
	}
	for step := 0; len(o.pending) > 0; step++ {
		ev, ok := q.Next()
		require.True(t, ok)
		require.Equal(t, o.pending[0].ev, ev, "step %d", step)
		o.remove(o.pending[0].id)
		o.now = ev.At
		if step%4 == 0 && step < 30*splitAbove {
			sched(ev.At) // a tie with what is running
			if h := Time(q.horizon); h > ev.At {
				sched(h - 1) // just before the horizon: into near
				sched(h)     // exactly at it: into a bucket
			}
		}
		if step%64 == 0 {
			require.NoError(t, q.checkInvariants())
		}
	}
	_, ok := q.Next()
	require.False(t, ok)
}

// TestQueueNearOverflowsIntoHeap schedules many events before a distant horizon, so near
// outgrows its sorted array and turns into a heap, with ties, cancellations and pops in
// between, and requires the oracle's order.
func TestQueueNearOverflowsIntoHeap(t *testing.T) {
	q := NewQueue(0)
	var o oracle
	var handles []Handle
	sched := func(at Time) {
		ev := Event{At: at, Arg: uint64(len(handles))}
		h, err := q.Schedule(ev)
		require.NoError(t, err)
		o.schedule(ev, len(handles))
		handles = append(handles, h)
	}
	next := func() {
		ev, ok := q.Next()
		require.True(t, ok)
		require.Equal(t, o.pending[0].ev, ev)
		o.remove(o.pending[0].id)
		o.now = ev.At
	}
	sched(1)
	sched(1 << 40)
	next()
	_, ok := q.Peek() // refills near with the far event: the horizon is now past it
	require.True(t, ok)
	require.Greater(t, q.horizon, uint64(1<<40))
	sawHeap := false
	for i := 0; i < 40*nearSortedMax; i++ {
		sched(o.now + Time((i*7919)%(1<<12)))
		if i%5 == 0 {
			sched(o.now) // a tie with the current time
		}
		if i%7 == 0 {
			id := (i * 31) % len(handles)
			require.Equal(t, o.remove(id), q.Cancel(handles[id]))
		}
		if i%3 == 0 {
			next()
		}
		sawHeap = sawHeap || q.nearHeap
		if i%50 == 0 {
			require.NoError(t, q.checkInvariants())
		}
	}
	require.True(t, sawHeap, "near never turned into a heap")
	for len(o.pending) > 0 {
		next()
	}
	_, ok = q.Next()
	require.False(t, ok)
}
