package sim

import (
	"container/heap"
	"fmt"
	"testing"
	"time"
)

// The idle-timer workload: n entities each have one pending arrival and one idle timer.
// Each arrival resets its entity's timer (cancel, then schedule at now+350 s, Lambda's
// idle-connection timeout) and schedules the entity's next arrival after Exp(100 s); so
// about 97% of timers are cancelled before they fire (P(gap > 350 s) = e^-3.5). One op
// is one event taken from the queue, an arrival (cancel + two schedules) or a timeout.

const (
	idleTimeout  = Time(350 * time.Second)
	arrivalScale = 100 // Exp(1 s) increments x 100 = Exp(100 s)
	kindArrival  = 0
	kindIdle     = 1
)

var cancelSizes = []int{1_000, 100_000}

// cancelQueue is the part of a queue the idle-timer workload uses.
type cancelQueue interface {
	Schedule(e Event) (Handle, error)
	Cancel(h Handle) bool
	Next() (Event, bool)
}

func benchIdleTimers(b *testing.B, q cancelQueue, n int) {
	inc := expIncrements()
	timers := make([]Handle, n)
	for i := 0; i < n; i++ {
		q.Schedule(Event{At: inc[i&incMask] * arrivalScale, Kind: kindArrival, Obj: uint32(i)})
		timers[i], _ = q.Schedule(Event{At: idleTimeout, Kind: kindIdle, Obj: uint32(i)})
	}
	step := func(i int) {
		ev, _ := q.Next()
		if ev.Kind == kindIdle {
			timers[ev.Obj] = 0
			return
		}
		q.Cancel(timers[ev.Obj])
		timers[ev.Obj], _ = q.Schedule(Event{At: ev.At + idleTimeout, Kind: kindIdle, Obj: ev.Obj})
		q.Schedule(Event{At: ev.At + inc[i&incMask]*arrivalScale, Kind: kindArrival, Obj: ev.Obj})
	}
	// Warm up past the first idle timeout so dead entries reach their steady number.
	for i := 0; i < 8*n; i++ {
		step(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPU()
	for i := 0; i < b.N; i++ {
		step(i)
	}
	b.StopTimer()
	cpu.stop(b)
}

func BenchmarkIdleTimers(b *testing.B) {
	for _, n := range cancelSizes {
		b.Run(fmt.Sprintf("impl=queue/n=%d", n), func(b *testing.B) { benchIdleTimers(b, NewQueue(2*n), n) })
		b.Run(fmt.Sprintf("impl=heap4/n=%d", n), func(b *testing.B) { benchIdleTimers(b, newHeap4Queue(2*n), n) })
		b.Run(fmt.Sprintf("impl=heap4-indexed/n=%d", n), func(b *testing.B) { benchIdleTimers(b, newIndexedQueue(2*n), n) })
		b.Run(fmt.Sprintf("impl=draft/n=%d", n), func(b *testing.B) { benchIdleTimers(b, newDraftQueue(2*n), n) })
		b.Run(fmt.Sprintf("impl=container-heap/n=%d", n), func(b *testing.B) { benchIdleTimers(b, newPtrQueue(2*n), n) })
	}
}

// ptrQueue wraps the container/heap baseline in the queue interface: Handles are indices
// into a table of event pointers, and Cancel is heap.Remove.
type ptrQueue struct {
	h      ptrHeap
	byID   map[Handle]*ptrEvent
	nextID Handle
	seq    uint64
}

func newPtrQueue(capacity int) *ptrQueue {
	return &ptrQueue{h: make(ptrHeap, 0, capacity), byID: make(map[Handle]*ptrEvent, capacity)}
}

func (q *ptrQueue) Schedule(e Event) (Handle, error) {
	q.seq++
	q.nextID++
	p := &ptrEvent{Event: e, seq: q.seq, id: q.nextID}
	heap.Push(&q.h, p)
	q.byID[q.nextID] = p
	return q.nextID, nil
}

func (q *ptrQueue) Cancel(h Handle) bool {
	p, ok := q.byID[h]
	if !ok {
		return false
	}
	delete(q.byID, h)
	heap.Remove(&q.h, p.index)
	return true
}

func (q *ptrQueue) Next() (Event, bool) {
	if len(q.h) == 0 {
		return Event{}, false
	}
	p := heap.Pop(&q.h).(*ptrEvent)
	delete(q.byID, p.id)
	return p.Event, true
}
