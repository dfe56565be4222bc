package sim

import "math/bits"

// The Queue's near heap: the entries before the horizon, a 4-ary heap ordered by
// (At, seq). It holds the few hundred entries of the current stretch of time (the bucket
// last moved out of the radix heap, plus events scheduled into that stretch), so it
// stays in L1 and is a few levels deep. A 4-ary heap halves the depth of a binary one
// for the same number of comparisons per pop, and its removal below does those
// comparisons without branches.

// lt is 1 if a sorts before b and 0 otherwise, computed without a branch as the borrow
// of the 128-bit subtraction (at, key) - (at, key). Times are never negative (Schedule
// refuses times before now, and now starts at 0), so at compares correctly as unsigned.
func lt(a, b *entry) uint64 {
	_, borrow := bits.Sub64(a.key, b.key, 0)
	_, borrow = bits.Sub64(uint64(a.at), uint64(b.at), borrow)
	return borrow
}

// push adds x to near and sifts it up.
func (q *Queue) push(x entry) {
	h := append(q.near, x)
	q.near = h
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) >> 2
		if !less(x, h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = x
}

// removeTop deletes near[0]. It walks the hole at the root down to a leaf along the
// smallest children (three comparisons per level, none against the moved element), then
// sifts the former last element up from there: that element is usually large, so it
// rarely climbs, which saves a comparison per level over the textbook sift-down.
func (q *Queue) removeTop() {
	h := q.near
	n := len(h) - 1
	x := h[n]
	h = h[:n]
	q.near = h
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
			m0 := int(lt(&g[1], &g[0]))
			m1 := 2 + int(lt(&g[3], &g[2]))
			m := m0 ^ ((m0 ^ m1) & -int(lt(&g[m1&3], &g[m0&3])))
			h[i] = g[m&3]
			i = c + m
			continue
		}
		if c >= n {
			break
		}
		m := c
		for j := c + 1; j < n; j++ {
			if less(h[j], h[m]) {
				m = j
			}
		}
		h[i] = h[m]
		i = m
		break
	}
	for i > 0 {
		p := (i - 1) >> 2
		if !less(x, h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = x
}

// heapify restores the heap order of near bottom-up in O(n).
func (q *Queue) heapify() {
	h := q.near
	n := len(h)
	if n < 2 {
		return
	}
	for i := (n - 2) / 4; i >= 0; i-- {
		x := h[i]
		j := i
		for {
			c := 4*j + 1
			if c >= n {
				break
			}
			m := c
			for k := c + 1; k < min(c+4, n); k++ {
				if less(h[k], h[m]) {
					m = k
				}
			}
			if !less(h[m], x) {
				break
			}
			h[j] = h[m]
			j = m
		}
		h[j] = x
	}
}
