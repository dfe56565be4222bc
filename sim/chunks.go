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
	off         int32 // position of the first entry in the first chunk
	end         int32 // number of positions used in the last chunk
	n           int   // entries in the list
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

// push appends x to l.
func (p *chunkPool) push(l *chunkList, x entry) {
	if l.last == 0 || l.end == chunkLen {
		c := p.alloc()
		if l.last == 0 {
			l.first, l.off = c, 0
		} else {
			p.next[l.last] = c
		}
		l.last, l.end = c, 0
	}
	p.chunks[l.last][l.end] = x
	l.end++
	l.n++
}

// head returns the first entry of a non-empty l.
func (p *chunkPool) head(l *chunkList) entry { return p.chunks[l.first][l.off] }

// popHead removes the first entry of a non-empty l.
func (p *chunkPool) popHead(l *chunkList) {
	l.off++
	l.n--
	if l.n == 0 {
		p.release(l.first)
		*l = chunkList{}
		return
	}
	if l.off == chunkLen {
		f := l.first
		l.first, l.off = p.next[f], 0
		p.release(f)
	}
}

// bounds gives the used positions [lo, hi) of chunk c of l.
func (l *chunkList) bounds(c int32) (lo, hi int32) {
	hi = chunkLen
	if c == l.last {
		hi = l.end
	}
	if c == l.first {
		lo = l.off
	}
	return lo, hi
}

// minimum returns the chunk and position of the least entry of a non-empty l.
func (p *chunkPool) minimum(l *chunkList) (int32, int32) {
	mc, mi := l.first, l.off
	best := p.chunks[mc][mi]
	for c := l.first; c != 0; c = p.next[c] {
		lo, hi := l.bounds(c)
		ch := &p.chunks[c]
		for i := lo; i < hi; i++ {
			if less(ch[i], best) {
				best, mc, mi = ch[i], c, i
			}
		}
	}
	return mc, mi
}

// removeAt deletes the entry at (c, i) by moving the list's last entry into its place;
// it is for lists whose order does not matter.
func (p *chunkPool) removeAt(l *chunkList, c, i int32) {
	l.end--
	l.n--
	p.chunks[c][i] = p.chunks[l.last][l.end]
	if l.n == 0 {
		p.release(l.first)
		*l = chunkList{}
		return
	}
	if l.end == 0 {
		// The last chunk is empty; its predecessor (found by walking, as this is rare) is
		// full and becomes the last.
		prev := l.first
		for p.next[prev] != l.last {
			prev = p.next[prev]
		}
		p.release(l.last)
		p.next[prev] = 0
		l.last, l.end = prev, chunkLen
	}
}

// filter keeps, in order, the entries for which keep is true, and frees emptied chunks.
func (p *chunkPool) filter(l *chunkList, keep func(entry) bool) {
	if l.n == 0 {
		return
	}
	wc, wi := l.first, l.off
	n := 0
	for c := l.first; c != 0; c = p.next[c] {
		lo, hi := l.bounds(c)
		for i := lo; i < hi; i++ {
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
	l.last, l.end, l.n = wc, wi, n
}

// appendTo appends the entries of l, in order, to dst.
func (p *chunkPool) appendTo(dst []entry, l *chunkList) []entry {
	for c := l.first; c != 0; c = p.next[c] {
		lo, hi := l.bounds(c)
		dst = append(dst, p.chunks[c][lo:hi]...)
	}
	return dst
}

// overwrite replaces the entries of l, in order, with src (len(src) == l.n).
func (p *chunkPool) overwrite(l *chunkList, src []entry) {
	for c := l.first; c != 0; c = p.next[c] {
		lo, hi := l.bounds(c)
		src = src[copy(p.chunks[c][lo:hi], src):]
	}
}
