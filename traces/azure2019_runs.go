package traces

import (
	"fmt"
	"io"

	"github.com/enisim/enisim/sim"
)

// RunPercentiles are the percentile levels of the percentile_Average_* columns of an
// Azure 2019 _run.csv file.
var RunPercentiles = [7]float64{0, 1, 25, 50, 75, 99, 100}

// RunStats is one row of an Azure 2019 _run.csv file: the function's execution time in
// milliseconds over the day (cold starts excluded). The percentiles are those of the
// dataset's per-interval averages, not of single invocations, so the tails are narrower
// than the true per-invocation distribution.
type RunStats struct {
	Function
	Count                           int64
	AverageMs, MinimumMs, MaximumMs float64
	PercentilesMs                   [7]float64 // at RunPercentiles
}

var runColumns = []string{
	"HashFunction", "HashApp", "HashOwner", "Count", "Average", "Minimum", "Maximum",
	"percentile_Average_0", "percentile_Average_1", "percentile_Average_25",
	"percentile_Average_50", "percentile_Average_75", "percentile_Average_99",
	"percentile_Average_100",
}

// ReadAzure2019Runs reads an Azure 2019 _run.csv file; name is used in errors.
func ReadAzure2019Runs(r io.Reader, name string) ([]RunStats, error) {
	l := newLineReader(r, name)
	if err := l.expectHeader(runColumns); err != nil {
		return nil, err
	}
	var out []RunStats
	for {
		line, ok, err := l.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		l.split(line)
		if err := l.wantFields(len(runColumns), "HashFunction,HashApp,HashOwner,Count,Average,Minimum,Maximum,percentile_Average_{0,1,25,50,75,99,100}"); err != nil {
			return nil, err
		}
		var s RunStats
		for i := 0; i < 3; i++ {
			if len(l.fields[i]) == 0 {
				return nil, l.fieldErr(i, runColumns[i], "empty")
			}
		}
		s.Function = Function{ID: string(l.fields[0]), App: string(l.fields[1]), Owner: string(l.fields[2])}
		var vals [11]float64
		for i := range vals {
			v, msg := parseNonNegFloat(l.fields[3+i])
			if msg != "" {
				return nil, l.fieldErr(3+i, runColumns[3+i], "%s", msg)
			}
			vals[i] = v
		}
		if vals[0] != float64(int64(vals[0])) {
			return nil, l.fieldErr(3, "Count", "%q is not an integer", l.fields[3])
		}
		s.Count = int64(vals[0])
		s.AverageMs, s.MinimumMs, s.MaximumMs = vals[1], vals[2], vals[3]
		copy(s.PercentilesMs[:], vals[4:])
		for i := 1; i < len(s.PercentilesMs); i++ {
			if s.PercentilesMs[i] < s.PercentilesMs[i-1] {
				return nil, l.fieldErr(3+4+i, runColumns[3+4+i], "%v is below the previous percentile %v", s.PercentilesMs[i], s.PercentilesMs[i-1])
			}
		}
		out = append(out, s)
	}
}

// durationQuantiles is how many quantiles Durations keeps.
const durationQuantiles = 100

// Quantile is the execution time in seconds at probability p in [0,1], interpolated
// linearly between the published percentiles.
func (s *RunStats) Quantile(p float64) float64 {
	if p <= 0 {
		return s.PercentilesMs[0] / 1e3
	}
	for i := 1; i < len(RunPercentiles); i++ {
		hi := RunPercentiles[i] / 100
		if p <= hi {
			lo := RunPercentiles[i-1] / 100
			a, b := s.PercentilesMs[i-1], s.PercentilesMs[i]
			return (a + (b-a)*(p-lo)/(hi-lo)) / 1e3
		}
	}
	return s.PercentilesMs[len(s.PercentilesMs)-1] / 1e3
}

// Durations is the function's execution-time distribution as a sim.Dist: an Empirical
// over 100 equally likely values, the quantiles at (i+0.5)/100 of the piecewise-linear
// interpolation of the published percentiles. (Drawing uniformly from the seven percentile
// values themselves would give the 0th and 100th percentiles the same weight as the median.)
func (s *RunStats) Durations() sim.Dist {
	v := make([]float64, durationQuantiles)
	for i := range v {
		v[i] = s.Quantile((float64(i) + 0.5) / durationQuantiles)
	}
	return sim.Empirical(v)
}

// AlignRuns returns the run statistics in the table's function order; a function without
// a run row is an error.
func AlignRuns(t *FunctionTable, runs []RunStats) ([]RunStats, error) {
	by := make(map[Function]int, len(runs))
	for i, r := range runs {
		by[r.Function] = i
	}
	out := make([]RunStats, len(t.Functions))
	for i, f := range t.Functions {
		j, ok := by[f]
		if !ok {
			return nil, fmt.Errorf("%w: no execution-time row for function %d (%s of app %s)", ErrBadTrace, i, short(f.ID), short(f.App))
		}
		out[i] = runs[j]
	}
	return out, nil
}
