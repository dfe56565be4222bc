package sim

import "math/bits"

// The Queue's radix heap: the entries at or after the horizon, in buckets by their
// hexadecimal digits relative to last, and how near is refilled from it.

// Buckets are numbered by radix-16 digits, which moves each entry about a quarter as
// often as radix 2 would: bucket 0 holds At == last; otherwise, with d the highest
// hexadecimal digit in which At differs from last and v the value of At's digit d,
// bucket 1+16d+v. v is above last's digit d, so bucket order is At order.
const (
	digitBits  = 4
	numBuckets = 1 + 16<<digitBits
)

// splitAbove is the most entries a bucket may hold to be moved into near whole; a larger
// one is split first. It bounds near's size (and so its depth) against the number of
// times an entry moves between buckets; chosen by measurement (engine-queue.md).
const splitAbove = 32

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
	above := q.last >> (shift + digitBits) << (shift + digitBits) // 0 when shift+4 == 64
	lo = above | v<<shift
	return lo, lo + 1<<shift
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

// refill moves the earliest entries of the radix heap into the empty near heap and
// reports whether any live one arrived (false: the queue is empty).
//
// The lowest non-empty bucket holds the earliest entries. If it holds at most
// splitAbove entries, or covers a single time (bucket 0 and the 16 buckets of the lowest
// digit), all of it moves into near, and the horizon becomes the end of its range: every
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
		lo, hi := q.bucketRange(b)
		split := b > 1<<digitBits && l.n > splitAbove
		if split {
			q.last = lo
			q.horizon = max(q.horizon, lo)
		}
		// Each chunk is released once read, so the inserts may reuse it at once, while
		// it is still in cache. Cancelled entries are dropped rather than carried on.
		for c := l.first; c != 0; {
			for _, e := range p.chunks[c][:l.used(c)] {
				if s := e.slot(); !q.isPending(s) {
					q.dropDead(s)
					continue
				}
				if split {
					q.insert(e)
				} else {
					q.near = append(q.near, e)
				}
			}
			next := p.next[c]
			p.release(c)
			c = next
		}
		if !split {
			q.horizon = hi
			if len(q.near) > 0 {
				q.heapify()
				return true
			}
		}
	}
}
