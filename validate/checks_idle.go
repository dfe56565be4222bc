package validate

import (
	"fmt"
	"math"
	"time"

	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/model/dataplane"
	"github.com/enisim/enisim/sim"
)

const day = 24 * time.Hour

// checkReclaim: many functions, each with its own security group (so its own Hyperplane
// ENI), deployed at 0 and invoked as independent Poisson processes for T. A function is
// reclaimed (Inactive, reason Idle) when its ENI has gone R = 14 days without an
// invocation; counting from 0 for the first gap. The next invocation fails and restores it.
// Oracles: the expected number of reclamations per function and the probability of at
// least one (ReclaimsExpected, ReclaimProbability). The EC2 buckets and the VPC ENI quota
// are raised so that restores are never throttled.
func checkReclaim(o Options) ([]Result, error) {
	cases := []struct{ gap, horizon time.Duration }{
		{10 * day, 60 * day},
		{7 * day, 45 * day},
	}
	n := pick(o, 4000, 150)
	reps := pick(o, 20, 8)
	var out []Result
	for k, tc := range cases {
		p := model.DefaultParams()
		lambda := 1 / tc.gap.Seconds()
		names := make([]string, n)
		cfg := fleet(p, n, true, func(i int, f *model.Function) {
			names[i] = f.Name
			f.Workload = model.Workload{Rate: lambda}
		})
		cfg.SampleEvery = tc.horizon // one interval: the tally needs no samples
		id := fmt.Sprintf("reclaim/%d", k)
		cols, err := replicate(o.Seed, id, reps, o.workers(), func(seed sim.Seed) ([]float64, error) {
			t := newTally(0, sim.Time(tc.horizon))
			t.trackFunctions(names)
			if _, err := runModel(&cfg, seed, tc.horizon, t); err != nil {
				return nil, err
			}
			total, any := 0, 0
			for _, c := range t.reclaims {
				total += int(c)
				if c > 0 {
					any++
				}
			}
			return []float64{float64(total) / float64(n), float64(any) / float64(n)}, nil
		})
		if err != nil {
			return nil, err
		}
		r, tt := p.IdleReclaim.Seconds(), tc.horizon.Seconds()
		setup := fmt.Sprintf("%d functions per replication, each with its own ENI, deployed at 0, Poisson invocations "+
			"with mean gap %s (λ = %.4g/s) over T = %s; IdleReclaim R = %s; restore time and ENI deletion at their "+
			"defaults; EC2 buckets and VPC ENI quota raised out of reach", n, span(tc.gap), lambda, span(tc.horizon), span(p.IdleReclaim))
		bias := ReclaimRestoreBias(lambda, r, tt, p.Restore.Mean())
		e := compare(o, "reclaim", cols[0], ReclaimsExpected(lambda, r, tt))
		e.Name = fmt.Sprintf("reclamations per function, mean gap %s, T = %s", span(tc.gap), span(tc.horizon))
		e.Setup = setup
		e.Oracle = "e^{−λR}·(1 + λ(T − R))"
		e.Note = fmt.Sprintf("restores (mean %.0f s) can move the model's expectation by at most %.1g (see docs/validation.md)",
			p.Restore.Mean(), bias)
		q := compare(o, "reclaim", cols[1], ReclaimProbability(lambda, r, tt))
		q.Name = fmt.Sprintf("share of functions reclaimed at least once, mean gap %s, T = %s", span(tc.gap), span(tc.horizon))
		q.Setup = setup
		q.Oracle = "1 − q(T), q' (t) = −λe^{−λR}·q(t−R), q = 1 on [0, R), q(R) = 1 − e^{−λR} (method of steps, exact)"
		out = append(out, e, q)
	}
	return out, nil
}

// checkKeepalive: one function with keep-alive connections to one target and an account
// concurrency of 1, so it has exactly one execution environment and one connection;
// invocations arriving while it runs are throttled. A connection's last use is the end of
// the invocation that used it, and the next admitted invocation is the first arrival after
// that end: by memorylessness the idle time is exponential with rate λ, so the share of
// reuses that find the flow dropped (idle > 350 s) is e^{−350λ}. Keepalive probes every
// 300 s keep the flow alive (no resets); probes every 7,200 s (Linux's default) do not.
// Environments never expire (EnvIdleExpiry 1,000 days), so every warm invocation reuses.
func checkKeepalive(o Options) ([]Result, error) {
	cases := []struct {
		gap, probe time.Duration
		txt        string
	}{
		{350 * time.Second, 0, "no probes"},
		{200 * time.Second, 0, "no probes"},
		{350 * time.Second, 7200 * time.Second, "probes every 7,200 s (Linux default)"},
		{350 * time.Second, 300 * time.Second, "probes every 300 s"},
	}
	horizon := pick(o, 2e7*time.Second, 5e5*time.Second)
	reps := pick(o, 20, 8)
	var out []Result
	for k, tc := range cases {
		p := model.DefaultParams()
		p.EnvIdleExpiry = 1000 * day
		lambda := 1 / tc.gap.Seconds()
		cfg := fleet(p, 1, false, func(_ int, f *model.Function) {
			f.ConnMode = dataplane.KeepAlive
			f.Targets = []dataplane.Target{{Name: "db", RTT: sim.Const(time.Millisecond), TLS: dataplane.TLS13,
				Operation: sim.Const(2 * time.Millisecond), Ops: 1}}
			f.ProbeInterval = tc.probe
			f.Workload = model.Workload{Rate: lambda, Service: sim.Const(10 * time.Millisecond)}
		})
		cfg.Accounts[0].Concurrency = 1
		cfg.SampleEvery = day
		id := fmt.Sprintf("keepalive/%d", k)
		cols, err := replicate(o.Seed, id, reps, o.workers(), func(seed sim.Seed) ([]float64, error) {
			t := newTally(0, sim.Time(horizon))
			if _, err := runModel(&cfg, seed, horizon, t); err != nil {
				return nil, err
			}
			if t.reused+t.resets == 0 {
				return nil, fmt.Errorf("no connection reuse at all")
			}
			return []float64{float64(t.resets) / float64(t.reused+t.resets)}, nil
		})
		if err != nil {
			return nil, err
		}
		want := KeepaliveResetShare(lambda, p.NetworkIdleTimeout, tc.probe)
		r := compare(o, "keepalive", cols[0], want)
		r.Name = fmt.Sprintf("share of reuses reset, mean gap %s, %s", span(tc.gap), tc.txt)
		r.Setup = fmt.Sprintf("1 function, keep-alive connection to 1 target, account concurrency 1 (one environment), "+
			"Poisson λ = 1/%s, service 10 ms, network idle timeout %s, %s, environments never expire, T = %s",
			span(tc.gap), span(p.NetworkIdleTimeout), tc.txt, span(horizon))
		if want == 0 {
			r.Oracle = "0: probes below the timeout keep every flow alive"
		} else {
			r.Oracle = fmt.Sprintf("P(idle > %s) = e^{−λ·%g s} = %.4f", span(p.NetworkIdleTimeout), p.NetworkIdleTimeout.Seconds(), math.Exp(-lambda*p.NetworkIdleTimeout.Seconds()))
		}
		out = append(out, r)
	}
	return out, nil
}

// span prints a duration in its natural unit: "14 d", "350 s", "2e+06 s".
func span(d time.Duration) string {
	switch {
	case d >= day && d%day == 0:
		return fmt.Sprintf("%d d", d/day)
	case d%time.Second == 0:
		return fmt.Sprintf("%g s", d.Seconds())
	}
	return d.String()
}
