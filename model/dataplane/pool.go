package dataplane

import (
	"fmt"
	"math/rand/v2"

	"github.com/enisim/enisim/sim"
)

type envState uint8

const (
	envFree envState = iota
	envBusy
	envIdle
)

const none int32 = -1

// env is one execution environment's slot in the slab (24 bytes).
type env struct {
	// idleSince: for an idle environment, the end of its last request (its idle timer's
	// start). Unused otherwise.
	idleSince sim.Time
	// prev/next link idle environments (head = most recently used) and, via next, free
	// slots.
	prev, next int32
	// gen counts the slot's incarnations, so events for a destroyed environment are stale.
	gen           uint32
	state         envState
	expiryPending bool // an expiry event for this incarnation is in the caller's queue
	retire        bool // destroy at the end of the current invocation (see Retire)
}

// Pool holds one function's execution environments. The zero value is not usable; use
// NewPool. A Pool is owned by one goroutine (the partition's event loop).
type Pool struct {
	cfg *Config
	// envs is the slab; lastUse holds, in KeepAlive mode, the last activity time of each
	// environment's connection to each target: lastUse[e*len(Targets)+k].
	envs    []env
	lastUse []sim.Time

	idleHead int32 // the most recently used idle environment
	freeHead int32

	busy, idle int32
	conns      int32 // client-side open connections over all environments
	peakBusy   int32
	peakAlive  int32
	scale      bucket
}

