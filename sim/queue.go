package sim

import (
	"errors"
	"fmt"
	"math/bits"
	"slices"
)

// ErrPast is returned when an event is scheduled before the queue's current time.
var ErrPast = errors.New("sim: event scheduled in the past")

// Event is one pending occurrence. It is small and holds no pointers, so the garbage
// collector never scans the queue. Kind, Obj and Arg are the handler's to interpret
// (event type, entity index, and e.g. a generation or payload).
type Event struct {
	At   Time
	Kind uint32
	Obj  uint32
	Arg  uint64
}

// Handle names a scheduled event so it can be cancelled. The zero Handle names nothing.
type Handle uint64

// Scheduler is what a Handler sees of the queue: it may schedule and cancel, nothing else.
type Scheduler interface {
	// Schedule adds e; it fails with ErrPast if e.At is before the current time.
	Schedule(e Event) (Handle, error)
	// Cancel removes a pending event; it reports false if the event already ran or was cancelled.
	Cancel(h Handle) bool
	// Now is the current simulated time.
	Now() Time
}

// Queue holds pending events and hands them out in the total order (At, seq), where seq
// is the order in which they were scheduled: events at equal times run first in, first
// out, so a run depends only on what was scheduled, never on the queue's internal shape.
// A Queue belongs to one goroutine.
//
// It is a radix heap (Ahuja, Mehlhorn, Orlin & Tarjan 1990) with radix-16 digits, which
// fits a discrete-event queue because keys are monotone: nothing may be scheduled before
// Now. Design chosen by measurement against 4-ary heaps; see docs/design/engine-queue.md.
//   - Bucket 0 holds the entries at exactly last (the time of the latest event taken);
//     bucket 1+16d+v holds those whose At first differs from last in hexadecimal digit d,
//     where At's digit is v, so every entry of a bucket sorts before every entry of a
//     higher one. Scheduling is an append; taking the minimum scans the lowest non-empty
//     bucket and moves its other entries down to lower buckets around the new last.
//     An entry moves at most 16 times and in practice about five, always through
//     sequential memory, so the cost per event grows little with the queue's size.
//   - Buckets are lists of 1 KiB chunks from a shared pool (see chunks.go), so memory
//     follows the number of queued entries and a steady run allocates nothing.
//   - Bucket 0 is kept in seq order and consumed from its head: entries moved there are
//     sorted once, and later arrivals at the same time have larger seqs.
//   - Entries are 32 bytes: the event itself plus key = seq<<32 | slot. Each entry owns a
//     slot while queued. A slot has one bit in a pending bitset (1 bit per slot, so it
//     stays in cache) and a ticket, written at Schedule and carried in the Handle, that
//     tells a Handle for the slot's current event from one for an earlier event.
//     Taking an event reads only the bitset; scheduling only writes the ticket; neither
//     reads scattered memory, which at 10^5-10^6 pending events is what costs most.
//   - Cancellation is lazy: Cancel clears the pending bit; the dead entry stays queued
//     and is dropped when it comes up as the minimum, and only then is its slot reused.
//     Moving entries never touches the slot table. When dead entries outnumber live
//     ones, every bucket is filtered in O(n), so memory stays within about twice the
//     live count and a Cancel costs O(1) amortised.
//
// Invariants: every entry's At is >= last, and last <= now; every entry's slot is taken
// (not on the free list), and its pending bit says whether it is live; live+dead equals
// the number of entries; the seqs of all entries are distinct and below nextSeq; bit b of
// mask is set iff bucket b is non-empty.
type Queue struct {
	buckets [numBuckets]chunkList          // bucket 0 is kept in seq order, the others unordered
	pool    chunkPool                      // the chunks of all buckets
	mask    [(numBuckets + 63) / 64]uint64 // bit b set iff bucket b holds entries
	last    uint64                         // the time bucket indices are relative to
	// minB, minC and minI locate the minimum of the lowest non-empty bucket when bucket 0
	// is empty; valid only while minOK. It saves a second scan when Next follows Peek.
	minB       int
	minC, minI int32
	minOK      bool
	scratch    []entry // reused to sort bucket 0

	pending []uint64 // bit s set iff slot s holds a live (scheduled, not cancelled) event
	tickets []uint32 // tickets[s] is the ticket of the event last scheduled in slot s
	free    []uint32 // free slot indices, used last in, first out
	nextSeq uint64   // seq of the next scheduled event; renumbered before it reaches 1<<32
	ticket  uint32   // ticket of the next scheduled event (counts Schedule calls)
	live    int      // pending (not cancelled) entries
	dead    int      // cancelled entries not yet dropped
	now     Time
}

// entry is one queued event. key = seq<<32 | slot, so comparing keys compares seq (seqs
// are unique, the slot bits never decide) and the slot needs no field of its own.
type entry struct {
	at        Time
	key       uint64
	kind, obj uint32
	arg       uint64
}

func (e entry) event() Event { return Event{At: e.at, Kind: e.kind, Obj: e.obj, Arg: e.arg} }

