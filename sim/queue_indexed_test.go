package sim

// indexedQueue is heap4Queue with slot-index cancellation instead of lazy cancellation,
// kept in test code to measure the one difference between them: each slot records its
// entry's heap position, every heap move writes it, and Cancel removes the entry at once
// (O(log n)). Same 16-byte entries, alignment and branch-free child selection.

import "fmt"

type indexedQueue struct {
	heap  []h4Entry
	slots []ixSlot
	free  []uint32
	seq   uint64 // no renumbering here: a benchmark never schedules 2^32 events
	now   Time
}

type ixSlot struct {
	kind, obj uint32
	arg       uint64
	pos       int32 // heap index, -1 when free
	gen       uint32
}

func newIndexedQueue(capacity int) *indexedQueue {
	return &indexedQueue{heap: h4AlignedEntries(capacity), slots: make([]ixSlot, 0, capacity)}
}

func (q *indexedQueue) Now() Time { return q.now }
func (q *indexedQueue) Len() int  { return len(q.heap) }

func (q *indexedQueue) Schedule(e Event) (Handle, error) {
	if e.At < q.now {
		return 0, fmt.Errorf("%w: at %v, now %v", ErrPast, e.At, q.now)
	}
	var s uint32
	if n := len(q.free); n > 0 {
		s = q.free[n-1]
		q.free = q.free[:n-1]
	} else {
		s = uint32(len(q.slots))
		q.slots = append(q.slots, ixSlot{})
	}
	r := &q.slots[s]
	r.kind, r.obj, r.arg = e.Kind, e.Obj, e.Arg
	if len(q.heap) == cap(q.heap) {
		q.heap = append(h4AlignedEntries(2*cap(q.heap)+64), q.heap...)
	}
	q.heap = append(q.heap, h4Entry{at: e.At, key: q.seq<<32 | uint64(s)})
	q.seq++
	q.up(len(q.heap) - 1)
	return Handle(uint64(r.gen)<<32 | uint64(s) + 1), nil
}

func (q *indexedQueue) Cancel(h Handle) bool {
	if h == 0 {
		return false
	}
	v := uint64(h) - 1
	s, gen := uint32(v), uint32(v>>32)
	if int(s) >= len(q.slots) || q.slots[s].gen != gen || q.slots[s].pos < 0 {
		return false
	}
	i := int(q.slots[s].pos)
	q.releaseSlot(s)
	last := len(q.heap) - 1
	x := q.heap[last]
	q.heap = q.heap[:last]
	if i < last {
		q.heap[i] = x
		q.slots[x.slot()].pos = int32(i)
		if !q.up(i) {
			q.down(i)
		}
	}
	return true
}

func (q *indexedQueue) releaseSlot(s uint32) {
	q.slots[s].pos = -1
	q.slots[s].gen++
	q.free = append(q.free, s)
}

func (q *indexedQueue) Peek() (Event, bool) {
	if len(q.heap) == 0 {
		return Event{}, false
	}
	top := q.heap[0]
	r := &q.slots[top.slot()]
	return Event{At: top.at, Kind: r.kind, Obj: r.obj, Arg: r.arg}, true
}

func (q *indexedQueue) Next() (Event, bool) {
	ev, ok := q.Peek()
	if !ok {
		return ev, false
	}
	s := q.heap[0].slot()
	q.releaseSlot(s)
	last := len(q.heap) - 1
	x := q.heap[last]
	q.heap = q.heap[:last]
	if last > 0 {
		q.heap[0] = x
		q.slots[x.slot()].pos = 0
		q.down(0)
	}
	q.now = ev.At
	return ev, true
}

// up moves heap[i] towards the root, writing every moved entry's position; it reports
// whether the entry moved.
func (q *indexedQueue) up(i int) bool {
	h := q.heap
	x := h[i]
	start := i
	for i > 0 {
		p := (i - 1) >> 2
		if !h4less(x, h[p]) {
			break
		}
		h[i] = h[p]
		q.slots[h[i].slot()].pos = int32(i)
		i = p
	}
	h[i] = x
	q.slots[x.slot()].pos = int32(i)
	return i != start
}

// down moves heap[i] towards the leaves, choosing among full sibling groups without a
// branch as heap4Queue does.
func (q *indexedQueue) down(i int) {
	h := q.heap
	n := len(h)
	x := h[i]
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		var m int
		if c+3 < n {
			g := h[c : c+4 : c+4]
			m0 := int(h4lt(g[1], g[0]))
			m1 := 2 + int(h4lt(g[3], g[2]))
			m = c + (m0 ^ ((m0 ^ m1) & -int(h4lt(g[m1&3], g[m0&3]))))
		} else {
			m = c
			for j := c + 1; j < n; j++ {
				if h4less(h[j], h[m]) {
					m = j
				}
			}
		}
		if !h4less(h[m], x) {
			break
		}
		h[i] = h[m]
		q.slots[h[i].slot()].pos = int32(i)
		i = m
	}
	h[i] = x
	q.slots[x.slot()].pos = int32(i)
}
