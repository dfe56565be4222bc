package dataplane

import (
	"math"
	"time"

	"github.com/enisim/enisim/sim"
)

// Account holds the limits shared by all functions of one account in one region: the
// concurrency quota (invocations in flight) and the invocations-per-second cap. The caller
// creates one per account and passes the same pointer to every Pool.Invoke and
// Pool.Complete of that account's functions. It is a small value with no references.
type Account struct {
	concurrency int32
	rps         int64
	inFlight    int32
	reserved    int32 // concurrency held by invocations simulated in aggregate (Reserve)
	peak        int32
	rate        bucket
	rpsDerived  bool // rps is 10 × concurrency (AccountConfig.InvocationsPerSecond was 0)
}

// NewAccount validates c and returns an account with no invocation in flight and a full
// invocations-per-second bucket.
func NewAccount(c AccountConfig) (*Account, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	rps := int64(c.rps())
	return &Account{concurrency: int32(c.Concurrency), rps: rps, rate: newBucket(rps, time.Second), rpsDerived: c.InvocationsPerSecond == 0}, nil
}

// SetConcurrency changes the account's concurrency quota during a run (a quota increase
// granted, or a lowered limit). Invocations already running keep running; new ones are
// throttled while InFlight is at or above the new quota. When the invocations-per-second
// cap was derived from the concurrency (10×), it follows the new quota.
func (a *Account) SetConcurrency(n int) error {
	c := AccountConfig{Concurrency: n}
	if err := c.Validate(); err != nil {
		return err
	}
	a.concurrency = int32(n)
	if a.rpsDerived {
		a.rps = int64(c.rps())
	}
	return nil
}

// InFlight is the number of invocations of the account running now.
func (a *Account) InFlight() int { return int(a.inFlight) }

// Reserve sets how much of the concurrency quota is held by invocations the caller
// simulates in aggregate rather than through Invoke (model FidelityAggregate functions):
// Invoke throttles while InFlight + n reaches the quota. Negative n counts as 0.
func (a *Account) Reserve(n int) { a.reserved = int32(max(min(n, math.MaxInt32), 0)) }

// Reserved is the concurrency last set with Reserve.
func (a *Account) Reserved() int { return int(a.reserved) }

// Concurrency is the account's concurrency quota.
func (a *Account) Concurrency() int { return int(a.concurrency) }

// TakePeak returns the highest InFlight since the previous TakePeak (or creation) and starts
// a new interval at the current InFlight.
func (a *Account) TakePeak() int {
	p := a.peak
	a.peak = a.inFlight
	return int(p)
}

// admit reports why an invocation at now would be throttled by the account (NotThrottled
// if it would not); it changes nothing but the bucket's refill clock.
func (a *Account) admit(now sim.Time) Throttle {
	if !a.rate.has(now, a.rps, time.Second) {
		return ThrottledRate
	}
	if a.inFlight+a.reserved >= a.concurrency {
		return ThrottledConcurrency
	}
	return NotThrottled
}

// start records an admitted invocation.
func (a *Account) start() {
	a.rate.take(time.Second)
	a.inFlight++
	if a.inFlight > a.peak {
		a.peak = a.inFlight
	}
}

// finish records the end of an invocation.
func (a *Account) finish() {
	if a.inFlight <= 0 {
		panic("dataplane: Account.finish with no invocation in flight (completion delivered twice or to the wrong account)")
	}
	a.inFlight--
}