func (e entry) slot() uint32 { return uint32(e.key) }

func less(a, b entry) bool {
	return a.at < b.at || (a.at == b.at && a.key < b.key)
}

// seqLimit bounds the seq part of a key (32 bits). Reaching it renumbers the pending
// entries, which is rare: once per four billion Schedule calls.
const seqLimit = 1 << 32

// maxSlots bounds the slot table so a slot index fits in 32 bits.
const maxSlots = 1<<32 - 1

// compactMin is the fewest dead entries worth a compaction pass.
const compactMin = 64

// NewQueue returns an empty queue with room for capacity events.
func NewQueue(capacity int) *Queue {
	if capacity < 0 {
		capacity = 0
	}
	return &Queue{
		pending: make([]uint64, 0, (capacity+63)/64),
		tickets: make([]uint32, 0, capacity),
		free:    make([]uint32, 0, capacity),
	}
}

// Now is the time of the last event taken from the queue.
func (q *Queue) Now() Time { return q.now }

// Len is the number of pending events (cancelled ones are not counted).
func (q *Queue) Len() int { return q.live }

// Schedule adds e to the queue.
func (q *Queue) Schedule(e Event) (Handle, error) {
	if e.At < q.now {
		return 0, fmt.Errorf("%w: at %v, now %v", ErrPast, e.At, q.now)
	}
	var s uint32
	if n := len(q.free); n > 0 {
		s = q.free[n-1]
		q.free = q.free[:n-1]
	} else {
		if len(q.tickets) >= maxSlots {
			return 0, fmt.Errorf("%w: queue: more than %d pending events", ErrBadConfig, maxSlots)
		}
		s = uint32(len(q.tickets))
		q.tickets = append(q.tickets, 0)
		if int(s)/64 == len(q.pending) {
			q.pending = append(q.pending, 0)
		}
	}
	t := q.ticket
	q.ticket++
	q.tickets[s] = t
	q.pending[s/64] |= 1 << (s % 64)
	if q.nextSeq >= seqLimit {
		q.renumber()
	}
	q.insert(entry{at: e.At, key: q.nextSeq<<32 | uint64(s), kind: e.Kind, obj: e.Obj, arg: e.Arg})
	q.nextSeq++
	q.live++
	q.minOK = false
	return Handle(uint64(t)<<32 | uint64(s) + 1), nil
}

// Cancel removes the event named by h if it is still pending. It is O(1) amortised: the
// entry is only marked, and dropped when it comes up (or at the next compaction).
func (q *Queue) Cancel(h Handle) bool {
	if h == 0 {
		return false
	}
	v := uint64(h) - 1
	s, t := uint32(v), uint32(v>>32)
	if int(s) >= len(q.tickets) || q.tickets[s] != t || !q.isPending(s) {
		return false
	}
	q.pending[s/64] &^= 1 << (s % 64)
	q.live--
	q.dead++
	q.minOK = false
	if q.dead >= compactMin && q.dead > q.live {
		q.compact()
	}
	return true
}

// Next removes and returns the earliest event and advances Now to its time.
func (q *Queue) Next() (Event, bool) {
	if _, ok := q.front(); !ok {
		return Event{}, false
	}
	return q.pop(), true
}

// Peek returns the earliest event without removing it.
func (q *Queue) Peek() (Event, bool) {
	top, ok := q.front()
	if !ok {
		return Event{}, false
	}
	return top.event(), true
}

func (q *Queue) isPending(s uint32) bool { return q.pending[s/64]&(1<<(s%64)) != 0 }

// Buckets are numbered by radix-16 digits, which moves each entry about a quarter as
// often as radix 2 would: bucket 0 holds At == last; otherwise, with d the highest
// hexadecimal digit in which At differs from last and v the value of At's digit d,
// bucket 1+16d+v. v is above last's digit d, so bucket order is At order.
const (
	digitBits  = 4
	numBuckets = 1 + 16<<digitBits
)

func (q *Queue) bucketOf(at Time) int {
	x := uint64(at)
	diff := x ^ q.last
	if diff == 0 {
		return 0
	}
	d := (bits.Len64(diff) - 1) / digitBits * digitBits
	return 1 + d<<digitBits/digitBits + int(x>>d&(1<<digitBits-1))
}

// insert files x in its bucket; x.at must be >= last.
func (q *Queue) insert(x entry) {
	b := q.bucketOf(x.at)
	q.pool.push(&q.buckets[b], x)
	q.mask[b/64] |= 1 << (b % 64)
}

func (q *Queue) clearMask(b int) { q.mask[b/64] &^= 1 << (b % 64) }

// lowest returns the first non-empty bucket, or -1.
func (q *Queue) lowest() int {
	for w, m := range q.mask {
		if m != 0 {
			return w*64 + bits.TrailingZeros64(m)
		}
	}
	return -1
}

