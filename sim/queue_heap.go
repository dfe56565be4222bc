package sim

import (
	"math/bits"
	"slices"
)

// The Queue's near part: the entries before the horizon, in (At, seq) order. It holds
// the current stretch of time (the bucket last moved out of the radix heap, plus events
// scheduled into that stretch): on the Azure day 5.5 entries on average (counted with
// radix-16 buckets, not re-counted since). So it is kept as an array sorted in descending
// order, the next event last: taking it is a slice shortening, and a new event, usually
// among the earliest, is inserted a few places from the end. Should it grow beyond nearSortedMax entries (a large batch of simultaneous
// events, or many events scheduled before a distant horizon), insertion would cost O(n),
// so it turns into a 4-ary heap until it next runs empty. A 4-ary heap halves the depth
// of a binary one for the same number of comparisons per pop, and its removal below does
// those comparisons without branches.

// nearSortedMax is the most entries near holds as a sorted array.
const nearSortedMax = 64

// top is near's next entry; near must not be empty.
func (q *Queue) top() *entry {
	if q.nearHeap {
		return &q.near[0]
	}
	return &q.near[len(q.near)-1]
}

// removeNext deletes near's next entry.
func (q *Queue) removeNext() {
	if q.nearHeap {
		q.removeTop()
		return
	}
	q.near = q.near[:len(q.near)-1]
}

// orderNear puts near, just filled from a bucket in any order, in order: sorted if it is
// small, else a heap.
func (q *Queue) orderNear() {
	h := q.near
	if len(h) > nearSortedMax {
		q.nearHeap = true
		q.heapify()
		return
	}
	q.nearHeap = false
	for i := 1; i < len(h); i++ {
		x := h[i]
		j := i
		for j > 0 && less(h[j-1], x) {
			h[j] = h[j-1]
			j--
		}
		h[j] = x
	}
}

// lt is 1 if a sorts before b and 0 otherwise, computed without a branch as the borrow
// of the 128-bit subtraction (at, key) - (at, key). Times are never negative (Schedule
// refuses times before now, and now starts at 0), so at compares correctly as unsigned.
func lt(a, b *entry) uint64 {
	_, borrow := bits.Sub64(a.key, b.key, 0)
	_, borrow = bits.Sub64(uint64(a.at), uint64(b.at), borrow)
	return borrow
}

// push adds x to near. The common case (a sorted array with room) is a reslice and an
// insertion from the end; growing, switching to a heap and the heap itself are in
// pushSlow, out of line, so that this path spills nothing and writes only near's length.
func (q *Queue) push(x entry) {
	n := len(q.near)
	if q.nearHeap || n >= nearSortedMax || n >= cap(q.near) {
		q.pushSlow(x)
		return
	}
	h := q.near[:n+1]
	q.near = h
	i := n
	for ; i > 0; i-- { // as in sortInto: (at, key) as locals, no entry copies
		y := &h[i-1]
		if y.at > x.at || y.at == x.at && y.key > x.key {
			break
		}
		h[i] = *y
	}
	h[i] = x
}

// pushSlow is push when near must grow, turns into a heap, or is one.
//
//go:noinline
func (q *Queue) pushSlow(x entry) {
	if !q.nearHeap {
		if len(q.near) < nearSortedMax {
			h := append(q.near, x)
			q.near = h
			i := len(h) - 1
			for ; i > 0; i-- {
				y := &h[i-1]
				if y.at > x.at || y.at == x.at && y.key > x.key {
					break
				}
				h[i] = *y
			}
			h[i] = x
			return
		}
		slices.Reverse(q.near) // ascending order is a heap
		q.nearHeap = true
	}
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
