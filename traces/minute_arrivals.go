package traces

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"time"

	"github.com/enisim/enisim/sim"
)

const minuteNs = int64(time.Minute)

// MinuteArrivals generates the invocations of a FunctionTable in global time order. Each
// minute's count for a function is spread uniformly at random within that minute, with the
// function's own stream seed.Stream("trace-arrivals", fn), so the counts per minute are
// kept exactly and one function's arrivals do not depend on the others'.
//
// Memory is O(functions): each function has a cursor that produces its sorted arrivals
// within the current minute one at a time, as sequential uniform order statistics (the
// next of k sorted uniforms on [x, 1) is x + (1-x)(1 - U^(1/k))), and a binary heap keyed
// by (time, function) merges the cursors.
type MinuteArrivals struct {
	t       *FunctionTable
	cur     []cursor
	heap    []heapEntry // the functions with arrivals left, ordered by (next arrival, index)
	durs    []sim.Dist
	minutes int
}

// heapEntry is a function in the merge heap with its next arrival time copied in, so that
// comparisons read the heap's own contiguous memory rather than the scattered cursors.
type heapEntry struct {
	at sim.Time
	fn int32
}

// cursor holds its streams by value, so that one arrival touches one cursor rather than
// three scattered allocations.
type cursor struct {
	next   sim.Time // time of the function's next arrival
	minute int32    // minute being spread
	left   uint32   // arrivals still to generate in that minute, after next
	pos    float64  // fraction of the minute reached by the previous order statistic
	arr    rand.PCG // arrival-time stream
	dur    rand.PCG // duration stream (unused without durations)
}

// Arrivals returns the day's arrivals. With durations (one per function, e.g.
// Azure2019.Durations), each arrival's Duration is drawn from its function's distribution
// with seed.Stream("trace-durations", fn); with nil, Duration is 0.
func (t *FunctionTable) Arrivals(seed sim.Seed, durations []sim.Dist) *MinuteArrivals {
	return t.ArrivalsKeyed(seed, durations, nil)
}

// ArrivalsKeyed is Arrivals with function i drawing from the streams keyed keys[i]
// (seed.Stream("trace-arrivals", keys[i]) and "trace-durations") instead of i. With a
// Subset of a trace and keys = the functions' indices in the full trace, every function
// gets exactly the arrivals it has in the full trace, whichever subset it is placed in.
// Arrival.Func is still the index in t. nil keys means 0..n-1; otherwise len(keys) must be
// len(t.Functions) (it panics otherwise: a caller bug, not bad input).
func (t *FunctionTable) ArrivalsKeyed(seed sim.Seed, durations []sim.Dist, keys []uint64) *MinuteArrivals {
	n := len(t.Functions)
	if keys != nil && len(keys) != n {
		panic("traces: ArrivalsKeyed: len(keys) != number of functions")
	}
	key := func(fn int) uint64 {
		if keys == nil {
			return uint64(fn)
		}
		return keys[fn]
	}
	it := &MinuteArrivals{t: t, cur: make([]cursor, n), heap: make([]heapEntry, 0, n), minutes: MinutesPerDay}
	if durations != nil {
		it.durs = durations[:n:n]
		for fn := range it.cur {
			it.cur[fn].dur = *seed.Stream("trace-durations", key(fn))
		}
	}
	for fn := 0; fn < n; fn++ {
		c := &it.cur[fn]
		c.arr = *seed.Stream("trace-arrivals", key(fn))
		c.minute = -1
		if it.advance(fn) {
			it.heap = append(it.heap, heapEntry{at: c.next, fn: int32(fn)})
		}
	}
	it.heapify()
	return it
}

