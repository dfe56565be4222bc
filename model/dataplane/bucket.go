package dataplane

import (
	"fmt"
	"math"
	"time"

	"github.com/enisim/enisim/sim"
)

// bucket is an exact integer token bucket: up to burst tokens, refilled at burst tokens per
// window. The level is kept in token·window units scaled so that one token costs window
// (in ns) and refill adds burst per elapsed ns; no floating point, so refill is exact for any
// burst and window. It holds no parameters (they live in the shared config) to stay small.
type bucket struct {
	level int64 // in units where one token = window nanoseconds
	last  sim.Time
}

// checkBucket rejects parameters whose full level would overflow int64.
func checkBucket(field string, burst int64, window time.Duration) error {
	if window <= 0 {
		return fmt.Errorf("%w: %s window = %v: must be positive", ErrBadConfig, field, window)
	}
	if burst > math.MaxInt64/int64(window) {
		return fmt.Errorf("%w: %s: burst %d × window %v overflows", ErrBadConfig, field, burst, window)
	}
	return nil
}

func newBucket(burst int64, window time.Duration) bucket {
	return bucket{level: burst * int64(window)}
}

// refill brings the level up to date at now (now never goes backwards). (Written as one
// switch so that Account.admit, which calls it for every invocation, stays inlinable.)
func (b *bucket) refill(now sim.Time, burst int64, window time.Duration) {
	el := int64(now - b.last)
	b.last = now
	switch {
	case el >= int64(window): // a whole window refills a bucket completely; avoids overflow
		b.level = burst * int64(window)
	case el > 0:
		b.level = min(b.level+el*burst, burst*int64(window))
	}
}

// has reports whether a whole token is available after refilling at now.
func (b *bucket) has(now sim.Time, burst int64, window time.Duration) bool {
	b.refill(now, burst, window)
	return b.level >= int64(window)
}

// take removes one token; call only after has returned true at the same now.
func (b *bucket) take(window time.Duration) { b.level -= int64(window) }

// tokens returns the whole tokens available (for tests and reports).
func (b *bucket) tokens(window time.Duration) int64 { return b.level / int64(window) }