// front returns the earliest live entry, dropping dead ones it meets, without changing
// last (so anything at or after Now can still be scheduled). When the minimum is not in
// bucket 0 it records where it is for pop.
func (q *Queue) front() (entry, bool) {
	for {
		if b0 := &q.buckets[0]; b0.n > 0 {
			e := q.pool.head(b0)
			if q.isPending(e.slot()) {
				return e, true
			}
			q.popHead0()
			q.dropDead(e.slot())
			continue
		}
		i := q.lowest()
		if i < 0 {
			return entry{}, false
		}
		b := &q.buckets[i]
		if !q.minOK || q.minB != i {
			q.minC, q.minI = q.pool.minimum(b)
			q.minB, q.minOK = i, true
		}
		e := q.pool.chunks[q.minC][q.minI]
		if q.isPending(e.slot()) {
			return e, true
		}
		q.pool.removeAt(b, q.minC, q.minI)
		if b.n == 0 {
			q.clearMask(i)
		}
		q.minOK = false
		q.dropDead(e.slot())
	}
}

// popHead0 consumes the head of bucket 0.
func (q *Queue) popHead0() {
	q.pool.popHead(&q.buckets[0])
	if q.buckets[0].n == 0 {
		q.clearMask(0)
	}
}

func (q *Queue) dropDead(s uint32) {
	q.release(s)
	q.dead--
}

// pop removes the entry front just returned, which is live, and returns its event.
func (q *Queue) pop() Event {
	var top entry
	if b0 := &q.buckets[0]; b0.n > 0 {
		top = q.pool.head(b0)
		q.popHead0()
	} else {
		top = q.redistribute()
	}
	s := top.slot()
	q.pending[s/64] &^= 1 << (s % 64)
	q.free = append(q.free, s)
	q.live--
	q.now = top.at
	return top.event()
}

// redistribute removes and returns the minimum found by front, makes its time the new
// last and moves the rest of its bucket down around it. Bucket 0 is empty before; after,
// it holds the entries at the minimum's time that came after it.
func (q *Queue) redistribute() entry {
	i := q.minB
	l := q.buckets[i]
	top := q.pool.chunks[q.minC][q.minI]
	q.last = uint64(top.at)
	q.buckets[i] = chunkList{}
	q.clearMask(i)
	q.minOK = false
	// Every entry goes to a bucket below i. Each chunk is released once read, so the
	// inserts below may reuse it at once, while it is still in cache. Cancelled entries
	// are dropped here rather than carried down (the pending bitset is small enough to
	// stay in cache, so the check is cheap): in timer-reset workloads most far-future
	// entries are dead by the time their bucket is split.
	p := &q.pool
	for c := l.first; c != 0; {
		lo, hi := l.bounds(c)
		for j := lo; j < hi; j++ {
			if c == q.minC && j == q.minI {
				continue
			}
			e := p.chunks[c][j]
			if s := e.slot(); !q.isPending(s) {
				q.dropDead(s)
				continue
			}
			q.insert(e)
		}
		next := p.next[c]
		p.release(c)
		c = next
	}
	if b0 := &q.buckets[0]; b0.n > 1 {
		q.scratch = p.appendTo(q.scratch[:0], b0)
		sortKeys(q.scratch)
		p.overwrite(b0, q.scratch)
	}
	return top
}

// sortKeys orders entries at one time by seq: insertion sort for the usual handful,
// the library sort for a large batch of simultaneous events.
func sortKeys(b []entry) {
	if len(b) > 16 {
		slices.SortFunc(b, func(x, y entry) int {
			if x.key < y.key {
				return -1
			}
			return 1
		})
		return
	}
	for i := 1; i < len(b); i++ {
		x := b[i]
		j := i
		for j > 0 && b[j-1].key > x.key {
			b[j] = b[j-1]
			j--
		}
		b[j] = x
	}
}

// release frees the slot of a dead entry that has left the queue.
func (q *Queue) release(s uint32) { q.free = append(q.free, s) }

// compact drops every cancelled entry. Bucket 0 keeps its order (filter is stable).
func (q *Queue) compact() {
	keep := func(e entry) bool {
		if s := e.slot(); !q.isPending(s) {
			q.release(s)
			return false
		}
		return true
	}
	for i := range q.buckets {
		q.pool.filter(&q.buckets[i], keep)
		if q.buckets[i].n == 0 {
			q.clearMask(i)
		}
	}
	q.dead = 0
	q.minOK = false
}

// renumber gives the pending entries the seqs 0..n-1 in their (At, seq) order, so the
// 32-bit seq field can go on counting. Relative order is kept, so no result changes.
func (q *Queue) renumber() {
	q.compact()
	all := make([]entry, 0, q.live)
	for i := range q.buckets {
		all = q.pool.appendTo(all, &q.buckets[i])
		q.pool.releaseFrom(q.buckets[i].first)
		q.buckets[i] = chunkList{}
	}
	q.mask = [len(q.mask)]uint64{}
	slices.SortFunc(all, func(a, b entry) int {
		if less(a, b) {
			return -1
		}
		return 1
	})
	for i, e := range all {
		e.key = uint64(i)<<32 | uint64(e.slot())
		q.insert(e)
	}
	q.nextSeq = uint64(len(all))
}