// advance moves function fn's cursor to its next arrival; false when the day is over.
func (it *MinuteArrivals) advance(fn int) bool {
	c := &it.cur[fn]
	if c.left == 0 {
		// Find the next minute with invocations.
		row := it.t.counts[fn*MinutesPerDay : (fn+1)*MinutesPerDay]
		m := int(c.minute) + 1
		for m < it.minutes && row[m] == 0 {
			m++
		}
		if m >= it.minutes {
			return false
		}
		c.minute, c.left, c.pos = int32(m), row[m], 0
	}
	k := float64(c.left)
	c.left--
	u := float64(c.arr.Uint64()>>11) * 0x1p-53 // uniform in [0,1)
	// The next order statistic moves right from pos by a Beta(1,k) share of what is left
	// of the minute: 1 - (1-U)^(1/k), computed as -expm1(log(1-U)/k) (expm1 keeps the
	// small shares of large k accurate; log(1-U) rather than the slower log1p(-U) costs at
	// most ~1e-16 absolute, far below the 1 ns in 60 s resolution); for the last arrival
	// (k = 1) it is just U.
	share := u
	if k > 1 {
		share = -math.Expm1(math.Log(1-u) / k)
	}
	c.pos += (1 - c.pos) * share
	off := int64(c.pos * float64(minuteNs))
	if off >= minuteNs {
		off = minuteNs - 1
	}
	c.next = sim.Time(int64(c.minute)*minuteNs + off)
	return true
}

// Next returns the earliest pending arrival.
func (it *MinuteArrivals) Next() (Arrival, bool) {
	if len(it.heap) == 0 {
		return Arrival{}, false
	}
	top := it.heap[0]
	fn := int(top.fn)
	a := Arrival{At: top.at, Func: top.fn}
	if it.durs != nil {
		a.Duration = drawDuration(&it.durs[fn], &it.cur[fn].dur)
	}
	if it.advance(fn) {
		it.down(heapEntry{at: it.cur[fn].next, fn: top.fn})
	} else {
		last := len(it.heap) - 1
		x := it.heap[last]
		it.heap = it.heap[:last]
		if last > 0 {
			it.down(x)
		}
	}
	return a, true
}

// drawDuration is d.Duration(src), with the empirical distributions of trace durations
// drawn inline: the same draw (math/rand/v2's IntN on src, unbiased by Lemire's
// rejection) and the same conversion, without building a rand.Rand and a distuv value
// per arrival.
func drawDuration(d *sim.Dist, src *rand.PCG) time.Duration {
	if d.Kind != sim.DistEmpirical {
		return d.Duration(src)
	}
	n := uint64(len(d.Values))
	var i uint64
	if n&(n-1) == 0 {
		i = src.Uint64() & (n - 1)
	} else {
		hi, lo := bits.Mul64(src.Uint64(), n)
		if lo < n {
			thresh := -n % n
			for lo < thresh {
				hi, lo = bits.Mul64(src.Uint64(), n)
			}
		}
		i = hi
	}
	v := d.Values[i]
	if v >= math.MaxInt64/1e9 {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(v * 1e9)
}

// Err is always nil: the table was validated when read.
func (it *MinuteArrivals) Err() error { return nil }

func (a heapEntry) before(b heapEntry) bool {
	return a.at < b.at || (a.at == b.at && a.fn < b.fn)
}

// down puts x at the root, whose entry has been taken, and sifts it down to its place.
func (it *MinuteArrivals) down(x heapEntry) {
	h := it.heap
	n := len(h)
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && h[r].before(h[l]) {
			m = r
		}
		if !h[m].before(x) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = x
}

// heapify orders the heap from scratch.
func (it *MinuteArrivals) heapify() {
	h := it.heap
	n := len(h)
	for j := n/2 - 1; j >= 0; j-- {
		x := h[j]
		i := j
		for {
			l := 2*i + 1
			if l >= n {
				break
			}
			m := l
			if r := l + 1; r < n && h[r].before(h[l]) {
				m = r
			}
			if !h[m].before(x) {
				break
			}
			h[i] = h[m]
			i = m
		}
		h[i] = x
	}
}
