package validate

import (
	"fmt"
	"time"

	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/model/dataplane"
	"github.com/enisim/enisim/sim"
)

// checkMGInf: one function, Poisson arrivals, no concurrency cap and no scaling-rate
// limit, no cold-start time. The number of busy environments is read from the model's own
// per-combination connection count: with per-invocation connections to one target, a
// busy environment holds exactly one connection and an idle one none, so
// ENISample.Connections is the number of busy environments at each sampling time. The
// oracle is E[N(t)] = λ·(E[S] − E[(S−t)⁺]) averaged over the sampling times (→ λ·E[S]);
// deterministic and lognormal service times with the same mean show insensitivity.
func checkMGInf(o Options) ([]Result, error) {
	lambda := pick(o, 50.0, 20.0)
	mean := 2 * time.Second
	every := time.Second
	warmup := pick(o, 60*time.Second, 30*time.Second)
	horizon := pick(o, 2000*time.Second, 150*time.Second)
	reps := pick(o, 20, 8)
	services := []struct {
		name string
		d    sim.Dist
	}{
		{"deterministic 2 s", sim.Const(mean)},
		{"lognormal, mean 2 s, σ = 1", logNormalMean(mean, 1)},
	}
	var out []Result
	for k, svc := range services {
		p := queueParams()
		p.ScalingStep = 0 // no scaling-rate limit: an unbounded M/G/∞
		cfg := fleet(p, 1, false, func(_ int, f *model.Function) {
			f.ConnMode = dataplane.PerInvocation
			f.Targets = []dataplane.Target{{Name: "db", RTT: sim.Const(0), Operation: sim.Const(0), Ops: 1}}
			f.Workload = model.Workload{Rate: lambda, Service: svc.d}
		})
		cfg.Accounts[0].Concurrency = 100000
		cfg.SampleEvery = every
		id := fmt.Sprintf("mginf/%d", k)
		cols, err := replicate(o.Seed, id, reps, o.workers(), func(seed sim.Seed) ([]float64, error) {
			t := newTally(sim.Time(warmup), sim.Time(horizon))
			c, err := runModel(&cfg, seed, horizon, t)
			if err != nil {
				return nil, err
			}
			if c.Throttled > 0 {
				return nil, fmt.Errorf("%d invocations throttled with no cap", c.Throttled)
			}
			return []float64{float64(t.connSum) / float64(t.connSamples)}, nil
		})
		if err != nil {
			return nil, err
		}
		// The exact expectation at the sampling times used: kδ in [warmup, horizon).
		exact, n := 0.0, 0
		for at := warmup; at < horizon; at += every {
			exact += MGInfMeanAt(lambda, svc.d, at.Seconds())
			n++
		}
		exact /= float64(n)
		r := compare(o, "mginf", cols[0], exact)
		r.Name = "mean busy environments, service " + svc.name
		r.Setup = fmt.Sprintf("1 function, Poisson λ = %g/s, service %s, cold start 0, no concurrency cap "+
			"(account quota 100,000), scaling-rate limit off; busy environments sampled every %s in [%s, %s)",
			lambda, svc.name, span(every), span(warmup), span(horizon))
		r.Oracle = fmt.Sprintf("λ·E[S] = %g; exactly λ·(E[S] − E[(S−t)⁺]) averaged over the sampling times", lambda*svc.d.Mean())
		r.Note = fmt.Sprintf("start-up transient included in the analytic value: λ·E[S] − exact = %.2g", lambda*svc.d.Mean()-exact)
		out = append(out, r)
	}
	return out, nil
}

// checkErlangB: one function, Poisson arrivals, account concurrency quota c, no cold-start
// time. An invocation arriving when c are running is throttled (TooManyRequestsException)
// and lost: an M/G/c/c system, whose blocking probability is Erlang's B(c, a), insensitive
// to the service distribution. The other two limits cannot bind: the account's
// invocations-per-second cap is 10·c per second (the model's default) against λ ≤ a few
// per second, and the scaling-rate limit (1,000 new environments per 10 s) against at most
// 2c environment creations in any 10 s (environments alive never exceed c, and one only
// disappears after 10 idle minutes).
func checkErlangB(o Options) ([]Result, error) {
	cases := []struct {
		c      int
		a      float64
		svc    sim.Dist
		svcTxt string
	}{
		{10, 8, logNormalMean(time.Second, 1), "lognormal, mean 1 s, σ = 1"},
		{5, 3, sim.Const(500 * time.Millisecond), "deterministic 0.5 s"},
	}
	warmup := pick(o, 100*time.Second, 50*time.Second)
	horizon := pick(o, 20000*time.Second, 500*time.Second)
	reps := pick(o, 20, 8)
	var out []Result
	for k, tc := range cases {
		lambda := tc.a / tc.svc.Mean()
		cfg := fleet(queueParams(), 1, false, func(_ int, f *model.Function) {
			f.Workload = model.Workload{Rate: lambda, Service: tc.svc}
		})
		cfg.Accounts[0].Concurrency = tc.c
		cfg.SampleEvery = 10 * time.Second
		id := fmt.Sprintf("erlangb/%d", k)
		cols, err := replicate(o.Seed, id, reps, o.workers(), func(seed sim.Seed) ([]float64, error) {
			t := newTally(sim.Time(warmup), sim.Time(horizon))
			if _, err := runModel(&cfg, seed, horizon, t); err != nil {
				return nil, err
			}
			if t.tooMany != t.throttled {
				return nil, fmt.Errorf("%d throttled but %d TooManyRequestsException", t.throttled, t.tooMany)
			}
			if t.failed != 0 {
				return nil, fmt.Errorf("%d invocations failed with an error other than a throttle", t.failed)
			}
			return []float64{float64(t.throttled) / float64(t.throttled+t.admitted)}, nil
		})
		if err != nil {
			return nil, err
		}
		r := compare(o, "erlangb", cols[0], ErlangB(tc.c, tc.a))
		r.Name = fmt.Sprintf("throttled share, c = %d, a = %g", tc.c, tc.a)
		r.Setup = fmt.Sprintf("1 function, Poisson λ = %.4g/s, service %s, cold start 0, account concurrency quota c = %d "+
			"(invocations-per-second cap 10·c = %d/s), scaling-rate limit at its default 1,000 per 10 s; "+
			"invocations arriving in [%s, %s)", lambda, tc.svcTxt, tc.c, 10*tc.c, span(warmup), span(horizon))
		r.Oracle = fmt.Sprintf("B(c, a) by B(k) = a·B(k−1)/(k + a·B(k−1)), a = λ·E[S] = %g", tc.a)
		r.Note = "the throttled count equals the TooManyRequestsException count in every replication (checked)"
		out = append(out, r)
	}
	return out, nil
}
