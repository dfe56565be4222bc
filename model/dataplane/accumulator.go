package dataplane

import "time"

// Accumulator sums one function's (or several functions') invocations over a sampling
// interval: the data behind model.IntervalStats. It holds no references and never
// allocates; merge partial accumulators with Merge, start the next interval with Reset.
type Accumulator struct {
	Invocations  int64 // admitted invocations
	ColdStarts   int64
	InitTimeouts int64
	Throttled    int64                // all throttles (TooManyRequestsException)
	ByThrottle   [ThrottleKinds]int64 // indexed by Throttle
	ConnReused   int64
	ConnNew      int64
	ConnResets   int64
	LatencySum   time.Duration
	ColdStartSum time.Duration
	ConnSetupSum time.Duration
	OperationSum time.Duration
	ComputeSum   time.Duration
	// PeakConcurrent and PeakAlive are maxima of what the caller reports with Observe.
	PeakConcurrent int
	PeakAlive      int
	Latency        Histogram
}

// Add records one Invoke outcome.
func (a *Accumulator) Add(o *Outcome) {
	if o.Throttle != NotThrottled {
		a.Throttled++
		if int(o.Throttle) < len(a.ByThrottle) {
			a.ByThrottle[o.Throttle]++
		}
		return
	}
	a.Invocations++
	if o.Cold {
		a.ColdStarts++
	}
	if o.InitTimedOut {
		a.InitTimeouts++
	}
	a.ConnReused += int64(o.Conn.Reused)
	a.ConnNew += int64(o.Conn.New)
	a.ConnResets += int64(o.Conn.Resets)
	l := o.Latency
	a.LatencySum += l.Total()
	a.ColdStartSum += l.ColdStart
	a.ConnSetupSum += l.ConnSetup
	a.OperationSum += l.Operation
	a.ComputeSum += l.Compute
	a.Latency.Add(l.Total())
}

// Observe records the concurrency and environments alive (e.g. Pool.TakePeaks at the end of
// the interval).
func (a *Accumulator) Observe(concurrent, alive int) {
	a.PeakConcurrent = max(a.PeakConcurrent, concurrent)
	a.PeakAlive = max(a.PeakAlive, alive)
}

// Merge adds b into a (peaks take the maximum: correct for merging intervals of one
// function, an upper bound for summing functions).
func (a *Accumulator) Merge(b *Accumulator) {
	a.Invocations += b.Invocations
	a.ColdStarts += b.ColdStarts
	a.InitTimeouts += b.InitTimeouts
	a.Throttled += b.Throttled
	for i := range a.ByThrottle {
		a.ByThrottle[i] += b.ByThrottle[i]
	}
	a.ConnReused += b.ConnReused
	a.ConnNew += b.ConnNew
	a.ConnResets += b.ConnResets
	a.LatencySum += b.LatencySum
	a.ColdStartSum += b.ColdStartSum
	a.ConnSetupSum += b.ConnSetupSum
	a.OperationSum += b.OperationSum
	a.ComputeSum += b.ComputeSum
	a.Observe(b.PeakConcurrent, b.PeakAlive)
	a.Latency.Merge(&b.Latency)
}

// Reset empties a for the next interval.
func (a *Accumulator) Reset() { *a = Accumulator{} }

// P50 and P99 are latency quantiles (see Histogram for the error bound).
func (a *Accumulator) P50() time.Duration { return a.Latency.Quantile(0.50) }
func (a *Accumulator) P99() time.Duration { return a.Latency.Quantile(0.99) }
