package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

// DistKind names a family of distributions.
type DistKind uint8

const (
	DistConst DistKind = iota
	DistExp
	DistLogNormal
	DistWeibull
	DistPareto
	DistUniform
	DistEmpirical
)

var distNames = [...]string{"const", "exp", "lognormal", "weibull", "pareto", "uniform", "empirical"}

func (k DistKind) String() string {
	if int(k) < len(distNames) {
		return distNames[k]
	}
	return fmt.Sprintf("DistKind(%d)", int(k))
}

// ParseDistKind maps a name such as "lognormal" to its kind.
func ParseDistKind(s string) (DistKind, error) {
	for i, n := range distNames {
		if n == s {
			return DistKind(i), nil
		}
	}
	return 0, fmt.Errorf("%w: unknown distribution %q (want one of %v)", ErrBadConfig, s, distNames)
}

// Dist describes a distribution of non-negative values in seconds. It is a plain value
// (a scenario parameter); Sample draws from it with a caller-supplied stream, through
// gonum's stat/distuv.
//
//	const:     A = value
//	exp:       A = mean
//	lognormal: A = mu, B = sigma of the log (see LogNormalMedianP99)
//	weibull:   A = scale λ, B = shape k
//	pareto:    A = scale xm, B = shape α
//	uniform:   A = min, B = max
//	empirical: Values = sorted samples, drawn uniformly
type Dist struct {
	Kind   DistKind
	A, B   float64
	Values []float64
}

// Const is a distribution that always gives d.
func Const(d time.Duration) Dist { return Dist{Kind: DistConst, A: d.Seconds()} }

// Exp is an exponential distribution with the given mean.
func Exp(mean time.Duration) Dist { return Dist{Kind: DistExp, A: mean.Seconds()} }

// z99 is the standard normal quantile at 0.99.
const z99 = 2.3263478740408408

// LogNormalMedianP99 is the lognormal distribution with the given median and 99th
// percentile. p99 == median gives a constant. Invalid input (median not positive, p99
// below the median) gives a Dist that Validate rejects: mu is not finite, or sigma is
// negative.
func LogNormalMedianP99(median, p99 time.Duration) Dist {
	mu := math.Log(median.Seconds())
	if median <= 0 {
		mu = math.NaN() // log of a non-positive median; Validate names it
	}
	sigma := (math.Log(p99.Seconds()) - mu) / z99
	if p99 <= 0 {
		sigma = math.Inf(-1) // p99 below any positive median
	}
	return Dist{Kind: DistLogNormal, A: mu, B: sigma}
}

// Weibull is the Weibull distribution with scale λ and shape k.
func Weibull(scale time.Duration, shape float64) Dist {
	return Dist{Kind: DistWeibull, A: scale.Seconds(), B: shape}
}

// Pareto is the Pareto distribution with scale (minimum) xm and shape α.
func Pareto(scale time.Duration, shape float64) Dist {
	return Dist{Kind: DistPareto, A: scale.Seconds(), B: shape}
}

// Uniform is the uniform distribution on [min, max].
func Uniform(min, max time.Duration) Dist {
	return Dist{Kind: DistUniform, A: min.Seconds(), B: max.Seconds()}
}

// Empirical draws uniformly from the given samples (seconds).
func Empirical(values []float64) Dist {
	v := append([]float64(nil), values...)
	sort.Float64s(v)
	return Dist{Kind: DistEmpirical, Values: v}
}

// Validate reports an invalid parameter by name and value.
func (d Dist) Validate() error {
	bad := func(field string, v float64, want string) error {
		return fmt.Errorf("%w: %s %s = %v: %s", ErrBadConfig, d.Kind, field, v, want)
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch d.Kind {
	case DistConst:
		if !finite(d.A) || d.A < 0 {
			return bad("value", d.A, "must be a finite, non-negative number")
		}
	case DistExp:
		if !finite(d.A) || d.A <= 0 {
			return bad("mean", d.A, "must be positive")
		}
	case DistLogNormal:
		if !finite(d.A) {
			return bad("mu", d.A, "must be finite (the median must be positive)")
		}
		if !finite(d.B) || d.B < 0 {
			return bad("sigma", d.B, "must be non-negative (p99 must not be below the median)")
		}
	case DistWeibull:
		if !finite(d.A) || d.A <= 0 {
			return bad("scale", d.A, "must be positive")
		}
		if !finite(d.B) || d.B <= 0 {
			return bad("shape", d.B, "must be positive")
		}
	case DistPareto:
		if !finite(d.A) || d.A <= 0 {
			return bad("scale", d.A, "must be positive")
		}
		if !finite(d.B) || d.B <= 0 {
			return bad("shape", d.B, "must be positive")
		}
	case DistUniform:
		if !finite(d.A) || d.A < 0 {
			return bad("min", d.A, "must be non-negative")
		}
		if !finite(d.B) || d.B < d.A {
			return bad("max", d.B, "must not be below min")
		}
	case DistEmpirical:
		if len(d.Values) == 0 {
			return fmt.Errorf("%w: empirical: no samples", ErrBadConfig)
		}
		for i, v := range d.Values {
			if !finite(v) || v < 0 {
				return fmt.Errorf("%w: empirical sample %d = %v: must be finite and non-negative", ErrBadConfig, i, v)
			}
		}
	default:
		return fmt.Errorf("%w: unknown distribution kind %d", ErrBadConfig, d.Kind)
	}
	return nil
}

// Sample draws one value in seconds from src.
func (d Dist) Sample(src rand.Source) float64 {
	switch d.Kind {
	case DistConst:
		return d.A
	case DistExp:
		return distuv.Exponential{Rate: 1 / d.A, Src: src}.Rand()
	case DistLogNormal:
		if d.B == 0 {
			return math.Exp(d.A)
		}
		return distuv.LogNormal{Mu: d.A, Sigma: d.B, Src: src}.Rand()
	case DistWeibull:
		return distuv.Weibull{Lambda: d.A, K: d.B, Src: src}.Rand()
	case DistPareto:
		return distuv.Pareto{Xm: d.A, Alpha: d.B, Src: src}.Rand()
	case DistUniform:
		return distuv.Uniform{Min: d.A, Max: d.B, Src: src}.Rand()
	case DistEmpirical:
		return d.Values[rand.New(src).IntN(len(d.Values))]
	}
	return 0
}

// Duration draws one span from src, capped at about 292 years.
func (d Dist) Duration(src rand.Source) time.Duration {
	s := d.Sample(src)
	if s >= math.MaxInt64/1e9 {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(s * 1e9)
}

// Mean is the distribution's expected value in seconds (+Inf when it has none).
func (d Dist) Mean() float64 {
	switch d.Kind {
	case DistConst:
		return d.A
	case DistExp:
		return d.A
	case DistLogNormal:
		return math.Exp(d.A + d.B*d.B/2)
	case DistWeibull:
		return distuv.Weibull{Lambda: d.A, K: d.B}.Mean()
	case DistPareto:
		if d.B <= 1 {
			return math.Inf(1)
		}
		return d.B * d.A / (d.B - 1)
	case DistUniform:
		return (d.A + d.B) / 2
	case DistEmpirical:
		s := 0.0
		for _, v := range d.Values {
			s += v
		}
		return s / float64(len(d.Values))
	}
	return math.NaN()
}
