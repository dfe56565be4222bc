package sim

import (
	"fmt"
	"time"
)

// Time is simulated time: nanoseconds since the start of the run. Spans are time.Duration.
type Time int64

// MaxTime is the latest representable simulated time (about 292 years).
const MaxTime Time = 1<<63 - 1

// Add returns t+d.
func (t Time) Add(d time.Duration) Time { return t + Time(d) }

// Sub returns the span t-u.
func (t Time) Sub(u Time) time.Duration { return time.Duration(t - u) }

// Duration returns t as a span since the start of the run.
func (t Time) Duration() time.Duration { return time.Duration(t) }

// Seconds returns t in seconds since the start of the run.
func (t Time) Seconds() float64 { return float64(t) / 1e9 }

// String prints t as a span since the start of the run, e.g. "1h30m0s".
func (t Time) String() string { return fmt.Sprint(time.Duration(t)) }
