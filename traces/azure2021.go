package traces

import (
	"io"
	"math"
	"time"

	"github.com/enisim/enisim/sim"
)

// DefaultReorderWindow is how many rows a per-invocation reader buffers to put a nearly
// sorted trace in order: a row may start up to this many rows later than an earlier-starting
// one. Beyond that the input is rejected rather than sorted in memory.
const DefaultReorderWindow = 1 << 16

// FunctionKey names a function of a per-invocation trace: (app, func) for Azure 2021.
type FunctionKey struct{ App, Func string }

// Azure2021 streams an Azure 2021 per-invocation trace (app,func,end_timestamp,duration,
// seconds) as arrivals at start = end − duration, in start order. Functions are numbered in
// order of first appearance. Memory: the reorder window plus one entry per function.
type Azure2021 struct {
	l         *lineReader
	funcs     map[string]int32 // "app,func" as it appears in the line
	Functions []FunctionKey
	ro        reorder
	seq       int64
	eof       bool
	err       error
}

var azure2021Columns = []string{"app", "func", "end_timestamp", "duration"}

// NewAzure2021 starts reading r (name is used in errors). window ≤ 0 means
// DefaultReorderWindow.
func NewAzure2021(r io.Reader, name string, window int) *Azure2021 {
	if window <= 0 {
		window = DefaultReorderWindow
	}
	a := &Azure2021{l: newLineReader(r, name), funcs: make(map[string]int32), ro: reorder{window: window}}
	if err := a.l.expectHeader(azure2021Columns); err != nil {
		a.err, a.eof = err, true
	}
	return a
}

// Err reports the first error met.
func (a *Azure2021) Err() error { return a.err }

// Next returns the next arrival in start order.
func (a *Azure2021) Next() (Arrival, bool) {
	for !a.eof && len(a.ro.h) < a.ro.window {
		if !a.read() {
			break
		}
	}
	if a.err != nil || len(a.ro.h) == 0 {
		return Arrival{}, false
	}
	return a.ro.pop(), true
}

// read parses one row into the reorder buffer; false at the end or on error.
func (a *Azure2021) read() bool {
	line, ok, err := a.l.next()
	if err != nil {
		a.err, a.eof = err, true
		return false
	}
	if !ok {
		a.eof = true
		return false
	}
	l := a.l
	l.split(line)
	if err := l.wantFields(4, "app,func,end_timestamp,duration"); err != nil {
		a.err, a.eof = err, true
		return false
	}
	for i := 0; i < 2; i++ {
		if len(l.fields[i]) == 0 {
			a.err, a.eof = l.fieldErr(i, azure2021Columns[i], "empty"), true
			return false
		}
	}
	end, msg := parseNonNegFloat(l.fields[2])
	if msg != "" {
		a.err, a.eof = l.fieldErr(2, "end_timestamp", "%s", msg), true
		return false
	}
	dur, msg := parseNonNegFloat(l.fields[3])
	if msg != "" {
		a.err, a.eof = l.fieldErr(3, "duration", "%s", msg), true
		return false
	}
	if dur > end {
		a.err, a.eof = l.fieldErr(3, "duration", "%v s is longer than end_timestamp %v s: the invocation would start before the trace", dur, end), true
		return false
	}
	if end > maxSeconds {
		a.err, a.eof = l.fieldErr(2, "end_timestamp", "%v s is beyond the simulator's time range", end), true
		return false
	}
	start := sim.Time(math.Round((end - dur) * 1e9))
	if a.ro.tooLate(start) {
		a.err, a.eof = l.errAt(1, "", "invocation starting at %v comes after one starting at %v was already emitted: input out of order by more than the reorder window (%d rows)", start, a.ro.last, a.ro.window), true
		return false
	}
	// The key is the line's "app,func" prefix: looking it up with string(bytes) does not
	// allocate; only a new function's first row does.
	key := line[:l.ends[1]]
	fn, seen := a.funcs[string(key)]
	if !seen {
		fn = int32(len(a.Functions))
		a.funcs[string(key)] = fn
		a.Functions = append(a.Functions, FunctionKey{App: string(l.fields[0]), Func: string(l.fields[1])})
	}
	a.seq++
	a.ro.push(pending{Arrival: Arrival{At: start, Func: fn, Duration: time.Duration(math.Round(dur * 1e9))}, seq: a.seq})
	return true
}

// maxSeconds keeps times well inside sim.Time's range (about 292 years).
const maxSeconds = 1 << 32
