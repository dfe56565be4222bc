package sim

// heap4Queue is the 4-ary-heap design that Queue was measured against (see
// docs/design/engine-queue.md), kept in test code as a benchmark baseline: 16-byte entries
// {At, seq<<32|slot} in a cache-line-aligned 4-ary heap, branch-free child selection,
// payload in a slot table, lazy (generation) cancellation.

import (
	"fmt"
	"math/bits"
	"slices"
	"unsafe"
)

// heap4Queue hands out events in the same total order (At, seq) as Queue.
//
// Layout (the best heap found; Queue's radix heap beat it at 10^5 and 10^6 pending events,
// see docs/design/engine-queue.md):
//   - The heap is 4-ary and holds 16-byte entries {At, seq<<32|slot}: one comparison key
//     and nothing else, so the four children of a node fill exactly one 64-byte cache line,
//     and the backing array is offset so that every group of siblings is line-aligned.
//   - Kind, Obj and Arg live in a slot table indexed by the entry's slot. A slot is taken
//     at Schedule and given back when its h4Entry leaves the heap; the free list is LIFO, so
//     the slot an event just vacated is the next one written (it is still in cache).
//   - Cancellation is lazy: Cancel only marks the slot (and bumps its generation so the
//     Handle stops working); the dead entry stays in the heap and is dropped when it
//     reaches the top. Heap moves therefore never touch the slot table. When dead entries
//     outnumber live ones the heap is compacted in O(n), so memory stays within twice the
//     live count and the cost per Cancel stays O(1) amortised.
//
// Invariants: every heap entry's slot is pending or cancelled (never free); live+dead ==
// len(heap); the seq parts of all entries are distinct and below nextSeq.
type heap4Queue struct {
	heap    []h4Entry // the heap proper; heap[1:] starts on a cache-line boundary
	slots   []h4Slot
	free    []uint32 // free slot indices, used last in, first out
	nextSeq uint64   // seq of the next scheduled event; renumbered before it reaches 1<<32
	live    int      // pending (not cancelled) entries in heap
	dead    int      // cancelled entries still in heap
	now     Time
}

// h4Entry is one heap element. key = seq<<32 | slot, so comparing keys compares seq (seqs
// are unique, the slot bits never decide) and the slot needs no field of its own.
type h4Entry struct {
	at  Time
	key uint64
}

func (e h4Entry) slot() uint32 { return uint32(e.key) }

// h4Slot holds the payload of a scheduled event and the state of its Handle.
type h4Slot struct {
	kind, obj uint32
	arg       uint64
	gen       uint32 // bumped whenever the slot stops being pending, so old Handles fail
	state     h4State
}

type h4State uint32

const (
	h4Free h4State = iota
	h4Pending
	h4Cancelled // its h4Entry is still in the heap
)

// h4SeqLimit bounds the seq part of a key (32 bits). Reaching it renumbers the pending
// entries, which is rare: once per four billion Schedule calls.
const h4SeqLimit = 1 << 32

// h4MaxSlots bounds the slot table so a slot index fits in 32 bits.
const h4MaxSlots = 1<<32 - 1

// h4CompactMin is the fewest dead entries worth a compaction pass.
const h4CompactMin = 64

// newHeap4Queue returns an empty queue with room for capacity events.
func newHeap4Queue(capacity int) *heap4Queue {
	if capacity < 0 {
		capacity = 0
	}
	return &heap4Queue{
		heap:  h4AlignedEntries(capacity),
		slots: make([]h4Slot, 0, capacity),
		free:  make([]uint32, 0, capacity),
	}
}

