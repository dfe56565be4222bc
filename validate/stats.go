package validate

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Estimate summarises independent replications of one quantity: their mean, standard
// deviation and the half-width of a Student-t confidence interval at Level.
type Estimate struct {
	Mean, SD, Half float64
	N              int
	Level          float64
}

// Estimated returns the estimate of xs (one value per replication) at confidence level.
// Fewer than two values give an infinite half-width: no interval can be claimed.
func Estimated(xs []float64, level float64) Estimate {
	e := Estimate{N: len(xs), Level: level, Half: math.Inf(1)}
	if len(xs) == 0 {
		e.Mean, e.SD = math.NaN(), math.NaN()
		return e
	}
	e.Mean, e.SD = stat.MeanStdDev(xs, nil)
	if len(xs) < 2 {
		e.SD = math.NaN()
		return e
	}
	e.Half = tQuantile(level, len(xs)-1) * e.SD / math.Sqrt(float64(len(xs)))
	return e
}

// tQuantile is the two-sided Student-t critical value at level with nu degrees of freedom.
func tQuantile(level float64, nu int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(nu)}.Quantile(1 - (1-level)/2)
}

// Contains reports whether x lies in the confidence interval. A zero-width interval (every
// replication gave the same value, e.g. a count that must be 0) contains only that value.
func (e Estimate) Contains(x float64) bool {
	return math.Abs(e.Mean-x) <= e.Half
}

// Predicts reports whether x lies in the prediction interval for one more replication,
// widened by slack: the right test for a figure that is itself one run of a simulation.
func (e Estimate) Predicts(x, slack float64) bool {
	if e.N < 2 {
		return false
	}
	h := tQuantile(e.Level, e.N-1) * e.SD * math.Sqrt(1+1/float64(e.N))
	return math.Abs(e.Mean-x) <= h+slack
}

// PredictionHalf is the half-width of the prediction interval Predicts uses (without slack).
func (e Estimate) PredictionHalf() float64 {
	if e.N < 2 {
		return math.Inf(1)
	}
	return tQuantile(e.Level, e.N-1) * e.SD * math.Sqrt(1+1/float64(e.N))
}

// T is the Student statistic of x: how many standard errors it lies from the mean.
func (e Estimate) T(x float64) float64 {
	se := e.SD / math.Sqrt(float64(e.N))
	if se == 0 {
		if e.Mean == x {
			return 0
		}
		return math.Inf(1)
	}
	return (e.Mean - x) / se
}

func (e Estimate) String() string {
	return fmt.Sprintf("%.6g ± %.3g (%g%% CI, n = %d)", e.Mean, e.Half, 100*e.Level, e.N)
}
