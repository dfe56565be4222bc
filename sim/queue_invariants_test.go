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
	// checkEntry checks what every entry, in near or in a bucket, must satisfy.
	checkEntry := func(e entry) error {
		if e.at < q.now {
			return fmt.Errorf("entry at %d before now %d", e.at, q.now)
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
		entries++
		return nil
	}
	if q.last > q.horizon {
		return fmt.Errorf("last %d after horizon %d", q.last, q.horizon)
	}
	if !q.nearHeap && len(q.near) > nearSortedMax {
		return fmt.Errorf("near holds %d entries sorted, more than %d", len(q.near), nearSortedMax)
	}
	for i, e := range q.near {
		if q.nearHeap && i > 0 && less(e, q.near[(i-1)/4]) {
			return fmt.Errorf("near entry %d sorts before its parent", i)
		}
		if !q.nearHeap && i > 0 && !less(e, q.near[i-1]) {
			return fmt.Errorf("near entry %d does not sort before entry %d", i, i-1)
		}
		if uint64(e.at) >= q.horizon {
			return fmt.Errorf("near entry at %d not before horizon %d", e.at, q.horizon)
		}
		if err := checkEntry(e); err != nil {
			return err
		}
	}
	if len(q.mask) > 64 {
		return fmt.Errorf("%d mask words, more than summary has bits", len(q.mask))
	}
	for w, m := range q.mask {
		if (m != 0) != (q.summary&(1<<w) != 0) {
			return fmt.Errorf("mask word %d = %#x but summary bit %v", w, m, q.summary&(1<<w) != 0)
		}
	}
	for b := range q.buckets {
		l := &q.buckets[b]
		nonEmpty := q.mask[b/64]&(1<<(b%64)) != 0
		if nonEmpty != (l.first != 0) {
			return fmt.Errorf("bucket %d: mask bit %v but first chunk %d", b, nonEmpty, l.first)
		}
		lo, hi := q.bucketRange(b)
		n := 0
		for c := l.first; c != 0; c = q.pool.next[c] {
			usedChunks++
			for _, e := range q.pool.chunks[c][:l.used(c)] {
				if uint64(e.at) < q.horizon || uint64(e.at) < q.last {
					return fmt.Errorf("bucket %d: entry at %d before horizon %d or last %d", b, e.at, q.horizon, q.last)
				}
				if got := q.bucketOf(e.at); got != b {
					return fmt.Errorf("entry at %d is in bucket %d, belongs in %d", e.at, b, got)
				}
				if uint64(e.at) < lo || uint64(e.at) >= hi {
					return fmt.Errorf("entry at %d in bucket %d outside its range [%d, %d)", e.at, b, lo, hi)
				}
				if err := checkEntry(e); err != nil {
					return err
				}
				n++
			}
		}
		if l.first != 0 && (n == 0 || (l.first != l.last) != (n > chunkLen)) {
			return fmt.Errorf("bucket %d: %d entries in %d chunks", b, n, q.pool.chunkCount(l))
		}
	}
	if entries != q.live+q.dead || dead != q.dead {
		return fmt.Errorf("live %d + dead %d, but %d entries of which %d dead", q.live, q.dead, entries, dead)
	}
	free := 0
	for f := q.freeHead; f != 0; f = q.tickets[f-1] &^ freeBit {
		s := f - 1
		if int(s) >= len(q.tickets) || free > len(q.tickets) {
			return fmt.Errorf("free list runs out of the slot table or loops at slot %d", s)
		}
		if slots[s] {
			return fmt.Errorf("slot %d is free but owned by an entry", s)
		}
		if q.tickets[s]&freeBit == 0 {
			return fmt.Errorf("free slot %d holds ticket %d, not a link", s, q.tickets[s])
		}
		if !q.isPending(s) {
			return fmt.Errorf("free slot %d has its cancelled bit set", s)
		}
		free++
	}
	for s := range slots {
		if q.tickets[s]&freeBit != 0 {
			return fmt.Errorf("owned slot %d holds a free link", s)
		}
	}
	if free+len(slots) != len(q.tickets) {
		return fmt.Errorf("%d free + %d owned slots, %d in all", free, len(slots), len(q.tickets))
	}
	if len(q.pool.chunks) > 0 && usedChunks+len(q.pool.free) != len(q.pool.chunks)-1 {
		return fmt.Errorf("%d used + %d free chunks, %d in the pool", usedChunks, len(q.pool.free), len(q.pool.chunks)-1)
	}
	return nil
}
