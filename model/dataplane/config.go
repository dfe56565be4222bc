package dataplane

import (
	"errors"
	"fmt"
	"time"

	"github.com/enisim/enisim/sim"
)

// ErrBadConfig is wrapped by every configuration error of this package.
var ErrBadConfig = errors.New("dataplane: invalid configuration")

// ConnMode says how a function's code handles its connections.
type ConnMode uint8

const (
	// KeepAlive: connections are opened during init and reused by later invocations of the
	// same execution environment (the pattern AWS recommends).
	KeepAlive ConnMode = iota
	// PerInvocation: every invocation connects, uses and closes its connections.
	PerInvocation
)

func (m ConnMode) String() string {
	switch m {
	case KeepAlive:
		return "keepalive"
	case PerInvocation:
		return "per-invocation"
	}
	return fmt.Sprintf("ConnMode(%d)", int(m))
}

// ParseConnMode parses "keepalive" or "per-invocation".
func ParseConnMode(s string) (ConnMode, error) {
	switch s {
	case "keepalive":
		return KeepAlive, nil
	case "per-invocation":
		return PerInvocation, nil
	}
	return 0, fmt.Errorf("%w: connection mode %q: want keepalive or per-invocation", ErrBadConfig, s)
}

// TLS is the TLS version spoken on a connection; it sets the handshake's extra round trips.
type TLS uint8

const (
	TLSNone TLS = iota // plain TCP: 1 RTT handshake
	TLS12              // TCP + TLS 1.2: 1 + 2 RTT
	TLS13              // TCP + TLS 1.3: 1 + 1 RTT
)

// HandshakeRTTs is the number of round trips to set up a connection: 1 for TCP plus the TLS
// handshake (lambda-vpc-facts §6).
func (t TLS) HandshakeRTTs() int {
	switch t {
	case TLS12:
		return 3
	case TLS13:
		return 2
	}
	return 1
}

func (t TLS) String() string {
	switch t {
	case TLSNone:
		return "none"
	case TLS12:
		return "1.2"
	case TLS13:
		return "1.3"
	}
	return fmt.Sprintf("TLS(%d)", int(t))
}

// ParseTLS parses "none", "1.2" or "1.3".
func ParseTLS(s string) (TLS, error) {
	switch s {
	case "none", "":
		return TLSNone, nil
	case "1.2":
		return TLS12, nil
	case "1.3":
		return TLS13, nil
	}
	return 0, fmt.Errorf("%w: tls %q: want none, 1.2 or 1.3", ErrBadConfig, s)
}

// Target is one remote endpoint a function talks to (an in-VPC database, DynamoDB, an
// internet API), with its own round-trip time and per-operation time.
type Target struct {
	Name      string
	RTT       sim.Dist // one network round trip, seconds
	TLS       TLS
	Operation sim.Dist // time of one operation once connected (e.g. DynamoDB: single-digit ms)
	Ops       int      // operations per invocation, >= 1
}

// MaxTargets bounds the targets of one function, so per-invocation counters fit in small
// integers and per-environment connection state stays small.
const MaxTargets = 16

// Config is one function's data-plane configuration. It is read-only once validated and
// may be shared by many Pools (functions with the same settings).
type Config struct {
	// IdleExpiry: an idle environment is destroyed this long after the end of its last
	// request (measured ~10 min; not documented).
	IdleExpiry time.Duration
	// InitLimit caps the init phase (cold start without ENI creation) at 10 s; longer
	// draws are clamped and counted as init timeouts. 0 means no cap.
	InitLimit time.Duration
	// ScaleBurst new environments per ScaleWindow: the per-function scaling-rate token
	// bucket (1,000 per 10 s). ScaleBurst 0 disables the limit.
	ScaleBurst  int
	ScaleWindow time.Duration

	Mode    ConnMode
	Targets []Target
	// NetIdleTimeout: the network (NAT gateway, Hyperplane ENI) silently drops a flow idle
	// longer than this (350 s).
	NetIdleTimeout time.Duration
	// ProbeInterval: TCP keepalive probe interval of the client. Probes keep a flow alive
	// only when sent more often than NetIdleTimeout; Linux's default 7200 s gives no
	// protection. 0 means no probes.
	ProbeInterval time.Duration
	// ResetRTTs and ResetDelay: the cost of using a dropped connection before reconnecting:
	// the request goes out and an RST comes back (NAT gateways answer a timed-out flow with
	// an RST: ResetRTTs = 1), then the client waits ResetDelay before retrying (SDK retry
	// back-off; default Const(50 ms), unsourced).
	ResetRTTs  int
	ResetDelay sim.Dist
}