// NewPool returns an empty pool for a function with configuration cfg, which it validates
// and then shares (cfg must not change afterwards). A pool without environments uses
// unsafe.Sizeof(Pool{}) bytes.
func NewPool(cfg *Config) (*Pool, error) {
	if cfg == nil {
		return nil, fmt.Errorf("%w: nil config", ErrBadConfig)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p := &Pool{cfg: cfg, idleHead: none, freeHead: none}
	if cfg.ScaleBurst > 0 {
		p.scale = newBucket(int64(cfg.ScaleBurst), cfg.ScaleWindow)
	}
	return p, nil
}

// Config returns the pool's (shared, read-only) configuration.
func (p *Pool) Config() *Config { return p.cfg }

// Busy is the number of environments running an invocation (the function's concurrency).
func (p *Pool) Busy() int { return int(p.busy) }

// Idle is the number of warm idle environments, including any whose expiry is due at the
// current instant but not yet delivered.
func (p *Pool) Idle() int { return int(p.idle) }

// Alive is the number of execution environments (busy + idle). In legacy (pre-Hyperplane)
// mode each needs its own ENI.
func (p *Pool) Alive() int { return int(p.busy + p.idle) }

// Connections is the number of connections the function's environments hold open
// (client side): in KeepAlive mode len(Targets) per live environment, in PerInvocation
// mode len(Targets) per running invocation. The caller sums it per ENI against the 65,000
// connections limit. Flows the network has silently dropped still count until reused.
func (p *Pool) Connections() int { return int(p.conns) }

// EnvConnections is the number of connections environment id holds open now:
// len(Targets) for a live environment in KeepAlive mode, for a busy one in PerInvocation
// mode, else 0. The caller adds it to the ENI the environment uses.
func (p *Pool) EnvConnections(id EnvID) int {
	if int(id) >= len(p.envs) {
		return 0
	}
	switch st := p.envs[id].state; {
	case st == envBusy, st == envIdle && p.cfg.Mode == KeepAlive:
		return len(p.cfg.Targets)
	}
	return 0
}

// TakePeaks returns the highest Busy and Alive since the previous call (or creation) and
// starts a new interval at the current values.
func (p *Pool) TakePeaks() (busy, alive int) {
	busy, alive = int(p.peakBusy), int(p.peakAlive)
	p.peakBusy, p.peakAlive = p.busy, p.busy+p.idle
	return busy, alive
}

// ScaleTokens is the number of new environments the scaling-rate bucket would allow at
// now (-1 when the limit is off).
func (p *Pool) ScaleTokens(now sim.Time) int {
	if p.cfg.ScaleBurst == 0 {
		return -1
	}
	p.scale.refill(now, int64(p.cfg.ScaleBurst), p.cfg.ScaleWindow)
	return int(p.scale.tokens(p.cfg.ScaleWindow))
}

// EnvBusy reports whether environment id is running an invocation.
func (p *Pool) EnvBusy(id EnvID) bool {
	return int(id) < len(p.envs) && p.envs[id].state == envBusy
}

// HasIdle reports whether an invocation at now would be warm (an idle environment whose
// idle time is below IdleExpiry exists).
func (p *Pool) HasIdle(now sim.Time) bool {
	h := p.idleHead
	return h != none && now.Sub(p.envs[h].idleSince) < p.cfg.IdleExpiry
}

// Invoke runs one invocation arriving at now. acct may be nil (no account limits). src
// supplies the connection RTT, operation and reset-delay draws.
//
// Order of checks: the account's invocations-per-second cap, then its concurrency, then,
// if no warm environment exists, the function's scaling rate. A throttled invocation
// changes nothing. Otherwise the most recently used idle environment serves it (SimFaaS
// picks the newest-created one instead; the two give the same figures, see
// docs/design/dataplane.md). An idle environment whose idle time has reached IdleExpiry
// counts as gone even if its expiry event has not been delivered yet, so the result does
// not depend on the order of same-instant events. Failing that, a new environment
// cold-starts.
func (p *Pool) Invoke(now sim.Time, acct *Account, req Request, src rand.Source) Outcome {
	var o Outcome
	p.InvokeTo(&o, now, acct, req, src)
	return o
}

// InvokeTo is Invoke writing the outcome to *o (every field of it), which saves copying
// the outcome out on the caller's path of every invocation.
func (p *Pool) InvokeTo(o *Outcome, now sim.Time, acct *Account, req Request, src rand.Source) {
	p.InvokeWarmTo(o, now, acct, req, src, p.HasIdle(now))
}

// InvokeWarmTo is InvokeTo for a caller that has just asked HasIdle(now) (warm is its
// answer, nothing having changed the pool since), saving the second look on the path of
// every invocation.
func (p *Pool) InvokeWarmTo(o *Outcome, now sim.Time, acct *Account, req Request, src rand.Source, warm bool) {
	if req.Compute|req.ColdStart|req.ENICreate < 0 { // one of them is (sign bit set)
		// Draws come from validated, non-negative distributions: a negative one is a bug in
		// the caller, and would make the completion land in the past.
		panic(fmt.Sprintf("dataplane: Invoke at %v: negative duration in %+v", now, req))
	}
	*o = Outcome{}
	if acct != nil {
		if t := acct.admit(now); t != NotThrottled {
			o.Throttle = t
			return
		}
	}
	cold := !warm
	if cold && p.cfg.ScaleBurst > 0 {
		if !p.scale.has(now, int64(p.cfg.ScaleBurst), p.cfg.ScaleWindow) {
			o.Throttle = ThrottledScaling
			return
		}
		p.scale.take(p.cfg.ScaleWindow)
	}
	if acct != nil {
		acct.start()
	}
	var e int32
	if cold {
		e = p.alloc()
		o.Cold = true
		cs := req.ColdStart
		if lim := p.cfg.InitLimit; lim > 0 && cs > lim {
			cs = lim
			o.InitTimedOut = true
		}
		o.Latency.ColdStart = cs + req.ENICreate
	} else {
		e = p.popIdle()
	}
	v := &p.envs[e]
	v.state = envBusy
	p.busy++
	if p.busy > p.peakBusy {
		p.peakBusy = p.busy
	}
	if a := p.busy + p.idle; a > p.peakAlive {
		p.peakAlive = a
	}
	o.Env, o.Gen = EnvID(e), v.gen
	o.Latency.Compute = req.Compute
	if len(p.cfg.Targets) == 0 { // no connections to account for (most functions of a trace)
		o.End = now.Add(o.Latency.Total())
		return
	}
	p.connect(now, e, cold, req.NetFactor, o, src)
	o.End = now.Add(o.Latency.Total())
	if p.cfg.Mode == KeepAlive {
		base := int(e) * len(p.cfg.Targets)
		for k := range p.cfg.Targets {
			p.lastUse[base+k] = o.End
		}
	}
}

// Complete ends the invocation running in env (gen from its Outcome) at now and makes the
// environment idle. It returns the expiry event to schedule, if one is not already pending
// for this environment, and whether the environment was destroyed instead (it had been
// retired). acct must be the one passed to Invoke. Completing an environment that is not
// running an invocation is a caller bug and panics.
func (p *Pool) Complete(now sim.Time, acct *Account, id EnvID, gen uint32) (x Expiry, destroyed bool) {
	e := int32(id)
	var v *env // indexed once: Complete runs for every invocation
	if int(id) < len(p.envs) {
		v = &p.envs[e]
	}
	if v == nil || v.gen != gen || v.state != envBusy {
		panic(fmt.Sprintf("dataplane: Complete(env %d, gen %d) at %v: environment is not running an invocation", id, gen, now))
	}
	if acct != nil {
		acct.finish()
	}
	p.busy--
	if p.cfg.Mode == PerInvocation {
		p.conns -= int32(len(p.cfg.Targets))
	}
	if v.retire {
		p.free(e)
		return Expiry{}, true
	}
	v.state = envIdle
	v.idleSince = now
	p.pushIdle(e)
	if v.expiryPending {
		return Expiry{}, false
	}
	v.expiryPending = true
	return Expiry{At: now.Add(p.cfg.IdleExpiry), Env: id, Gen: v.gen, Set: true}, false
}

// Expire delivers an expiry event scheduled from an Expiry. Stale events (the environment
// was destroyed meanwhile) are ignored. If the environment is busy, nothing happens
// (Complete will ask for a new expiry). If it was reused and is idle again, its real
// expiry is later: Expire returns it to be scheduled. Otherwise the environment is
// destroyed at exactly the end of its last request + IdleExpiry.
func (p *Pool) Expire(now sim.Time, id EnvID, gen uint32) (destroyed bool, next Expiry) {
	e := int32(id)
	if int(id) >= len(p.envs) || p.envs[e].gen != gen || p.envs[e].state == envFree {
		return false, Expiry{}
	}
	v := &p.envs[e]
	v.expiryPending = false
	if v.state == envBusy {
		return false, Expiry{}
	}
	if due := v.idleSince.Add(p.cfg.IdleExpiry); due > now {
		v.expiryPending = true
		return false, Expiry{At: due, Env: id, Gen: gen, Set: true}
	}
	p.unlinkIdle(e)
	p.free(e)
	return true, Expiry{}
}

// Retire destroys every idle environment now and marks the busy ones to be destroyed when
// their invocation completes (Complete then reports destroyed). Use it when environments
// must not be reused: a VPC switchover, a code update, reclamation. It returns the number
// destroyed now. Pending expiry events of destroyed environments become stale.
func (p *Pool) Retire(now sim.Time) int {
	n := 0
	for e := p.idleHead; e != none; {
		next := p.envs[e].next
		p.unlinkIdle(e)
		p.free(e)
		n++
		e = next
	}
	for i := range p.envs {
		if p.envs[i].state == envBusy {
			p.envs[i].retire = true
		}
	}
	return n
}

// alloc takes a free slot (or grows the slab) for a new environment and opens its
// kept-alive connections' accounting.
func (p *Pool) alloc() int32 {
	var e int32
	if p.freeHead != none {
		e = p.freeHead
		p.freeHead = p.envs[e].next
	} else {
		e = int32(len(p.envs))
		p.envs = append(p.envs, env{})
		for range p.cfg.Targets {
			p.lastUse = append(p.lastUse, 0)
		}
	}
	v := &p.envs[e]
	*v = env{gen: v.gen + 1, prev: none, next: none}
	return e
}

// free returns a (non-idle-listed) environment's slot to the free list.
func (p *Pool) free(e int32) {
	v := &p.envs[e]
	if p.cfg.Mode == KeepAlive {
		p.conns -= int32(len(p.cfg.Targets))
	}
	v.state = envFree
	v.expiryPending = false
	v.retire = false
	v.prev = none
	v.next = p.freeHead
	p.freeHead = e
}

// pushIdle makes e the most recently used idle environment.
func (p *Pool) pushIdle(e int32) {
	v := &p.envs[e]
	v.prev = none
	v.next = p.idleHead
	if p.idleHead != none {
		p.envs[p.idleHead].prev = e
	}
	p.idleHead = e
	p.idle++
}

// popIdle takes the most recently used idle environment (the list's head) off the list:
// unlinkIdle for the head, which every warm invocation does.
func (p *Pool) popIdle() int32 {
	e := p.idleHead
	v := &p.envs[e]
	p.idleHead = v.next
	if v.next != none {
		p.envs[v.next].prev = none
	}
	v.next = none
	p.idle--
	return e
}

func (p *Pool) unlinkIdle(e int32) {
	v := &p.envs[e]
	if v.prev != none {
		p.envs[v.prev].next = v.next
	} else {
		p.idleHead = v.next
	}
	if v.next != none {
		p.envs[v.next].prev = v.prev
	}
	v.prev, v.next = none, none
	p.idle--
}