// h4AlignedEntries returns an empty slice with room for n entries whose element 1 starts
// on a 64-byte boundary: in a 4-ary heap rooted at 0 the children of i are 4i+1..4i+4,
// so every sibling group then occupies one cache line. Alignment only affects speed; if
// the allocation is not 16-byte aligned the slice is used unshifted.
func h4AlignedEntries(n int) []h4Entry {
	const line = 64
	const size = int(unsafe.Sizeof(h4Entry{}))
	buf := make([]h4Entry, n+line/size)
	off := 0
	for o := 0; o < line/size; o++ {
		if (uintptr(unsafe.Pointer(&buf[o]))+uintptr(size))%line == 0 {
			off = o
			break
		}
	}
	return buf[off:off]
}

// Now is the time of the last event taken from the queue.
func (q *heap4Queue) Now() Time { return q.now }

// Len is the number of pending events (cancelled ones are not counted).
func (q *heap4Queue) Len() int { return q.live }

// Schedule adds e to the queue.
func (q *heap4Queue) Schedule(e Event) (Handle, error) {
	if e.At < q.now {
		return 0, fmt.Errorf("%w: at %v, now %v", ErrPast, e.At, q.now)
	}
	var s uint32
	if n := len(q.free); n > 0 {
		s = q.free[n-1]
		q.free = q.free[:n-1]
	} else {
		if len(q.slots) >= h4MaxSlots {
			return 0, fmt.Errorf("%w: queue: more than %d pending events", ErrBadConfig, h4MaxSlots)
		}
		s = uint32(len(q.slots))
		q.slots = append(q.slots, h4Slot{})
	}
	r := &q.slots[s]
	r.kind, r.obj, r.arg, r.state = e.Kind, e.Obj, e.Arg, h4Pending
	if q.nextSeq >= h4SeqLimit {
		q.renumber()
	}
	q.push(h4Entry{at: e.At, key: q.nextSeq<<32 | uint64(s)})
	q.nextSeq++
	q.live++
	return Handle(uint64(r.gen)<<32 | uint64(s) + 1), nil
}

// Cancel removes the event named by h if it is still pending. It is O(1): the heap entry
// is only marked, and dropped when it surfaces (or at the next compaction).
func (q *heap4Queue) Cancel(h Handle) bool {
	if h == 0 {
		return false
	}
	v := uint64(h) - 1
	s, gen := uint32(v), uint32(v>>32)
	if int(s) >= len(q.slots) {
		return false
	}
	r := &q.slots[s]
	if r.gen != gen || r.state != h4Pending {
		return false
	}
	r.state = h4Cancelled
	r.gen++
	q.live--
	q.dead++
	if q.dead >= h4CompactMin && q.dead > q.live {
		q.compact()
	}
	return true
}

// Next removes and returns the earliest event and advances Now to its time.
func (q *heap4Queue) Next() (Event, bool) {
	if !q.skipDead() {
		return Event{}, false
	}
	return q.pop(), true
}

// Peek returns the earliest event without removing it.
func (q *heap4Queue) Peek() (Event, bool) {
	if !q.skipDead() {
		return Event{}, false
	}
	top := q.heap[0]
	r := &q.slots[top.slot()]
	return Event{At: top.at, Kind: r.kind, Obj: r.obj, Arg: r.arg}, true
}

// skipDead drops cancelled entries from the top and reports whether a live one remains.
func (q *heap4Queue) skipDead() bool {
	for len(q.heap) > 0 {
		s := q.heap[0].slot()
		if q.slots[s].state == h4Pending {
			return true
		}
		q.removeTop()
		q.release(s)
		q.dead--
	}
	return false
}

// pop removes the top h4Entry, which must be live, and returns its event.
func (q *heap4Queue) pop() Event {
	top := q.heap[0]
	q.removeTop()
	s := top.slot()
	r := &q.slots[s]
	ev := Event{At: top.at, Kind: r.kind, Obj: r.obj, Arg: r.arg}
	r.gen++
	q.release(s)
	q.live--
	q.now = top.at
	return ev
}

func (q *heap4Queue) release(s uint32) {
	q.slots[s].state = h4Free
	q.free = append(q.free, s)
}

