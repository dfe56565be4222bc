package sim

import "testing"

// TestCancelRejectsFreeLinks pins the guard in Cancel: a free slot's tickets word is a
// link with freeBit set, so a made-up Handle whose ticket equals that word must not
// cancel anything (nor corrupt the free list), and a Handle for an event that ran or was
// cancelled and dropped finds the link, not its ticket.
func TestCancelRejectsFreeLinks(t *testing.T) {
	q := NewQueue(0)
	h0, err := q.Schedule(Event{At: 1})
	if err != nil {
		t.Fatal(err)
	}
	h1, err := q.Schedule(Event{At: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := q.Next(); !ok { // slot 0 is free now: tickets[0] = freeBit | 0
		t.Fatal("no event")
	}
	if q.Cancel(h0) {
		t.Fatal("Cancel of an event that ran = true")
	}
	link := uint64(q.tickets[0])
	if link&freeBit == 0 {
		t.Fatalf("slot 0's word %#x is not a free link", link)
	}
	if q.Cancel(Handle(link<<32 | 0 + 1)) {
		t.Fatal("Cancel of a made-up Handle matching a free link = true")
	}
	if !q.Cancel(h1) || q.Cancel(h1) {
		t.Fatal("Cancel of a pending event must succeed once")
	}
	if err := q.checkInvariants(); err != nil {
		t.Fatal(err)
	}
	if _, ok := q.Next(); ok { // drops the dead entry and frees its slot
		t.Fatal("a cancelled event came out")
	}
	if q.Cancel(h1) {
		t.Fatal("Cancel of a cancelled, dropped event = true")
	}
	if err := q.checkInvariants(); err != nil {
		t.Fatal(err)
	}
}

// TestBucketEndMatchesBucketRange checks refill's shortcut against bucketRange for every
// bucket, with last at 0, at the top of the time range and at values in between.
func TestBucketEndMatchesBucketRange(t *testing.T) {
	q := NewQueue(0)
	for _, last := range []uint64{0, 1, 255, 256, 0x0123456789abcdef, 1<<63 - 1, 1 << 62} {
		q.last = last
		for b := range numBuckets {
			if _, hi := q.bucketRange(b); q.bucketEnd(b) != hi {
				t.Fatalf("last %#x bucket %d: bucketEnd %#x, bucketRange's hi %#x", last, b, q.bucketEnd(b), hi)
			}
		}
	}
}