// DefaultConfig returns the documented defaults with no connection targets.
func DefaultConfig() Config {
	return Config{
		IdleExpiry:     10 * time.Minute,
		InitLimit:      10 * time.Second,
		ScaleBurst:     1000,
		ScaleWindow:    10 * time.Second,
		Mode:           KeepAlive,
		NetIdleTimeout: 350 * time.Second,
		ProbeInterval:  7200 * time.Second,
		ResetRTTs:      1,
		ResetDelay:     sim.Const(50 * time.Millisecond),
	}
}

// Validate checks every field; errors name the field and value.
func (c *Config) Validate() error {
	if c.IdleExpiry <= 0 {
		return fmt.Errorf("%w: idleExpiry = %v: must be positive", ErrBadConfig, c.IdleExpiry)
	}
	if c.InitLimit < 0 {
		return fmt.Errorf("%w: initLimit = %v: must not be negative", ErrBadConfig, c.InitLimit)
	}
	if c.ScaleBurst < 0 {
		return fmt.Errorf("%w: scaleBurst = %d: must not be negative", ErrBadConfig, c.ScaleBurst)
	}
	if c.ScaleBurst > 0 {
		if err := checkBucket("scale", int64(c.ScaleBurst), c.ScaleWindow); err != nil {
			return err
		}
	}
	if c.Mode != KeepAlive && c.Mode != PerInvocation {
		return fmt.Errorf("%w: mode = %d: want keepalive or per-invocation", ErrBadConfig, c.Mode)
	}
	if len(c.Targets) > MaxTargets {
		return fmt.Errorf("%w: targets: %d given, at most %d", ErrBadConfig, len(c.Targets), MaxTargets)
	}
	for i := range c.Targets {
		t := &c.Targets[i]
		if err := t.RTT.Validate(); err != nil {
			return fmt.Errorf("targets[%d] (%s).rtt: %w", i, t.Name, err)
		}
		if err := t.Operation.Validate(); err != nil {
			return fmt.Errorf("targets[%d] (%s).operation: %w", i, t.Name, err)
		}
		if t.TLS > TLS13 {
			return fmt.Errorf("%w: targets[%d] (%s).tls = %d: want none, 1.2 or 1.3", ErrBadConfig, i, t.Name, t.TLS)
		}
		if t.Ops < 1 || t.Ops > 1<<16 {
			return fmt.Errorf("%w: targets[%d] (%s).ops = %d: want 1..65536", ErrBadConfig, i, t.Name, t.Ops)
		}
	}
	if c.NetIdleTimeout <= 0 {
		return fmt.Errorf("%w: netIdleTimeout = %v: must be positive", ErrBadConfig, c.NetIdleTimeout)
	}
	if c.ProbeInterval < 0 {
		return fmt.Errorf("%w: probeInterval = %v: must not be negative", ErrBadConfig, c.ProbeInterval)
	}
	if c.ResetRTTs < 0 || c.ResetRTTs > 100 {
		return fmt.Errorf("%w: resetRTTs = %d: want 0..100", ErrBadConfig, c.ResetRTTs)
	}
	if err := c.ResetDelay.Validate(); err != nil {
		return fmt.Errorf("resetDelay: %w", err)
	}
	return nil
}

// probesProtect reports whether keepalive probes keep idle flows from being dropped.
func (c *Config) probesProtect() bool {
	return c.ProbeInterval > 0 && c.ProbeInterval < c.NetIdleTimeout
}

// AccountConfig: limits shared by all functions of one account in one region.
type AccountConfig struct {
	// Concurrency: concurrent executions (1,000 by default).
	Concurrency int
	// InvocationsPerSecond caps the account's request rate; 0 means 10 × Concurrency.
	InvocationsPerSecond int
}

// DefaultAccountConfig returns the default quotas (lambda-vpc-facts §8).
func DefaultAccountConfig() AccountConfig { return AccountConfig{Concurrency: 1000} }

// Validate checks every field; errors name the field and value.
func (c AccountConfig) Validate() error {
	if c.Concurrency < 1 {
		return fmt.Errorf("%w: concurrency = %d: must be at least 1", ErrBadConfig, c.Concurrency)
	}
	if c.InvocationsPerSecond < 0 {
		return fmt.Errorf("%w: invocationsPerSecond = %d: must not be negative", ErrBadConfig, c.InvocationsPerSecond)
	}
	return checkBucket("invocationsPerSecond", int64(c.rps()), time.Second)
}

func (c AccountConfig) rps() int {
	if c.InvocationsPerSecond > 0 {
		return c.InvocationsPerSecond
	}
	return 10 * c.Concurrency
}