// lt is 1 if a sorts before b and 0 otherwise, computed without a branch as the borrow
// of the 128-bit subtraction (at, key) - (at, key). Times are never negative (Schedule
// refuses times before now, and now starts at 0), so at compares correctly as unsigned.
func h4lt(a, b h4Entry) uint64 {
	_, borrow := bits.Sub64(a.key, b.key, 0)
	_, borrow = bits.Sub64(uint64(a.at), uint64(b.at), borrow)
	return borrow
}

func h4less(a, b h4Entry) bool {
	return a.at < b.at || (a.at == b.at && a.key < b.key)
}

// push appends x and sifts it up.
func (q *heap4Queue) push(x h4Entry) {
	if len(q.heap) == cap(q.heap) {
		grown := h4AlignedEntries(2*cap(q.heap) + 64)
		q.heap = append(grown, q.heap...)
	}
	h := append(q.heap, x)
	q.heap = h
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) >> 2
		if !h4less(x, h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = x
}

// removeTop deletes heap[0]. It walks the hole at the root down to a leaf along the
// smallest children (three comparisons per level, none against the moved element), then
// sifts the former last element up from there: that element is usually large, so it
// rarely climbs, which saves a comparison per level over the textbook sift-down.
func (q *heap4Queue) removeTop() {
	h := q.heap
	n := len(h) - 1
	x := h[n]
	h = h[:n]
	q.heap = h
	if n == 0 {
		return
	}
	i := 0
	for {
		c := 4*i + 1
		if c+3 < n {
			// A branch-free tournament: on random keys each comparison is a coin toss,
			// and mispredicted branches cost more than the comparisons themselves.
			g := h[c : c+4 : c+4]
			m0 := int(h4lt(g[1], g[0]))
			m1 := 2 + int(h4lt(g[3], g[2]))
			m := m0 ^ ((m0 ^ m1) & -int(h4lt(g[m1&3], g[m0&3])))
			h[i] = g[m&3]
			i = c + m
			continue
		}
		if c >= n {
			break
		}
		m := c
		for j := c + 1; j < n; j++ {
			if h4less(h[j], h[m]) {
				m = j
			}
		}
		h[i] = h[m]
		i = m
		break
	}
	for i > 0 {
		p := (i - 1) >> 2
		if !h4less(x, h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = x
}

// siftDown moves h[i] down to its place (used when rebuilding the heap).
func h4SiftDown(h []h4Entry, i int) {
	n := len(h)
	x := h[i]
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		end := min(c+4, n)
		for j := c + 1; j < end; j++ {
			if h4less(h[j], h[m]) {
				m = j
			}
		}
		if !h4less(h[m], x) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = x
}

// compact drops every cancelled h4Entry and rebuilds the heap bottom-up in O(n). Order is
// unaffected: it depends only on the (At, seq) keys, not on where entries sit.
func (q *heap4Queue) compact() {
	h := q.heap
	k := 0
	for _, e := range h {
		s := e.slot()
		if q.slots[s].state == h4Cancelled {
			q.release(s)
			continue
		}
		h[k] = e
		k++
	}
	h = h[:k]
	q.heap = h
	q.dead = 0
	for i := (k - 2) / 4; i >= 0; i-- {
		h4SiftDown(h, i)
	}
}

// renumber gives the pending entries the seqs 0..n-1 in their (At, seq) order, so the
// 32-bit seq field can go on counting. Relative order is kept, so no result changes; a
// sorted array is a valid heap, so no rebuild is needed.
func (q *heap4Queue) renumber() {
	q.compact()
	h := q.heap
	slices.SortFunc(h, func(a, b h4Entry) int {
		if h4less(a, b) {
			return -1
		}
		return 1
	})
	for i := range h {
		h[i].key = uint64(i)<<32 | uint64(h[i].slot())
	}
	q.nextSeq = uint64(len(h))
}
