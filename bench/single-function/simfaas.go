// Package singlefunction reproduces the SimFaaS reference experiments (Mahmoudi & Khazaei,
// "SimFaaS: A Performance Simulator for Serverless Computing Platforms", CLOSER 2021) on
// enisim's engine (sim.Queue) and data-plane library (model/dataplane): one function,
// Poisson arrivals, exponential warm and cold service times, one request per instance,
// expiry a fixed time after the end of an instance's last request, and a cap on running
// requests. It validates the library's routing, expiry and throttling rules against
// SimFaaS's published figures and measures the engine's speed. It holds no domain logic of
// its own: all decisions are the library's.
//
// Routing: the library sends a request to the most recently used idle environment. SimFaaS
// (simfaas/ServerlessSimulator.py, schedule_warm_instance) picks the most recently
// *created* idle instance. Both were run (12 replications × 10^6 s, see
// docs/design/dataplane.md): cold-start probability 0.00136 ± 0.00001 and 7.705 ± 0.008
// instances under either rule, so the difference does not show in these metrics.
package singlefunction

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/enisim/enisim/model/dataplane"
	"github.com/enisim/enisim/sim"
)

// Params describe one experiment.
type Params struct {
	ArrivalRate float64       // requests per second (Poisson)
	WarmMean    time.Duration // mean of the exponential service time of a warm request
	ColdMean    time.Duration // mean of the exponential service time of a cold request (its whole service)
	Expiry      time.Duration // idle instance destroyed this long after the end of its last request
	Horizon     time.Duration // simulated time
	MaxConc     int           // cap on concurrent requests (SimFaaS maximum_concurrency)
}

// Reference is SimFaaS's default experiment: λ = 0.9/s, warm 1.991 s, cold 2.244 s,
// expiry 600 s, 10^6 s.
func Reference() Params {
	return Params{ArrivalRate: 0.9, WarmMean: 1991 * time.Millisecond, ColdMean: 2244 * time.Millisecond,
		Expiry: 600 * time.Second, Horizon: 1e6 * time.Second, MaxConc: 1000}
}

// CapReference is SimFaaS's concurrency-cap experiment: λ = 1000/s, warm 2.016 s, cold
// 2.163 s, at most 1,000 instances, 1,000 s.
func CapReference() Params {
	return Params{ArrivalRate: 1000, WarmMean: 2016 * time.Millisecond, ColdMean: 2163 * time.Millisecond,
		Expiry: 600 * time.Second, Horizon: 1000 * time.Second, MaxConc: 1000}
}

// Validate checks every field.
func (p Params) Validate() error {
	switch {
	case !(p.ArrivalRate > 0):
		return fmt.Errorf("%w: arrivalRate = %v: must be positive", sim.ErrBadConfig, p.ArrivalRate)
	case p.WarmMean <= 0:
		return fmt.Errorf("%w: warmMean = %v: must be positive", sim.ErrBadConfig, p.WarmMean)
	case p.ColdMean <= 0:
		return fmt.Errorf("%w: coldMean = %v: must be positive", sim.ErrBadConfig, p.ColdMean)
	case p.Horizon <= 0:
		return fmt.Errorf("%w: horizon = %v: must be positive", sim.ErrBadConfig, p.Horizon)
	case p.MaxConc < 1:
		return fmt.Errorf("%w: maxConc = %d: must be at least 1", sim.ErrBadConfig, p.MaxConc)
	}
	return nil
}

// Result: counts over the run and time averages over [0, Horizon].
type Result struct {
	Requests, ColdStarts, Rejected int64
	AvgInstances, AvgRunning       float64 // time averages; idle = instances − running
	Events                         uint64
}

// ColdProb is the fraction of admitted requests that cold-started.
func (r Result) ColdProb() float64 { return float64(r.ColdStarts) / float64(r.Requests-r.Rejected) }

// RejectProb is the fraction of requests rejected.
func (r Result) RejectProb() float64 { return float64(r.Rejected) / float64(r.Requests) }

// AvgIdle is the time-averaged number of idle instances.
func (r Result) AvgIdle() float64 { return r.AvgInstances - r.AvgRunning }

func (r Result) String() string {
	return fmt.Sprintf("requests %d, cold-start prob %.5f, rejected %.4f, avg instances %.3f (running %.3f, idle %.3f), events %d",
		r.Requests, r.ColdProb(), r.RejectProb(), r.AvgInstances, r.AvgRunning, r.AvgIdle(), r.Events)
}

