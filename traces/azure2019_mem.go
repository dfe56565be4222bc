package traces

import (
	"fmt"
	"io"
)

// MemoryPercentiles are the percentile levels of the AverageAllocatedMb_pct* columns.
var MemoryPercentiles = [8]float64{1, 5, 25, 50, 75, 95, 99, 100}

// AppMemory is one row of an Azure 2019 _mem.csv file: the memory allocated by an app's
// instances (MB), sampled SampleCount times over the day.
type AppMemory struct {
	App, Owner    string
	SampleCount   int64
	AverageMB     float64
	PercentilesMB [8]float64 // at MemoryPercentiles
}

var memColumns = []string{
	"HashApp", "HashOwner", "SampleCount", "AverageAllocatedMb",
	"AverageAllocatedMb_pct1", "AverageAllocatedMb_pct5", "AverageAllocatedMb_pct25",
	"AverageAllocatedMb_pct50", "AverageAllocatedMb_pct75", "AverageAllocatedMb_pct95",
	"AverageAllocatedMb_pct99", "AverageAllocatedMb_pct100",
}

// ReadAzure2019Memory reads an Azure 2019 _mem.csv file; name is used in errors.
func ReadAzure2019Memory(r io.Reader, name string) ([]AppMemory, error) {
	l := newLineReader(r, name)
	if err := l.expectHeader(memColumns); err != nil {
		return nil, err
	}
	var out []AppMemory
	for {
		line, ok, err := l.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		l.split(line)
		if err := l.wantFields(len(memColumns), "HashApp,HashOwner,SampleCount,AverageAllocatedMb,AverageAllocatedMb_pct{1,5,25,50,75,95,99,100}"); err != nil {
			return nil, err
		}
		for i := 0; i < 2; i++ {
			if len(l.fields[i]) == 0 {
				return nil, l.fieldErr(i, memColumns[i], "empty")
			}
		}
		a := AppMemory{App: string(l.fields[0]), Owner: string(l.fields[1])}
		var vals [10]float64
		for i := range vals {
			v, msg := parseNonNegFloat(l.fields[2+i])
			if msg != "" {
				return nil, l.fieldErr(2+i, memColumns[2+i], "%s", msg)
			}
			vals[i] = v
		}
		if vals[0] != float64(int64(vals[0])) {
			return nil, l.fieldErr(2, "SampleCount", "%q is not an integer", l.fields[2])
		}
		a.SampleCount, a.AverageMB = int64(vals[0]), vals[1]
		copy(a.PercentilesMB[:], vals[2:])
		out = append(out, a)
	}
}

// AlignMemory returns, for each function of the table, the average allocated memory (MB)
// of its app; an app without a memory row is an error.
func AlignMemory(t *FunctionTable, apps []AppMemory) ([]float64, error) {
	type key struct{ app, owner string }
	by := make(map[key]float64, len(apps))
	for _, a := range apps {
		by[key{a.App, a.Owner}] = a.AverageMB
	}
	out := make([]float64, len(t.Functions))
	for i, f := range t.Functions {
		mb, ok := by[key{f.App, f.Owner}]
		if !ok {
			return nil, fmt.Errorf("%w: no memory row for app %s of function %d", ErrBadTrace, short(f.App), i)
		}
		out[i] = mb
	}
	return out, nil
}
