package traces

import (
	"time"

	"github.com/enisim/enisim/sim"
)

// Arrival is one invocation: when it starts, which function (an index into the reader's
// function list) and how long it runs (0 when the trace gives no duration: the model then
// uses its own).
type Arrival struct {
	At       sim.Time
	Func     int32
	Duration time.Duration
}

// Arrivals yields invocations in non-decreasing time order (ties in a fixed order). Next
// returns false at the end or on error; Err then reports the error, if any.
type Arrivals interface {
	Next() (Arrival, bool)
	Err() error
}

// Collect drains it into a slice (for tests and small traces).
func Collect(it Arrivals) ([]Arrival, error) {
	var out []Arrival
	for {
		a, ok := it.Next()
		if !ok {
			return out, it.Err()
		}
		out = append(out, a)
	}
}

// reorder is a bounded min-heap that turns a nearly sorted stream into a sorted one: rows
// are pushed as read and popped once the window is full, so any row may arrive up to
// window-1 rows late. Order: (At, seq) with seq the input row number, which keeps equal
// times in input order.
type reorder struct {
	h      []pending
	window int
	last   sim.Time // At of the last popped arrival
	popped bool
}

type pending struct {
	Arrival
	seq int64
}

func (r *reorder) less(i, j int) bool {
	if r.h[i].At != r.h[j].At {
		return r.h[i].At < r.h[j].At
	}
	return r.h[i].seq < r.h[j].seq
}

// tooLate reports whether an arrival at t can no longer be emitted in order.
func (r *reorder) tooLate(t sim.Time) bool { return r.popped && t < r.last }

func (r *reorder) push(p pending) {
	r.h = append(r.h, p)
	i := len(r.h) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if !r.less(i, parent) {
			break
		}
		r.h[i], r.h[parent] = r.h[parent], r.h[i]
		i = parent
	}
}

func (r *reorder) pop() Arrival {
	top := r.h[0]
	n := len(r.h) - 1
	r.h[0] = r.h[n]
	r.h = r.h[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if l+1 < n && r.less(l+1, l) {
			m = l + 1
		}
		if !r.less(m, i) {
			break
		}
		r.h[i], r.h[m] = r.h[m], r.h[i]
		i = m
	}
	r.last, r.popped = top.At, true
	return top.Arrival
}
