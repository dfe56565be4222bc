package report

import (
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/enisim/enisim/results"
)

// Estimate is a sample mean with its two-sided 95% confidence interval from Student's t
// distribution (replications are few, so the normal approximation would be too narrow).
// With N < 2 there is no interval: HalfWidth is NaN.
type Estimate struct {
	N         int
	Mean      float64
	HalfWidth float64
}

// MeanCI95 estimates the mean of xs with a 95% Student-t confidence interval.
func MeanCI95(xs []float64) Estimate {
	e := Estimate{N: len(xs), HalfWidth: math.NaN()}
	if len(xs) == 0 {
		e.Mean = math.NaN()
		return e
	}
	e.Mean = stat.Mean(xs, nil)
	if len(xs) < 2 {
		return e
	}
	sd := stat.StdDev(xs, nil) // unbiased (n-1)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(len(xs) - 1)}.Quantile(0.975)
	e.HalfWidth = t * sd / math.Sqrt(float64(len(xs)))
	return e
}

// metric is one per-run figure compared across replications and sweep points.
type metric struct {
	Name string
	Unit string // "s", "%", "" (count)
	Get  func(results.Summary) float64
}

var metrics = []metric{
	{"Peak Hyperplane ENIs in a VPC", "", func(s results.Summary) float64 {
		m := 0.0
		for _, v := range s.VPCs {
			m = math.Max(m, float64(v.PeakENIs))
		}
		return m
	}},
	{"Peak VPC ENI quota use", "%", func(s results.Summary) float64 {
		m := 0.0
		for _, v := range s.VPCs {
			m = math.Max(m, 100*v.Utilization)
		}
		return m
	}},
	{"Peak subnet IP use", "%", func(s results.Summary) float64 {
		m := 0.0
		for _, v := range s.Subnets {
			m = math.Max(m, 100*v.Utilization)
		}
		return m
	}},
	{"Pending p50", "s", func(s results.Summary) float64 { return s.Pending.P50S }},
	{"Pending p99", "s", func(s results.Summary) float64 { return s.Pending.P99S }},
	{"Latency p50", "s", func(s results.Summary) float64 { return s.Latency.P50S }},
	{"Latency p99", "s", func(s results.Summary) float64 { return s.Latency.P99S }},
	{"Failed invocations", "", func(s results.Summary) float64 { return float64(s.Invocations.Failed) }},
	{"Throttled ENI API calls", "", func(s results.Summary) float64 { return float64(s.ENIAPI.Throttled) }},
	{"Functions gone Inactive", "", func(s results.Summary) float64 { return float64(s.Functions.FunctionsInactive) }},
}

// sweepRow is one sweep point: the estimate of every metric over its replications.
type sweepRow struct {
	Sweep     int
	Params    string
	Estimates []Estimate
}

// acrossRuns groups the runs' summaries by sweep point (in sweep order) and estimates every
// metric over the replications of each point.
func acrossRuns(sums []results.Summary) []sweepRow {
	var rows []sweepRow
	for i := 0; i < len(sums); {
		j := i
		for j < len(sums) && sums[j].Run.Sweep == sums[i].Run.Sweep {
			j++
		}
		row := sweepRow{Sweep: sums[i].Run.Sweep, Params: sums[i].Run.ParamsJSON}
		for _, m := range metrics {
			xs := make([]float64, 0, j-i)
			for _, s := range sums[i:j] {
				xs = append(xs, m.Get(s))
			}
			row.Estimates = append(row.Estimates, MeanCI95(xs))
		}
		rows = append(rows, row)
		i = j
	}
	return rows
}
