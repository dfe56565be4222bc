package sim

import (
	"errors"
	"fmt"
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
// It is two structures split at a time, the horizon (design chosen by measurement; see
// docs/design/engine-queue.md):
//   - Entries before the horizon are in near, ordered by (At, seq): a short array sorted
//     in descending order, or a 4-ary heap if it grows long (queue_heap.go). The next
//     event is always near's top.
//   - Entries at or after the horizon are in a radix heap (Ahuja, Mehlhorn, Orlin &
//     Tarjan 1990) with radix-256 digits (queue_radix.go): bucket 0 holds the entries at
//     exactly last; bucket 1+256d+v those whose At first differs from last in byte d,
//     where At's byte is v. Every bucket covers a range of times, and every entry of a
//     bucket sorts before every entry of a higher one. Scheduling is an append; the
//     buckets are never searched or sorted.
//   - When near runs empty, the lowest non-empty bucket is either moved into near whole
//     (if it holds at most splitAbove entries, or cannot be split) and the horizon
//     becomes the end of its range, or split: last becomes the start of its range and
//     its entries move down to lower buckets. So an entry moves about log256 of
//     (pending/splitAbove) times between buckets, each move sequential, and is ordered
//     only among the few entries of near.
//   - Buckets are lists of 1 KiB chunks from a shared pool (see chunks.go), so memory
//     follows the number of queued entries and a steady run allocates nothing.
//   - Entries are 32 bytes: the event itself plus key = seq<<32 | slot. Each entry owns a
//     slot while queued. A slot's word in tickets holds, while it is owned, a 31-bit
//     ticket, written at Schedule and carried in the Handle, that tells a Handle for the
//     slot's current event from one for an earlier event; while it is free, the link to
//     the next free slot with the top bit set (the free list is threaded through tickets).
//     So scheduling takes a slot with one load and one store, taking an event frees it
//     with two stores, and a Handle for an event that ran or was cancelled and dropped
//     finds a link, not its ticket. Nothing else is written per event.
//   - Cancellation is lazy: Cancel sets the slot's bit in a cancelled bitset (1 bit per
//     slot, so it stays in cache); the dead entry stays queued and is dropped when it
//     comes up as the minimum or moves between structures, and only then is its bit
//     cleared and its slot freed. The bitset is read only while dead entries are queued
//     (dead > 0): a run that never cancels never touches it. When dead entries outnumber
//     live ones, everything is filtered in O(n), so memory stays within about twice the
//     live count and a Cancel costs O(1) amortised.
//
// Invariants: near is sorted by (At, seq) in descending order (at most nearSortedMax
// entries) or, if nearHeap, a 4-ary heap, and its entries are before horizon; bucket
// entries are at or after horizon, at or after last, and in the bucket bucketOf gives;
// last <= horizon; every entry's At is >= now; every entry's slot is taken (not on the
// free list), and its cancelled bit says whether it is dead; the free list, threaded
// through tickets with freeBit set, holds every other slot; live+dead equals the number
// of entries; the seqs of all entries are distinct and below nextSeq; bit b of mask is
// set iff bucket b is non-empty, and bit w of summary iff mask[w] != 0.
type Queue struct {
	near     []entry // the entries before horizon, next one last (sorted) or first (heap)
	nearHeap bool    // near is a 4-ary heap, not sorted in descending order
	horizon  uint64  // near holds At < horizon, the buckets At >= horizon

	buckets [numBuckets]chunkList          // the radix heap, relative to last
	pool    chunkPool                      // the chunks of all buckets
	mask    [(numBuckets + 63) / 64]uint64 // bit b set iff bucket b holds entries
	summary uint64                         // bit w set iff mask[w] != 0
	last    uint64                         // the time bucket indices are relative to

	cancelled []uint64 // bit s set iff slot s holds a cancelled entry still queued
	tickets   []uint32 // owned slot: its event's ticket; free slot: freeBit | link
	freeHead  uint32   // 1 + the first free slot (used last in, first out), 0 if none
	nextSeq   uint64   // seq of the next scheduled event; renumbered before it reaches 1<<32
	ticket    uint32   // counts Schedule calls; its low 31 bits are the next ticket
	live      int      // pending (not cancelled) entries
	dead      int      // cancelled entries not yet dropped
	now       Time
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

// maxSlots bounds the slot table so that 1 + a slot index fits in a free link (31 bits).
const maxSlots = 1<<31 - 1

// freeBit marks a tickets word as a free-list link (freeBit | 1 + the next free slot, or
// freeBit alone at the end). Tickets are the low 31 bits of the Schedule count, so they
// never have it; a Handle's ticket repeats for the same slot only after 2^31 Schedules.
const freeBit = 1 << 31

// compactMin is the fewest dead entries worth a compaction pass.
const compactMin = 64

// NewQueue returns an empty queue with room for capacity events.
func NewQueue(capacity int) *Queue {
	if capacity < 0 {
		capacity = 0
	}
	return &Queue{
		near:      make([]entry, 0, min(capacity, 2*nearSortedMax)),
		cancelled: make([]uint64, 0, (capacity+63)/64),
		tickets:   make([]uint32, 0, capacity),
	}
}

// Now is the time of the last event taken from the queue.
func (q *Queue) Now() Time { return q.now }

// Len is the number of pending events (cancelled ones are not counted).
func (q *Queue) Len() int { return q.live }

// Schedule adds e to the queue. Its common path (At not in the past, a free slot, no
// renumbering due) makes no call but the final push or insert, so the compiler neither
// spills registers nor builds error values on it; the rest is scheduleSlow.
func (q *Queue) Schedule(e Event) (Handle, error) {
	f := q.freeHead
	if e.At < q.now || f == 0 || q.nextSeq >= seqLimit {
		return q.scheduleSlow(e)
	}
	s := f - 1
	tk := q.tickets
	q.freeHead = tk[s] &^ freeBit
	t := q.ticket &^ freeBit
	q.ticket++
	tk[s] = t
	key := q.nextSeq<<32 | uint64(s)
	q.nextSeq++
	q.live++
	h := Handle(uint64(t)<<32 | uint64(s) + 1)
	if uint64(e.At) < q.horizon {
		q.push(entry{at: e.At, key: key, kind: e.Kind, obj: e.Obj, arg: e.Arg})
		return h, nil
	}
	// insert's common case written out: an append to the bucket's last chunk, the entry
	// written in place field by field.
	if l := &q.buckets[q.bucketOf(e.At)]; l.last != 0 && uint32(l.end) < chunkLen {
		x := &q.pool.chunks[l.last][uint32(l.end)]
		x.at, x.key, x.kind, x.obj, x.arg = e.At, key, e.Kind, e.Obj, e.Arg
		l.end++
		return h, nil
	}
	q.insert(entry{at: e.At, key: key, kind: e.Kind, obj: e.Obj, arg: e.Arg})
	return h, nil
}

// scheduleSlow is Schedule when At is in the past, no slot is free, or the seqs must be
// renumbered first. It does what Schedule does, with those cases added.
//
//go:noinline
func (q *Queue) scheduleSlow(e Event) (Handle, error) {
	if e.At < q.now {
		return 0, fmt.Errorf("%w: at %v, now %v", ErrPast, e.At, q.now)
	}
	s := q.freeHead - 1
	if q.freeHead == 0 {
		var err error
		if s, err = q.newSlot(); err != nil {
			return 0, err
		}
	} else {
		q.freeHead = q.tickets[s] &^ freeBit
	}
	t := q.ticket &^ freeBit
	q.ticket++
	q.tickets[s] = t
	if q.nextSeq >= seqLimit {
		q.renumber()
	}
	x := entry{at: e.At, key: q.nextSeq<<32 | uint64(s), kind: e.Kind, obj: e.Obj, arg: e.Arg}
	q.nextSeq++
	q.live++
	if uint64(e.At) < q.horizon {
		q.push(x)
	} else {
		q.insert(x)
	}
	return Handle(uint64(t)<<32 | uint64(s) + 1), nil
}

// newSlot adds a slot to the table, for a Schedule that finds none free.
//
//go:noinline
func (q *Queue) newSlot() (uint32, error) {
	if len(q.tickets) >= maxSlots {
		return 0, fmt.Errorf("%w: queue: more than %d pending events", ErrBadConfig, maxSlots)
	}
	s := uint32(len(q.tickets))
	q.tickets = append(q.tickets, 0)
	if int(s)/64 == len(q.cancelled) {
		q.cancelled = append(q.cancelled, 0)
	}
	return s, nil
}

// Cancel removes the event named by h if it is still pending. It is O(1) amortised: the
// entry is only marked, and dropped when it comes up (or at the next compaction).
func (q *Queue) Cancel(h Handle) bool {
	if h == 0 {
		return false
	}
	v := uint64(h) - 1
	s, t := uint32(v), uint32(v>>32)
	// A ticket with freeBit set was never issued (it would match a free link); a
	// matching ticket means the slot still holds this event, pending or cancelled.
	if t&freeBit != 0 || int(s) >= len(q.tickets) || q.tickets[s] != t || !q.isPending(s) {
		return false
	}
	q.cancelled[s/64] |= 1 << (s % 64)
	q.live--
	q.dead++
	if q.dead >= compactMin && q.dead > q.live {
		q.compact()
	}
	return true
}

// Next removes and returns the earliest event and advances Now to its time.
func (q *Queue) Next() (Event, bool) {
	if !q.front() {
		return Event{}, false
	}
	return q.pop(), true
}

// Peek returns the earliest event without removing it.
func (q *Queue) Peek() (Event, bool) {
	if !q.front() {
		return Event{}, false
	}
	return q.top().event(), true
}

// isPending reports whether the entry owning slot s is live (not cancelled).
func (q *Queue) isPending(s uint32) bool { return q.cancelled[s/64]&(1<<(s%64)) == 0 }

// front makes near's top the earliest live entry, dropping dead ones it meets and
// refilling near from the buckets, and reports whether there is one. It never moves
// Now, so anything at or after Now can still be scheduled.
func (q *Queue) front() bool {
	for {
		if len(q.near) > 0 {
			s := q.top().slot()
			if q.dead == 0 || q.isPending(s) {
				return true
			}
			q.removeNext()
			q.dropDead(s)
			continue
		}
		if !q.refill() {
			return false
		}
	}
}

func (q *Queue) dropDead(s uint32) {
	q.cancelled[s/64] &^= 1 << (s % 64)
	q.release(s)
	q.dead--
}

// pop removes near's top, which front found live, and returns its event.
func (q *Queue) pop() Event {
	var top entry
	if n := len(q.near) - 1; !q.nearHeap {
		top = q.near[n]
		q.near = q.near[:n]
	} else {
		top = q.near[0]
		q.removeTop()
	}
	q.release(top.slot())
	q.live--
	q.now = top.at
	return top.event()
}

// release frees the slot of an entry that has left the queue (taken, or dead and
// dropped): the slot's word becomes a link, so its old Handle no longer matches.
func (q *Queue) release(s uint32) {
	q.tickets[s] = freeBit | q.freeHead
	q.freeHead = s + 1
}

// compact drops every cancelled entry.
func (q *Queue) compact() {
	keep := func(e entry) bool {
		if s := e.slot(); !q.isPending(s) {
			q.cancelled[s/64] &^= 1 << (s % 64)
			q.release(s)
			return false
		}
		return true
	}
	q.near = slices.DeleteFunc(q.near, func(e entry) bool { return !keep(e) }) // keeps the sort order
	if q.nearHeap {
		q.heapify()
	}
	for i := range q.buckets {
		q.pool.filter(&q.buckets[i], keep)
		if q.buckets[i].first == 0 {
			q.clearMask(i)
		}
	}
	q.dead = 0
}

// renumber gives the pending entries the seqs 0..n-1 in their (At, seq) order, so the
// 32-bit seq field can go on counting. Relative order is kept, so no result changes, and
// every entry goes back where it was: near (a sorted array is a heap) or its bucket.
func (q *Queue) renumber() {
	q.compact()
	all := append(make([]entry, 0, q.live), q.near...)
	for i := range q.buckets {
		all = q.pool.appendTo(all, &q.buckets[i])
		q.pool.releaseFrom(q.buckets[i].first)
		q.buckets[i] = chunkList{}
	}
	q.mask, q.summary = [len(q.mask)]uint64{}, 0
	slices.SortFunc(all, func(a, b entry) int {
		if less(a, b) {
			return -1
		}
		return 1
	})
	q.near = q.near[:0]
	q.nearHeap = true // all is ascending, which is a heap
	for i, e := range all {
		e.key = uint64(i)<<32 | uint64(e.slot())
		if uint64(e.at) < q.horizon {
			q.near = append(q.near, e)
		} else {
			q.insert(e)
		}
	}
	q.nextSeq = uint64(len(all))
}
