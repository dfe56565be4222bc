package sim

import (
	"container/heap"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
)

// The hold model (Vaucher & Duval; Jones 1986): the queue holds n pending events, and each
// operation takes the earliest and schedules a new one at now+Exp(1 s). It measures a
// pending-event set at a steady size. The exponential increments are drawn once into a
// table so that every implementation sees the same sequence and the benchmark measures
// the queue, not the random number generator.

var holdSizes = []int{1, 1_000, 100_000, 1_000_000}

const incMask = 1<<14 - 1

// expIncrements returns incMask+1 exponential spans with mean 1 s, in nanoseconds.
func expIncrements() []Time {
	src := rand.New(rand.NewPCG(1, 2))
	inc := make([]Time, incMask+1)
	for i := range inc {
		inc[i] = Time(src.ExpFloat64() * 1e9)
	}
	return inc
}

// cpuTimer measures the CPU time of the benchmark's goroutine, pinned to its OS thread.
type cpuTimer struct {
	start int64
	ok    bool
}

// startCPU pins the goroutine to its thread and starts measuring; call it right after
// b.ResetTimer. The pin is undone by stop.
func startCPU() cpuTimer {
	runtime.LockOSThread()
	t, ok := threadCPU()
	return cpuTimer{start: t, ok: ok}
}

// stop reports ops/s by wall time and, where available, cpu-ns/op by thread CPU time.
func (c cpuTimer) stop(b *testing.B) {
	t, ok := threadCPU()
	runtime.UnlockOSThread()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	if c.ok && ok {
		b.ReportMetric(float64(t-c.start)/float64(b.N), "cpu-ns/op")
	}
}

func BenchmarkHold(b *testing.B) {
	inc := expIncrements()
	for _, n := range holdSizes {
		b.Run(fmt.Sprintf("impl=queue/n=%d", n), func(b *testing.B) {
			q := NewQueue(n)
			for i := 0; i < n; i++ {
				q.Schedule(Event{At: inc[i&incMask], Obj: uint32(i)})
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu := startCPU()
			for i := 0; i < b.N; i++ {
				ev, _ := q.Next()
				ev.At += inc[i&incMask]
				q.Schedule(ev)
			}
			b.StopTimer()
			cpu.stop(b)
		})
		b.Run(fmt.Sprintf("impl=heap4/n=%d", n), func(b *testing.B) {
			q := newHeap4Queue(n)
			for i := 0; i < n; i++ {
				q.Schedule(Event{At: inc[i&incMask], Obj: uint32(i)})
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu := startCPU()
			for i := 0; i < b.N; i++ {
				ev, _ := q.Next()
				ev.At += inc[i&incMask]
				q.Schedule(ev)
			}
			b.StopTimer()
			cpu.stop(b)
		})
		b.Run(fmt.Sprintf("impl=heap4-indexed/n=%d", n), func(b *testing.B) {
			q := newIndexedQueue(n)
			for i := 0; i < n; i++ {
				q.Schedule(Event{At: inc[i&incMask], Obj: uint32(i)})
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu := startCPU()
			for i := 0; i < b.N; i++ {
				ev, _ := q.Next()
				ev.At += inc[i&incMask]
				q.Schedule(ev)
			}
			b.StopTimer()
			cpu.stop(b)
		})
		b.Run(fmt.Sprintf("impl=draft/n=%d", n), func(b *testing.B) {
			q := newDraftQueue(n)
			for i := 0; i < n; i++ {
				q.Schedule(Event{At: inc[i&incMask], Obj: uint32(i)})
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu := startCPU()
			for i := 0; i < b.N; i++ {
				ev, _ := q.Next()
				ev.At += inc[i&incMask]
				q.Schedule(ev)
			}
			b.StopTimer()
			cpu.stop(b)
		})
		b.Run(fmt.Sprintf("impl=container-heap/n=%d", n), func(b *testing.B) {
			h := make(ptrHeap, 0, n)
			var seq uint64
			for i := 0; i < n; i++ {
				seq++
				heap.Push(&h, &ptrEvent{Event: Event{At: inc[i&incMask], Obj: uint32(i)}, seq: seq})
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu := startCPU()
			for i := 0; i < b.N; i++ {
				e := heap.Pop(&h).(*ptrEvent)
				seq++
				heap.Push(&h, &ptrEvent{Event: Event{At: e.At + inc[i&incMask], Kind: e.Kind, Obj: e.Obj, Arg: e.Arg}, seq: seq})
			}
			b.StopTimer()
			cpu.stop(b)
		})
	}
}

// ptrEvent and ptrHeap are the textbook container/heap event queue that the benchmarks
// compare against: a binary heap of pointers to events, a new event allocated per
// Schedule, and an index field kept up to date for cancellation (heap.Remove).
type ptrEvent struct {
	Event
	seq   uint64
	index int
	id    Handle // for the cancel benchmark's handle table
}

type ptrHeap []*ptrEvent

func (h ptrHeap) Len() int { return len(h) }
func (h ptrHeap) Less(i, j int) bool {
	return h[i].At < h[j].At || (h[i].At == h[j].At && h[i].seq < h[j].seq)
}
func (h ptrHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *ptrHeap) Push(x any) {
	e := x.(*ptrEvent)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *ptrHeap) Pop() any {
	old := *h
	n := len(old)
	e := old[n-1]
	old[n-1] = nil
	e.index = -1
	*h = old[:n-1]
	return e
}
