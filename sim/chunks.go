package sim

// The Queue's buckets are lists of fixed-size chunks drawn from one pool. A bucket of a
// radix heap fills and empties all the time, and which bucket holds many entries shifts
// as time advances; with one growable slice per bucket every bucket keeps the largest
// capacity it ever needed, so memory creeps towards (buckets x peak) and the slices keep
// being reallocated. With pooled chunks a chunk emptied by one bucket is reused by the
// next, memory stays at about the number of entries plus one partial chunk per bucket,
// and a steady run allocates nothing.

// chunkLen is the number of entries in a chunk: 32 x 32 bytes = 1 KiB.
const chunkLen = 32

// chunkList is a bucket: entries in chunks linked first to last. Chunk index 0 is never
// used, so the zero chunkList is an empty list.
type chunkList struct {
	first, last int32 // chunk indices, 0 when empty
	end         int32 // number of positions used in the last chunk
}

// chunks counts the chunks of l (for checks and tests; the hot paths need only whether
// l has more than one: a chunk is added only when the last one is full, so first !=
// last means more than chunkLen entries).
func (p *chunkPool) chunkCount(l *chunkList) int {
	n := 0
	for c := l.first; c != 0; c = p.next[c] {
		n++
	}
	return n
}

// chunkPool owns every chunk. Chunks are addressed by index, so growing the pool may
// move them but never invalidates a list.
type chunkPool struct {
	chunks [][chunkLen]entry
	next   []int32 // next[c] is the chunk after c in its list, 0 at the end
	free   []int32 // unused chunks, reused last in, first out (likely still in cache)
}

func (p *chunkPool) alloc() int32 {
	if n := len(p.free); n > 0 {
		c := p.free[n-1]
		p.free = p.free[:n-1]
		p.next[c] = 0
		return c
	}
	if len(p.chunks) == 0 { // reserve index 0 as "none"
		p.chunks = append(p.chunks, [chunkLen]entry{})
		p.next = append(p.next, 0)
	}
	p.chunks = append(p.chunks, [chunkLen]entry{})
	p.next = append(p.next, 0)
	return int32(len(p.chunks) - 1)
}

func (p *chunkPool) release(c int32) { p.free = append(p.free, c) }

// releaseFrom gives back c and every chunk after it.
func (p *chunkPool) releaseFrom(c int32) {
	for c != 0 {
		n := p.next[c]
		p.release(c)
		c = n
	}
}

// extend appends an empty chunk to l, for an append when l's last chunk is full or l is
// empty (Queue.insert).
func (p *chunkPool) extend(l *chunkList) {
	c := p.alloc()
	if l.last == 0 {
		l.first = c
	} else {
		p.next[l.last] = c
	}
	l.last, l.end = c, 0
}

// used gives the number of used positions of chunk c of l: all of them but in the last.
func (l *chunkList) used(c int32) int32 {
	if c == l.last {
		return l.end
	}
	return chunkLen
}

// filter keeps, in order, the entries for which keep is true, and frees emptied chunks.
func (p *chunkPool) filter(l *chunkList, keep func(entry) bool) {
	if l.first == 0 {
		return
	}
	wc, wi := l.first, int32(0)
	n := 0
	for c := l.first; c != 0; c = p.next[c] {
		for i := range l.used(c) {
			e := p.chunks[c][i]
			if !keep(e) {
				continue
			}
			if wi == chunkLen {
				wc, wi = p.next[wc], 0
			}
			p.chunks[wc][wi] = e
			wi++
			n++
		}
	}
	if n == 0 {
		p.releaseFrom(l.first)
		*l = chunkList{}
		return
	}
	p.releaseFrom(p.next[wc])
	p.next[wc] = 0
	l.last, l.end = wc, wi
}

// appendTo appends the entries of l, in order, to dst.
func (p *chunkPool) appendTo(dst []entry, l *chunkList) []entry {
	for c := l.first; c != 0; c = p.next[c] {
		dst = append(dst, p.chunks[c][:l.used(c)]...)
	}
	return dst
}
