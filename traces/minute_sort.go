package traces

import "math/bits"

// defaultSortCap is the largest minute (in arrivals, all functions together) that
// MinuteArrivals generates whole and sorts instead of merging in its heap: 2^16 keys take
// 512 KiB in each of the two buffers. The Azure 2019 day's minutes hold ~8,000 arrivals
// on average.
const defaultSortCap = 1 << 16

// sortMinute generates every arrival of the current minute — the functions in the list
// starting at fn, each with its next arrival in this minute — into it.sorted, sorted, and
// moves each function on to its next minute; false (nothing done) when the minute holds
// more than sortCap arrivals, which the heap then merges.
//
// The keys are those of the heap (offset in the minute, function), so sorting them gives
// exactly the heap's order: equal keys are the same function at the same nanosecond, which
// are indistinguishable (their durations are drawn in order when they are returned). Each
// function's arrival stream is its own, so generating a function's arrivals of the minute
// together draws the same numbers as interleaving them.
//
// The offsets of a minute's arrivals are uniform on the minute (each function's are
// uniform order statistics), so a counting sort into about one bucket per key by the
// offset's top bits, followed by an insertion sort that only meets the few keys sharing
// a bucket, sorts them in linear expected time — far cheaper than a heap's sift per
// arrival.
func (it *MinuteArrivals) sortMinute(fn int32) bool {
	total := 0
	for f := fn; f >= 0; f = it.cur[f].link {
		total += int(it.cur[f].left) + 1
		if total > it.sortCap {
			return false
		}
	}
	// 2^k buckets, about one per two keys, by the top k bits of the offset; counted as
	// the keys are made.
	k := max(bits.Len(uint(total-1))-1, 0)
	shift := uint(fnBits + offBits - k)
	nb := 1 << k
	if cap(it.count) < nb || cap(it.sorted) < total { // only when sortCap was raised after presize
		it.count = make([]int32, nb)
		it.sorted, it.tmp = make([]uint64, total), make([]uint64, total)
	}
	count := it.count[:nb]
	clear(count)
	keys := it.sorted[:total]
	i := 0
	for f := fn; f >= 0; {
		c := &it.cur[f]
		link := c.link // wait below relinks c
		for {
			x := uint64(c.off)<<fnBits | uint64(f)
			keys[i] = x
			i++
			count[(x>>shift)&uint64(nb-1)]++
			if c.left == 0 {
				break
			}
			it.advance(int(f))
		}
		if it.advance(int(f)) {
			it.wait(int(f))
		}
		f = link
	}
	it.sorted = it.sortKeys(keys, count, shift)
	it.next = 0
	return true
}

// presize allocates the sort's buffers for the largest minute of the table that will be
// sorted (at most sortCap arrivals), so that no Next allocates.
func (it *MinuteArrivals) presize() {
	var perMinute [MinutesPerDay]int64
	for fn := range it.cur {
		for m, c := range it.t.counts[fn*MinutesPerDay : (fn+1)*MinutesPerDay] {
			perMinute[m] += int64(c)
		}
	}
	largest := 0
	for _, n := range perMinute {
		if n <= int64(it.sortCap) {
			largest = max(largest, int(n))
		}
	}
	if largest == 0 {
		return
	}
	it.sorted, it.tmp = make([]uint64, 0, largest), make([]uint64, 0, largest)
	it.count = make([]int32, 1<<max(bits.Len(uint(largest-1))-1, 0))
}

// offBits bounds the offset in a minute: minuteNs < 2^offBits.
const offBits = 36

// sortKeys sorts keys (off<<fnBits | fn, off < 2^offBits) given count, the number of keys
// in each bucket x>>shift, returning the sorted slice (in it.tmp's storage; keys' storage
// becomes the next tmp, both of the same capacity).
func (it *MinuteArrivals) sortKeys(keys []uint64, count []int32, shift uint) []uint64 {
	n := len(keys)
	// count[b] becomes the first place of bucket b.
	sum := int32(0)
	for b, c := range count {
		count[b] = sum
		sum += c
	}
	mask := uint64(len(count) - 1)
	out := it.tmp[:n]
	for _, x := range keys {
		b := (x >> shift) & mask
		out[count[b]] = x
		count[b]++
	}
	// Keys are now in bucket order; order each bucket's few keys by insertion.
	for i := 1; i < n; i++ {
		x := out[i]
		j := i
		for j > 0 && out[j-1] > x {
			out[j] = out[j-1]
			j--
		}
		out[j] = x
	}
	it.tmp = keys[:0]
	return out
}
