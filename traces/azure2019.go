package traces

import (
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/enisim/enisim/sim"
)

// MinutesPerDay is the number of per-minute count columns of an Azure 2019 _inv.csv file.
const MinutesPerDay = 1440

// Function identifies one function of the Azure 2019 trace. The hashes are only unique
// together (a function hash is scoped by its app and owner).
type Function struct {
	ID, App, Owner string
}

// FunctionTable is an Azure 2019 _inv.csv day: the functions in file order (their index is
// Arrival.Func) and the number of invocations each started in each minute.
type FunctionTable struct {
	Functions []Function
	counts    []uint32 // row-major: counts[fn*MinutesPerDay+minute]
	total     int64
}

// Count is the number of invocations function fn started in minute m (0-based).
func (t *FunctionTable) Count(fn, m int) uint32 { return t.counts[fn*MinutesPerDay+m] }

// Total is the number of invocations in the day.
func (t *FunctionTable) Total() int64 { return t.total }

// FunctionTotal is the number of invocations of function fn in the day.
func (t *FunctionTable) FunctionTotal(fn int) int64 {
	var s int64
	for _, c := range t.counts[fn*MinutesPerDay : (fn+1)*MinutesPerDay] {
		s += int64(c)
	}
	return s
}

// Subset returns a table of the functions fns (indices into t, in that order, no
// repeats), sharing nothing with t. Use it to split a trace among accounts; pass the
// original indices to ArrivalsKeyed to keep each function's arrivals unchanged.
func (t *FunctionTable) Subset(fns []int) (*FunctionTable, error) {
	s := &FunctionTable{Functions: make([]Function, 0, len(fns)), counts: make([]uint32, 0, len(fns)*MinutesPerDay)}
	seen := make(map[int]bool, len(fns))
	for _, fn := range fns {
		if fn < 0 || fn >= len(t.Functions) {
			return nil, fmt.Errorf("%w: function index %d out of range [0, %d)", ErrBadTrace, fn, len(t.Functions))
		}
		if seen[fn] {
			return nil, fmt.Errorf("%w: function index %d listed twice", ErrBadTrace, fn)
		}
		seen[fn] = true
		s.Functions = append(s.Functions, t.Functions[fn])
		s.counts = append(s.counts, t.counts[fn*MinutesPerDay:(fn+1)*MinutesPerDay]...)
		s.total += t.FunctionTotal(fn)
	}
	return s, nil
}

// Index returns the index of the function with the given key, or -1.
func (t *FunctionTable) Index(f Function) int {
	for i, g := range t.Functions {
		if g == f {
			return i
		}
	}
	return -1
}

func invHeader() []string {
	h := make([]string, 3+MinutesPerDay)
	h[0], h[1], h[2] = "HashFunction", "HashApp", "HashOwner"
	for m := 0; m < MinutesPerDay; m++ {
		h[3+m] = "minute_" + strconv.Itoa(m+1)
	}
	return h
}

var invColumns = invHeader()

// ReadAzure2019Invocations reads an Azure 2019 _inv.csv file; name is used in errors.
func ReadAzure2019Invocations(r io.Reader, name string) (*FunctionTable, error) {
	l := newLineReader(r, name)
	if err := l.expectHeader(invColumns); err != nil {
		return nil, err
	}
	t := &FunctionTable{}
	seen := make(map[Function]int)
	for {
		line, ok, err := l.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		l.split(line)
		if err := l.wantFields(len(invColumns), "HashFunction,HashApp,HashOwner,minute_1..minute_1440"); err != nil {
			return nil, err
		}
		for i := 0; i < 3; i++ {
			if len(l.fields[i]) == 0 {
				return nil, l.fieldErr(i, invColumns[i], "empty")
			}
		}
		f := Function{ID: string(l.fields[0]), App: string(l.fields[1]), Owner: string(l.fields[2])}
		if prev, dup := seen[f]; dup {
			return nil, l.fieldErr(0, invColumns[0], "function %s of app %s listed twice (first as function %d)", short(f.ID), short(f.App), prev)
		}
		seen[f] = len(t.Functions)
		t.Functions = append(t.Functions, f)
		for m := 0; m < MinutesPerDay; m++ {
			c, ok := parseCount(l.fields[3+m])
			if !ok {
				return nil, l.fieldErr(3+m, invColumns[3+m], "%q is not a non-negative integer count", l.fields[3+m])
			}
			t.counts = append(t.counts, c)
			t.total += int64(c)
		}
	}
	if len(t.Functions) == 0 {
		return nil, &Error{File: name, Line: l.line + 1, Column: 1, Msg: "no functions"}
	}
	return t, nil
}

// short abbreviates a 64-hex-digit hash for messages.
func short(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return h
}

// Azure2019 is one day of the Azure 2019 trace with its side tables aligned to the
// function table: Runs[i], Durations[i] and MemoryMB[i] describe Functions[i].
type Azure2019 struct {
	*FunctionTable
	Runs      []RunStats  // execution-time statistics per function
	Durations []sim.Dist  // per-function execution time, see RunStats.Durations
	Apps      []AppMemory // the _mem.csv rows, in file order
	MemoryMB  []float64   // the function's app's average allocated memory (MB)
}

// OpenAzure2019 reads prefix+"_inv.csv", prefix+"_run.csv" and prefix+"_mem.csv" (e.g.
// prefix "../shared/traces/azure2019/1000") and aligns them. Every function must have a
// run row and its app a memory row.
func OpenAzure2019(prefix string) (*Azure2019, error) {
	var d Azure2019
	var err error
	if d.FunctionTable, err = readFile(prefix+"_inv.csv", ReadAzure2019Invocations); err != nil {
		return nil, err
	}
	runs, err := readFile(prefix+"_run.csv", ReadAzure2019Runs)
	if err != nil {
		return nil, err
	}
	if d.Apps, err = readFile(prefix+"_mem.csv", ReadAzure2019Memory); err != nil {
		return nil, err
	}
	if d.Runs, err = AlignRuns(d.FunctionTable, runs); err != nil {
		return nil, fmt.Errorf("%s_run.csv: %w", prefix, err)
	}
	d.Durations = make([]sim.Dist, len(d.Runs))
	for i := range d.Runs {
		d.Durations[i] = d.Runs[i].Durations()
	}
	if d.MemoryMB, err = AlignMemory(d.FunctionTable, d.Apps); err != nil {
		return nil, fmt.Errorf("%s_mem.csv: %w", prefix, err)
	}
	return &d, nil
}

func readFile[T any](path string, read func(io.Reader, string) (T, error)) (T, error) {
	f, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, fmt.Errorf("traces: %w", err)
	}
	defer f.Close()
	return read(f, path)
}
