package dataplane

import (
	"time"

	"github.com/enisim/enisim/sim"
)

// EnvID identifies an execution environment within its Pool: an index into the pool's slab,
// reused after the environment is destroyed (Gen tells incarnations apart).
type EnvID uint32

// PackArg packs an environment and its generation into a sim.Event Arg, for the
// completion and expiry events the caller schedules.
func PackArg(env EnvID, gen uint32) uint64 { return uint64(env)<<32 | uint64(gen) }

// UnpackArg is the inverse of PackArg.
func UnpackArg(arg uint64) (EnvID, uint32) { return EnvID(arg >> 32), uint32(arg) }

// Throttle says whether and why an invocation was rejected. Every rejection surfaces to
// the client as TooManyRequestsException (HTTP 429).
type Throttle uint8

const (
	NotThrottled         Throttle = iota
	ThrottledRate                 // account invocations-per-second cap
	ThrottledConcurrency          // account concurrency quota reached
	ThrottledScaling              // per-function scaling rate (new environments per window) exhausted

	// ThrottleKinds is the number of Throttle values (the length of Accumulator.ByThrottle).
	ThrottleKinds = int(ThrottledScaling) + 1
)

// ErrorCode is the AWS error code returned to the client ("" when not throttled).
func (t Throttle) ErrorCode() string {
	if t == NotThrottled {
		return ""
	}
	return "TooManyRequestsException"
}

func (t Throttle) String() string {
	switch t {
	case NotThrottled:
		return "none"
	case ThrottledRate:
		return "rate"
	case ThrottledConcurrency:
		return "concurrency"
	case ThrottledScaling:
		return "scaling"
	}
	return "Throttle(?)"
}

// Request is what the caller draws for one invocation.
type Request struct {
	// Compute: the handler's own run time (excluding connection setup and operations).
	Compute time.Duration
	// ColdStart: init duration, used only if the invocation cold-starts; clamped to
	// Config.InitLimit. Callers that want to know before drawing call Pool.HasIdle.
	ColdStart time.Duration
	// ENICreate: legacy (pre-Hyperplane) mode only: time to create this environment's own
	// ENI, added to the cold start outside the init limit (up to ~10 s). Zero otherwise.
	ENICreate time.Duration
	// NetFactor multiplies the invocation's network time (connection setup, reset cost and
	// operations), e.g. during an RTT spike. 0 means 1.
	NetFactor float64
}

// Latency is the invocation's latency by part; Total is the environment's busy time.
type Latency struct {
	ColdStart time.Duration // init (clamped) + ENI creation, when cold
	ConnSetup time.Duration // handshakes, and failed attempts on dropped connections
	Operation time.Duration // the operations on the targets
	Compute   time.Duration
}

// Total is the sum of the parts.
func (l Latency) Total() time.Duration { return l.ColdStart + l.ConnSetup + l.Operation + l.Compute }

// ConnCounts counts connection events of one invocation (or, in Accumulator, many).
// New includes the reconnections that follow a reset.
type ConnCounts struct {
	Reused uint16 // kept-alive connection used without setup
	New    uint16 // connection set up (TCP + TLS handshake)
	Resets uint16 // reuse of a connection the network had dropped: failed, then reconnected
}

// Outcome is the result of Pool.Invoke.
type Outcome struct {
	Throttle Throttle // if not NotThrottled, nothing else is set and nothing changed
	Env      EnvID
	Gen      uint32
	Cold     bool
	// InitTimedOut: the drawn cold start exceeded Config.InitLimit and was clamped.
	InitTimedOut bool
	// End: when the invocation finishes; schedule the completion there with
	// PackArg(Env, Gen) and call Pool.Complete.
	End     sim.Time
	Latency Latency
	Conn    ConnCounts
}

// Expiry asks the caller to call Pool.Expire(At, Env, Gen) at At. Set is false when there
// is nothing to schedule.
type Expiry struct {
	At  sim.Time
	Env EnvID
	Gen uint32
	Set bool
}

// Arg is PackArg(x.Env, x.Gen).
func (x Expiry) Arg() uint64 { return PackArg(x.Env, x.Gen) }
