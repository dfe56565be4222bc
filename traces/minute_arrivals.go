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
// Each function has a cursor that produces its sorted arrivals within a minute one at a
// time, as sequential uniform order statistics (the next of k sorted uniforms on [x, 1) is
// x + (1-x)(1 - U^(1/k))); functions whose next arrival is in a later minute wait in that
// minute's list. Every arrival of a minute precedes every arrival of the next, so the
// arrivals are merged a minute at a time, keyed by (offset in the minute, function) packed
// into one uint64: a minute of up to sortCap arrivals (2^16) is generated whole and sorted
// by a bucket sort (minute_sort.go); a larger one is merged in a binary heap of the
// functions active in it. Both give the (time, function) order of one heap over all
// functions. Memory is O(functions + the largest minute's arrivals, at most sortCap),
// allocated when the generator is made: Next allocates nothing.
type MinuteArrivals struct {
	t    *FunctionTable
	cur  []cursor
	heap []uint64 // off<<fnBits | fn for the functions with an arrival left in minute
	// minute is the minute the heap holds (-1 before the first); first[m] is the first
	// function whose next arrival is in minute m > minute (-1: none), the list continuing
	// through cursor.link.
	minute  int
	first   []int32
	durs    []sim.Dist
	minutes int
	// sorted holds the current minute's keys in order when the minute was generated
	// whole and sorted (minute_sort.go) rather than merged in the heap; next indexes the
	// first not yet returned. tmp and count are the sort's scratch space, sortCap the
	// largest minute (in arrivals) sorted whole: larger ones use the heap, so memory stays
	// bounded whatever the trace's counts.
	sorted  []uint64
	next    int
	tmp     []uint64
	count   []int32
	sortCap int
}

// fnBits is the width of the function index in a heap key: an offset within a minute is
// below 60e9 < 2^36 ns, leaving 28 bits, far more functions than a table can hold in
// memory (2^28 functions' counts alone take 1.5 TB).
const (
	fnBits = 28
	fnMask = 1<<fnBits - 1
)

// cursor holds its streams by value, so that one arrival touches one cursor rather than
// three scattered allocations.
type cursor struct {
	off    int64   // offset of the function's next arrival within its minute, in ns
	minute int32   // minute being spread
	left   uint32  // arrivals still to generate in that minute, after the next
	pos    float64 // fraction of the minute reached by the previous order statistic
	link   int32   // next function waiting for the same minute (see MinuteArrivals.first)
	arr    rand.PCG
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
	if n > fnMask {
		panic("traces: ArrivalsKeyed: more than 2^28 functions")
	}
	it := &MinuteArrivals{t: t, cur: make([]cursor, n), heap: make([]uint64, 0, n), minute: -1,
		first: make([]int32, MinutesPerDay), minutes: MinutesPerDay, sortCap: defaultSortCap}
	for m := range it.first {
		it.first[m] = -1
	}
	if durations != nil {
		it.durs = durations[:n:n]
		for fn := range it.cur {
			it.cur[fn].dur = *seed.Stream("trace-durations", key(fn))
		}
	}
	for fn := n - 1; fn >= 0; fn-- {
		c := &it.cur[fn]
		c.arr = *seed.Stream("trace-arrivals", key(fn))
		c.minute = -1
		if it.advance(fn) {
			it.wait(fn)
		}
	}
	it.presize()
	return it
}

// wait puts function fn in the list of the minute of its next arrival.
func (it *MinuteArrivals) wait(fn int) {
	c := &it.cur[fn]
	c.link = it.first[c.minute]
	it.first[c.minute] = int32(fn)
}

// nextMinute fills the heap with the functions of the next minute that has arrivals;
// false when the day is over.
func (it *MinuteArrivals) nextMinute() bool {
	for m := it.minute + 1; m < it.minutes; m++ {
		fn := it.first[m]
		if fn < 0 {
			continue
		}
		it.first[m] = -1
		it.minute = m
		if it.sortMinute(fn) {
			return true
		}
		for ; fn >= 0; fn = it.cur[fn].link {
			it.heap = append(it.heap, uint64(it.cur[fn].off)<<fnBits|uint64(fn))
		}
		it.heapify()
		return true
	}
	it.minute = it.minutes
	return false
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
	c.off = off
	return true
}

// Next returns the earliest pending arrival.
func (it *MinuteArrivals) Next() (Arrival, bool) {
	if it.next < len(it.sorted) {
		// arrival, inlined by hand on the path of nearly every arrival
		top := it.sorted[it.next]
		it.next++
		fn := int(top & fnMask)
		a := Arrival{At: sim.Time(int64(it.minute)*minuteNs + int64(top>>fnBits)), Func: int32(fn)}
		if it.durs != nil {
			a.Duration = drawDuration(&it.durs[fn], &it.cur[fn].dur)
		}
		return a, true
	}
	if len(it.heap) == 0 {
		if !it.nextMinute() {
			return Arrival{}, false
		}
		if len(it.heap) == 0 { // the minute was sorted whole
			it.next = 1
			return it.arrival(it.sorted[0]), true
		}
	}
	top := it.heap[0]
	fn := int(top & fnMask)
	a := it.arrival(top)
	c := &it.cur[fn]
	// The root's replacement: the function's next arrival if it is in this minute (most
	// calls), else the heap's last entry.
	var x uint64
	if it.advance(fn) && int(c.minute) == it.minute {
		x = uint64(c.off)<<fnBits | uint64(fn)
	} else {
		if int(c.minute) != it.minute {
			it.wait(fn) // advance moved on to a later minute
		}
		last := len(it.heap) - 1
		x = it.heap[last]
		it.heap = it.heap[:last]
		if last == 0 {
			return a, true
		}
	}
	it.down(x)
	return a, true
}

// arrival is the arrival of key top (off<<fnBits | fn) in the current minute, with its
// duration drawn from the function's stream: arrivals are returned, and their durations
// drawn, in the same order by the heap and by the sorted minutes.
func (it *MinuteArrivals) arrival(top uint64) Arrival {
	fn := int(top & fnMask)
	a := Arrival{At: sim.Time(int64(it.minute)*minuteNs + int64(top>>fnBits)), Func: int32(fn)}
	if it.durs != nil {
		a.Duration = drawDuration(&it.durs[fn], &it.cur[fn].dur)
	}
	return a
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

// down puts x at the root, whose entry has been taken, and sifts it down to its place.
func (it *MinuteArrivals) down(x uint64) { siftDown(it.heap, 0, x) }

// heapify orders the heap from scratch.
func (it *MinuteArrivals) heapify() {
	h := it.heap
	for j := len(h)/2 - 1; j >= 0; j-- {
		siftDown(h, j, h[j])
	}
}

// siftDown puts x at h[i], whose entry has been taken, and sifts it down to its place in
// the binary min-heap h.
func siftDown(h []uint64, i int, x uint64) {
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && h[r] < h[l] {
			m = r
		}
		if h[m] >= x {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = x
}
