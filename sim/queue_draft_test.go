package sim

// The first draft of Queue (commit 073b8b4), kept verbatim in test code so that the
// benchmarks can show what the current layout gained over it: 40-byte heap entries
// holding the whole Event, and slot-index cancellation (every heap move writes the
// moved entry's position into the slot table).

import "fmt"

// draftEntry is an event in the heap with its tie-breaking sequence number and its slot.
type draftEntry struct {
	Event
	seq  uint64
	slot uint32 // index into Queue.slots
}

// draftQueue is the first draft of Queue, kept only as a benchmark baseline: a 4-ary
// min-heap of events ordered by (At, seq). It belongs to one goroutine.
// Cancellation uses a slot table: each scheduled event owns a slot holding its heap
// position and a generation; a Handle is (slot, generation).
type draftQueue struct {
	heap  []draftEntry
	slots []draftSlot
	free  []uint32
	seq   uint64
	now   Time
}

type draftSlot struct {
	pos int32  // index in heap, -1 when free
	gen uint32 // bumped on every reuse so stale handles fail
}

// newDraftQueue returns an empty queue with room for capacity events.
func newDraftQueue(capacity int) *draftQueue {
	if capacity < 0 {
		capacity = 0
	}
	return &draftQueue{heap: make([]draftEntry, 0, capacity), slots: make([]draftSlot, 0, capacity)}
}

// Now is the time of the last event taken from the queue.
func (q *draftQueue) Now() Time { return q.now }

// Len is the number of pending events.
func (q *draftQueue) Len() int { return len(q.heap) }

// Schedule adds e to the queue.
func (q *draftQueue) Schedule(e Event) (Handle, error) {
	if e.At < q.now {
		return 0, fmt.Errorf("%w: at %v, now %v", ErrPast, e.At, q.now)
	}
	var s uint32
	if n := len(q.free); n > 0 {
		s = q.free[n-1]
		q.free = q.free[:n-1]
	} else {
		s = uint32(len(q.slots))
		q.slots = append(q.slots, draftSlot{})
	}
	q.seq++
	i := len(q.heap)
	q.heap = append(q.heap, draftEntry{Event: e, seq: q.seq, slot: s})
	q.slots[s].pos = int32(i)
	q.up(i)
	return Handle(uint64(q.slots[s].gen)<<32 | uint64(s) + 1), nil
}

// Cancel removes the event named by h if it is still pending.
func (q *draftQueue) Cancel(h Handle) bool {
	if h == 0 {
		return false
	}
	v := uint64(h) - 1
	s, gen := uint32(v), uint32(v>>32)
	if int(s) >= len(q.slots) || q.slots[s].gen != gen || q.slots[s].pos < 0 {
		return false
	}
	i := int(q.slots[s].pos)
	q.release(s)
	last := len(q.heap) - 1
	if i != last {
		q.heap[i] = q.heap[last]
		q.slots[q.heap[i].slot].pos = int32(i)
	}
	q.heap = q.heap[:last]
	if i < last {
		if !q.up(i) {
			q.down(i)
		}
	}
	return true
}

// Next removes and returns the earliest event and advances Now to its time.
func (q *draftQueue) Next() (Event, bool) {
	n := len(q.heap)
	if n == 0 {
		return Event{}, false
	}
	top := q.heap[0]
	q.release(top.slot)
	last := n - 1
	if last > 0 {
		q.heap[0] = q.heap[last]
		q.slots[q.heap[0].slot].pos = 0
	}
	q.heap = q.heap[:last]
	if last > 1 {
		q.down(0)
	}
	q.now = top.At
	return top.Event, true
}

// Peek returns the earliest event without removing it.
func (q *draftQueue) Peek() (Event, bool) {
	if len(q.heap) == 0 {
		return Event{}, false
	}
	return q.heap[0].Event, true
}

func (q *draftQueue) release(s uint32) {
	q.slots[s].pos = -1
	q.slots[s].gen++
	q.free = append(q.free, s)
}

func draftLess(a, b *draftEntry) bool {
	return a.At < b.At || (a.At == b.At && a.seq < b.seq)
}

// up moves heap[i] towards the root; it reports whether it moved.
func (q *draftQueue) up(i int) bool {
	h := q.heap
	x := h[i]
	moved := false
	for i > 0 {
		p := (i - 1) / 4
		if !draftLess(&x, &h[p]) {
			break
		}
		h[i] = h[p]
		q.slots[h[i].slot].pos = int32(i)
		i = p
		moved = true
	}
	h[i] = x
	q.slots[x.slot].pos = int32(i)
	return moved
}

func (q *draftQueue) down(i int) {
	h := q.heap
	n := len(h)
	x := h[i]
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		end := c + 4
		if end > n {
			end = n
		}
		for j := c + 1; j < end; j++ {
			if draftLess(&h[j], &h[m]) {
				m = j
			}
		}
		if !draftLess(&h[m], &x) {
			break
		}
		h[i] = h[m]
		q.slots[h[i].slot].pos = int32(i)
		i = m
	}
	h[i] = x
	q.slots[x.slot].pos = int32(i)
}
