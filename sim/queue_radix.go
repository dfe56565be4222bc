package sim

import (
	"math/bits"
	"slices"
)

// The Queue's radix heap: the entries at or after the horizon, in buckets by their
// base-256 digits relative to last, and how near is refilled from it.

// Buckets are numbered by radix-256 digits (bytes): bucket 0 holds At == last; otherwise,
// with d the highest byte in which At differs from last and v the value of At's byte d,
// bucket 1+256d+v. v is above last's byte d, so bucket order is At order. Radix 256
// rather than 16: on the Azure day it moves entries between buckets less often (a split
// divides a bucket 256 ways), 1,009 against 1,107 queue instructions per invocation;
// the 2,049 buckets are found through a two-level bitmap (mask and summary).
const (
	digitBits  = 8
	numBuckets = 1 + (64/digitBits)<<digitBits
)

// A bucket is moved into near whole if it fits in one chunk (chunkLen = 32 entries);
// a larger one is split first. That trades near's size (a sorted array, see
// queue_heap.go) against the number of times an entry moves between buckets. On the Azure
// day thresholds of 32 and 128 were within 3 % of each other with radix 16, and 16, 32 and
// 64 equal with radix 256, where buckets that large hardly occur (engine-queue.md). Tying
// it to the chunk length lets the test be first != last, with no count kept per bucket.
const splitAbove = chunkLen

func (q *Queue) bucketOf(at Time) int {
	x := uint64(at)
	diff := x ^ q.last
	if diff == 0 {
		return 0
	}
	d := (bits.Len64(diff) - 1) / digitBits * digitBits
	return 1 + d<<digitBits/digitBits + int(x>>d&(1<<digitBits-1))
}

// bucketRange is the range of times [lo, hi) that bucket b covers relative to last. At is
// never negative, so the top digit of any time is below 8 and hi cannot overflow.
func (q *Queue) bucketRange(b int) (lo, hi uint64) {
	if b == 0 {
		return q.last, q.last + 1
	}
	shift := uint((b - 1) >> digitBits * digitBits)
	v := uint64((b - 1) & (1<<digitBits - 1))
	above := q.last >> (shift + digitBits) << (shift + digitBits) // 0 when shift+digitBits == 64
	lo = above | v<<shift
	return lo, lo + 1<<shift
}

// bucketEnd is bucketRange's hi alone, for the common refill. With shift+digitBits = 64
// the mask's shift yields 0 (Go defines shifts past the width), so above is 0 as in
// bucketRange.
func (q *Queue) bucketEnd(b int) uint64 {
	if b == 0 {
		return q.last + 1
	}
	shift := uint((b - 1) >> digitBits * digitBits)
	v := uint64((b - 1) & (1<<digitBits - 1))
	lo := q.last&^(1<<(shift+digitBits)-1) | v<<shift
	return lo + 1<<shift
}

// insert files x in its bucket; x.at must be >= last. A bucket becomes non-empty only
// through the extend branch (an empty list has no last chunk), so that is the only place
// the bitmaps are written: the common append is a store and an increment.
func (q *Queue) insert(x entry) {
	b := q.bucketOf(x.at)
	l := &q.buckets[b]
	if l.end == chunkLen || l.last == 0 {
		if l.last == 0 {
			q.mask[b/64] |= 1 << (b % 64)
			q.summary |= 1 << (b / 64)
		}
		q.pool.extend(l)
	}
	q.pool.chunks[l.last][l.end&(chunkLen-1)] = x // chunkPool.push, written out: this is the hot path
	l.end++
}

func (q *Queue) clearMask(b int) {
	w := b / 64
	q.mask[w] &^= 1 << (b % 64)
	if q.mask[w] == 0 {
		q.summary &^= 1 << w
	}
}

// lowest returns the first non-empty bucket, or -1. With 2049 buckets the mask has 33
// words; summary finds the first non-zero one without a scan.
func (q *Queue) lowest() int {
	if q.summary == 0 {
		return -1
	}
	w := bits.TrailingZeros64(q.summary)
	return w*64 + bits.TrailingZeros64(q.mask[w])
}

// refill moves the earliest entries of the radix heap into the empty near heap and
// reports whether any live one arrived (false: the queue is empty).
//
// The lowest non-empty bucket holds the earliest entries. If it holds at most
// splitAbove entries, or covers a single time (bucket 0 and the 256 buckets of the lowest
// byte), all of it moves into near, and the horizon becomes the end of its range: every
// other bucket starts at or after that end. Otherwise it is split: last becomes the
// start of its range, which leaves every other bucket where it is (they differ from the
// new last in the same digit as from the old one) and sends this bucket's entries to
// lower buckets. The horizon is raised to at least that start, so that Schedule, which
// files At >= horizon in the buckets, never files a time before last.
func (q *Queue) refill() bool {
	p := &q.pool
	for {
		b := q.lowest()
		if b < 0 {
			return false
		}
		l := q.buckets[b]
		q.buckets[b] = chunkList{}
		q.clearMask(b)
		if l.first == l.last && q.dead == 0 {
			// The common case, written out: one chunk (never split), nothing cancelled,
			// so every entry goes into near (empty, with room for a chunk) by insertion
			// sort, and only the end of the bucket's range is needed.
			q.near = sortInto(slices.Grow(q.near[:0], chunkLen), p.chunks[l.first][:l.end])
			q.nearHeap = false
			p.release(l.first)
			q.horizon = q.bucketEnd(b)
			return true
		}
		lo, hi := q.bucketRange(b)
		split := b > 1<<digitBits && l.first != l.last // more than splitAbove entries
		if split {
			q.last = lo
			q.horizon = max(q.horizon, lo)
		}
		// Each chunk is released once read, so the inserts may reuse it at once, while
		// it is still in cache. Cancelled entries are dropped rather than carried on.
		for c := l.first; c != 0; {
			// Entries are read through a pointer: ranging by value copied each one
			// through the stack. src stays valid if an insert grows the pool.
			src := p.chunks[c][:l.used(c)]
			for i := range src {
				e := &src[i]
				if s := e.slot(); q.dead != 0 && !q.isPending(s) {
					q.dropDead(s)
					continue
				}
				if split {
					// insert's common case written out, as in Schedule.
					t := &q.buckets[q.bucketOf(e.at)]
					if t.last != 0 && uint32(t.end) < chunkLen {
						p.chunks[t.last][uint32(t.end)] = *e
						t.end++
					} else {
						q.insert(*e)
					}
				} else {
					q.near = append(q.near, *e)
				}
			}
			next := p.next[c]
			p.release(c)
			c = next
		}
		if !split {
			q.horizon = hi
			if len(q.near) > 0 {
				q.orderNear()
				return true
			}
		}
	}
}

// sortInto copies src into dst (empty) in descending (At, seq) order, near's sorted-array
// order, by insertion sort straight from src: src is at most a chunk, and usually a
// handful of entries.
func sortInto(dst, src []entry) []entry {
	h := dst[:len(src)]
	for i := range src {
		// (at, key) compared as locals: less on entry values made the compiler copy
		// the 32-byte entries through the stack. Keys are unique, so !less(y, x) is
		// y > x.
		xa, xk := src[i].at, src[i].key
		j := i
		for ; j > 0; j-- {
			y := &h[j-1]
			if y.at > xa || y.at == xa && y.key > xk {
				break
			}
			h[j] = *y
		}
		h[j] = src[i]
	}
	return h
}
