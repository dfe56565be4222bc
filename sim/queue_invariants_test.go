package sim

import "fmt"

// checkInvariants verifies the invariants stated on Queue and in chunks.go. The
// differential test calls it after every operation, so a broken invariant is caught
// where it breaks, not when it first changes an answer.
func (q *Queue) checkInvariants() error {
	entries, dead := 0, 0
	usedChunks := 0
	seqs := map[uint64]bool{}
	slots := map[uint32]bool{}
	for b := range q.buckets {
		l := &q.buckets[b]
		nonEmpty := q.mask[b/64]&(1<<(b%64)) != 0
		if nonEmpty != (l.n > 0) {
			return fmt.Errorf("bucket %d: mask bit %v but %d entries", b, nonEmpty, l.n)
		}
		n := 0
		var prev entry
		for c := l.first; c != 0; c = q.pool.next[c] {
			usedChunks++
			lo, hi := l.bounds(c)
			for i := lo; i < hi; i++ {
				e := q.pool.chunks[c][i]
				if uint64(e.at) < q.last {
					return fmt.Errorf("bucket %d: entry at %d before last %d", b, e.at, q.last)
				}
				if got := q.bucketOf(e.at); got != b {
					return fmt.Errorf("entry at %d is in bucket %d, belongs in %d", e.at, b, got)
				}
				if b == 0 && n > 0 && prev.key >= e.key {
					return fmt.Errorf("bucket 0 out of seq order")
				}
				seq := e.key >> 32
				if seqs[seq] || seq >= q.nextSeq {
					return fmt.Errorf("seq %d repeated or not below nextSeq %d", seq, q.nextSeq)
				}
				seqs[seq] = true
				if slots[e.slot()] {
					return fmt.Errorf("slot %d owned by two entries", e.slot())
				}
				slots[e.slot()] = true
				if !q.isPending(e.slot()) {
					dead++
				}
				prev = e
				n++
			}
		}
		if n != l.n {
			return fmt.Errorf("bucket %d: counts %d entries, holds %d", b, l.n, n)
		}
		entries += n
	}
	if entries != q.live+q.dead || dead != q.dead {
		return fmt.Errorf("live %d + dead %d, but %d entries of which %d dead", q.live, q.dead, entries, dead)
	}
	if q.last > uint64(q.now) {
		return fmt.Errorf("last %d after now %d", q.last, q.now)
	}
	for _, s := range q.free {
		if slots[s] {
			return fmt.Errorf("slot %d is free but owned by an entry", s)
		}
	}
	if len(q.free)+len(slots) != len(q.tickets) {
		return fmt.Errorf("%d free + %d owned slots, %d in all", len(q.free), len(slots), len(q.tickets))
	}
	if len(q.pool.chunks) > 0 && usedChunks+len(q.pool.free) != len(q.pool.chunks)-1 {
		return fmt.Errorf("%d used + %d free chunks, %d in the pool", usedChunks, len(q.pool.free), len(q.pool.chunks)-1)
	}
	return nil
}
