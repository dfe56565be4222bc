//go:build !race

// The race detector's instrumentation changes what escapes to the heap, so these checks
// run only in normal builds.

package sim

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDistSampleDoesNotAllocate(t *testing.T) {
	src := Seed(1).Stream("x", 0)
	for _, d := range []Dist{Const(time.Second), Exp(time.Second), LogNormalMedianP99(time.Second, 3*time.Second),
		Weibull(time.Second, 2), Pareto(time.Second, 2), Uniform(0, time.Second), Empirical([]float64{1, 2, 3})} {
		require.Zero(t, testing.AllocsPerRun(200, func() { d.Duration(src) }), "%v", d.Kind)
	}
}

// TestQueueSteadyStateDoesNotAllocate runs the hold and idle-timer patterns past their
// warm-up and requires that further operations allocate nothing: buckets, chunk pool,
// slot tables and free lists have reached their working size.
func TestQueueSteadyStateDoesNotAllocate(t *testing.T) {
	inc := expIncrements()
	q := NewQueue(0)
	timers := make([]Handle, 1000)
	for i := range timers {
		schedule(t, q, Event{At: inc[i&incMask], Obj: uint32(i)})
		timers[i] = schedule(t, q, Event{At: idleTimeout, Kind: kindIdle, Obj: uint32(i)})
	}
	i := 0
	step := func() {
		i++
		ev, _ := q.Next()
		if ev.Kind == kindIdle {
			return
		}
		q.Cancel(timers[ev.Obj])
		timers[ev.Obj], _ = q.Schedule(Event{At: ev.At + idleTimeout, Kind: kindIdle, Obj: ev.Obj})
		q.Schedule(Event{At: ev.At + inc[i&incMask]*arrivalScale, Obj: ev.Obj})
	}
	for j := 0; j < 100_000; j++ {
		step()
	}
	require.Zero(t, testing.AllocsPerRun(10_000, step))
}
