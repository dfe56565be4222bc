package validate

import (
	"fmt"
	"time"

	singlefunction "github.com/enisim/enisim/bench/single-function"
	"github.com/enisim/enisim/sim"
)

// Published is one figure of Mahmoudi & Khazaei, "SimFaaS: A Performance Simulator for
// Serverless Computing Platforms" (CLOSER 2021), as bench/single-function reproduces it.
type Published struct {
	Experiment string
	Quantity   string
	Value      float64
	// Rounding is half a unit of the last published digit.
	Rounding float64
	get      func(singlefunction.Result) float64
}

// SimFaaSFigures are the published figures compared: the reference experiment's cold-start
// probability (0.14 %) and instance counts (7.66 in all, 1.79 running, 5.87 idle), and the
// concurrency-cap experiment's rejected share (50.4 %).
func SimFaaSFigures() []Published {
	return []Published{
		{"reference", "cold-start probability", 0.0014, 0.00005, singlefunction.Result.ColdProb},
		{"reference", "average instances", 7.66, 0.005, func(r singlefunction.Result) float64 { return r.AvgInstances }},
		{"reference", "average running instances", 1.79, 0.005, func(r singlefunction.Result) float64 { return r.AvgRunning }},
		{"reference", "average idle instances", 5.87, 0.005, singlefunction.Result.AvgIdle},
		{"concurrency cap", "rejected share", 0.504, 0.0005, singlefunction.Result.RejectProb},
	}
}

// SimFaaSResult is the comparison of one published figure with replications of
// bench/single-function's experiment.
type SimFaaSResult struct {
	Published
	Params singlefunction.Params
	Est    Estimate
	Seed   sim.Seed
	Pass   bool
}

// SimFaaS runs bench/single-function's two experiments (singlefunction.Run, the library's
// own code: nothing is re-implemented here) over replications and compares each published
// figure. A published figure is one run of SimFaaS, not an expectation, so the rule is the
// prediction interval for one run: |mean − published| ≤ t·s·√(1 + 1/n) + rounding. The
// short version runs shorter horizons; the full-length published comparison is also
// asserted by bench/single-function's own tests.
func SimFaaS(o Options) ([]SimFaaSResult, error) {
	exps := map[string]singlefunction.Params{
		"reference":       singlefunction.Reference(),
		"concurrency cap": singlefunction.CapReference(),
	}
	reps := pick(o, 10, 3)
	if o.Short {
		exps["reference"] = withHorizon(exps["reference"], 1e4*time.Second)
		exps["concurrency cap"] = withHorizon(exps["concurrency cap"], 10*time.Second)
	}
	runs := map[string][]singlefunction.Result{}
	for _, name := range []string{"reference", "concurrency cap"} {
		p := exps[name]
		rs := make([]singlefunction.Result, reps)
		errs := sim.Parallel(reps, o.workers(), func(i int) error {
			seed := o.Seed.Derive("simfaas/"+name, uint64(i))
			r, err := singlefunction.Run(p, seed)
			if err != nil {
				return fmt.Errorf("simfaas %s replication %d (seed %d): %w", name, i, uint64(seed), err)
			}
			rs[i] = r
			return nil
		})
		for _, err := range errs {
			if err != nil {
				return nil, err
			}
		}
		runs[name] = rs
	}
	var out []SimFaaSResult
	for _, f := range SimFaaSFigures() {
		xs := make([]float64, 0, reps)
		for _, r := range runs[f.Experiment] {
			xs = append(xs, f.get(r))
		}
		e := Estimated(xs, o.level())
		out = append(out, SimFaaSResult{Published: f, Params: exps[f.Experiment], Est: e, Seed: o.Seed,
			Pass: e.Predicts(f.Value, f.Rounding)})
	}
	return out, nil
}

func withHorizon(p singlefunction.Params, h time.Duration) singlefunction.Params {
	p.Horizon = h
	return p
}