// Event kinds.
const (
	kArrival uint32 = iota
	kDone
	kExpire
)

type run struct {
	p      Params
	pool   *dataplane.Pool
	acct   *dataplane.Account
	arr    *rand.Rand
	svc    *rand.Rand
	res    Result
	last   sim.Time
	runA   float64 // ∫ running dt, in s
	instA  float64 // ∫ instances dt, in s
	errRun error
}

// integrate adds the time since the last event at the current counts.
func (r *run) integrate(now sim.Time) {
	dt := now.Sub(r.last).Seconds()
	r.runA += dt * float64(r.pool.Busy())
	r.instA += dt * float64(r.pool.Alive())
	r.last = now
}

func (r *run) schedule(s sim.Scheduler, ev sim.Event) {
	if _, err := s.Schedule(ev); err != nil && r.errRun == nil {
		r.errRun = err
	}
}

func (r *run) exp(mean time.Duration) time.Duration {
	return time.Duration(r.svc.ExpFloat64() * float64(mean))
}

// Handle is the experiment's event handler.
func (r *run) Handle(ev sim.Event, s sim.Scheduler) {
	now := ev.At
	r.integrate(now)
	switch ev.Kind {
	case kArrival:
		r.res.Requests++
		// The cold request's whole service time comes from the cold distribution, so ask
		// first whether it will be warm, then draw.
		var req dataplane.Request
		if r.pool.HasIdle(now) {
			req.Compute = r.exp(r.p.WarmMean)
		} else {
			req.Compute = r.exp(r.p.ColdMean)
		}
		o := r.pool.Invoke(now, r.acct, req, nil)
		if o.Throttle != dataplane.NotThrottled {
			r.res.Rejected++
		} else {
			if o.Cold {
				r.res.ColdStarts++
			}
			r.schedule(s, sim.Event{At: o.End, Kind: kDone, Arg: dataplane.PackArg(o.Env, o.Gen)})
		}
		gap := time.Duration(r.arr.ExpFloat64() / r.p.ArrivalRate * 1e9)
		r.schedule(s, sim.Event{At: now.Add(gap), Kind: kArrival})
	case kDone:
		env, gen := dataplane.UnpackArg(ev.Arg)
		if x, _ := r.pool.Complete(now, r.acct, env, gen); x.Set {
			r.schedule(s, sim.Event{At: x.At, Kind: kExpire, Arg: x.Arg()})
		}
	case kExpire:
		env, gen := dataplane.UnpackArg(ev.Arg)
		if _, x := r.pool.Expire(now, env, gen); x.Set {
			r.schedule(s, sim.Event{At: x.At, Kind: kExpire, Arg: x.Arg()})
		}
	}
}

// Run runs one replication with the random streams derived from seed.
func Run(p Params, seed sim.Seed) (Result, error) {
	if err := p.Validate(); err != nil {
		return Result{}, err
	}
	cfg := dataplane.DefaultConfig()
	cfg.IdleExpiry = p.Expiry
	cfg.InitLimit = 0  // the cold service time is drawn whole; nothing to clamp
	cfg.ScaleBurst = 0 // SimFaaS has no scaling-rate limit
	pool, err := dataplane.NewPool(&cfg)
	if err != nil {
		return Result{}, err
	}
	// SimFaaS rejects a request when running requests have reached maximum_concurrency,
	// warm or cold: the same rule as the account concurrency quota. The rate cap is set out
	// of reach.
	acct, err := dataplane.NewAccount(dataplane.AccountConfig{Concurrency: p.MaxConc, InvocationsPerSecond: 1 << 30})
	if err != nil {
		return Result{}, err
	}
	r := &run{p: p, pool: pool, acct: acct,
		arr: rand.New(seed.Stream("arrivals", 0)), svc: rand.New(seed.Stream("service", 0))}
	q := sim.NewQueue(1024)
	first := time.Duration(r.arr.ExpFloat64() / p.ArrivalRate * 1e9)
	if _, err := q.Schedule(sim.Event{At: sim.Time(first), Kind: kArrival}); err != nil {
		return Result{}, err
	}
	end := sim.Time(0).Add(p.Horizon)
	st, err := sim.Run(q, r, sim.Bounds{Until: end}, nil)
	if err != nil {
		return Result{}, err
	}
	if r.errRun != nil {
		return Result{}, r.errRun
	}
	r.integrate(end)
	h := p.Horizon.Seconds()
	r.res.AvgRunning = r.runA / h
	r.res.AvgInstances = r.instA / h
	r.res.Events = st.Events
	return r.res, nil
}
