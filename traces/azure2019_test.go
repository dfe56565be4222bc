package traces

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/enisim/enisim/sim"
)

// invFile builds a small _inv.csv: rows maps a function name to {minute: count}.
func invFile(rows ...map[int]uint32) string {
	var b strings.Builder
	b.WriteString(strings.Join(invColumns, ","))
	b.WriteString("\n")
	for i, r := range rows {
		fmt.Fprintf(&b, "f%d,a%d,o", i, i)
		for m := 0; m < MinutesPerDay; m++ {
			fmt.Fprintf(&b, ",%d", r[m])
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestAzure2019Day1000(t *testing.T) {
	dir := sharedTraces(t)
	d, err := OpenAzure2019(filepath.Join(dir, "azure2019", "1000"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(d.Functions); n != 1000 {
		t.Fatalf("%d functions, want 1000", n)
	}
	if d.Total() != 11_639_447 {
		t.Fatalf("total %d invocations, want 11,639,447 (traces/README.md)", d.Total())
	}
	if len(d.Runs) != 1000 || len(d.Durations) != 1000 || len(d.MemoryMB) != 1000 || len(d.Apps) != 1000 {
		t.Fatalf("side tables not aligned: %d runs, %d durations, %d memory, %d apps", len(d.Runs), len(d.Durations), len(d.MemoryMB), len(d.Apps))
	}
	for i := range d.Runs {
		if d.Runs[i].Function != d.Functions[i] {
			t.Fatalf("run %d is for %v, want %v", i, d.Runs[i].Function, d.Functions[i])
		}
		if err := d.Durations[i].Validate(); err != nil {
			t.Fatalf("function %d durations: %v", i, err)
		}
		if d.MemoryMB[i] <= 0 {
			t.Fatalf("function %d: memory %v MB", i, d.MemoryMB[i])
		}
	}

	// One pass over the day (the first two hours under the race detector): sorted,
	// per-minute counts kept exactly, durations within each function's published range.
	horizon := MinutesPerDay
	if raceEnabled {
		horizon = 120
	}
	end := sim.Time(int64(horizon) * int64(time.Minute))
	got := make([]uint32, len(d.Functions)*MinutesPerDay)
	it := d.Arrivals(sim.Seed(42), d.Durations)
	var n int64
	prev := Arrival{At: -1}
	for {
		a, ok := it.Next()
		if !ok || a.At >= end {
			break
		}
		if a.At < prev.At || a.At == prev.At && a.Func <= prev.Func {
			t.Fatalf("arrival %d %+v after %+v: not in (time, function) order", n, a, prev)
		}
		m := int(int64(a.At) / int64(time.Minute))
		if m < 0 || m >= MinutesPerDay {
			t.Fatalf("arrival %+v outside the day", a)
		}
		got[int(a.Func)*MinutesPerDay+m]++
		r := &d.Runs[a.Func]
		if s := a.Duration.Seconds(); s < r.PercentilesMs[0]/1e3-1e-9 || s > r.PercentilesMs[6]/1e3+1e-9 {
			t.Fatalf("arrival %+v: duration %v outside [%v, %v] ms", a, a.Duration, r.PercentilesMs[0], r.PercentilesMs[6])
		}
		prev = a
		n++
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	var want int64
	for fn := range d.Functions {
		for m := 0; m < horizon; m++ {
			g, w := got[fn*MinutesPerDay+m], d.Count(fn, m)
			if g != w {
				t.Fatalf("function %d minute %d: %d arrivals, want %d", fn, m, g, w)
			}
			want += int64(w)
		}
	}
	if n != want || horizon == MinutesPerDay && n != 11_639_447 {
		t.Fatalf("%d arrivals in %d minutes, want %d", n, horizon, want)
	}
}

// firstArrivals returns up to n arrivals of it.
func firstArrivals(t *testing.T, it Arrivals, n int) []Arrival {
	out := make([]Arrival, 0, n)
	for len(out) < n {
		a, ok := it.Next()
		if !ok {
			break
		}
		out = append(out, a)
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAzure2019Deterministic(t *testing.T) {
	dir := sharedTraces(t)
	d, err := OpenAzure2019(filepath.Join(dir, "azure2019", "100"))
	if err != nil {
		t.Fatal(err)
	}
	const n = 100_000
	a := firstArrivals(t, d.Arrivals(7, d.Durations), n)
	b := firstArrivals(t, d.Arrivals(7, d.Durations), n)
	c := firstArrivals(t, d.Arrivals(8, d.Durations), n)
	if len(a) != n || len(b) != n || len(c) != n {
		t.Fatalf("got %d, %d, %d arrivals; want %d each", len(a), len(b), len(c), n)
	}
	same := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, arrival %d: %+v vs %+v", i, a[i], b[i])
		}
		if a[i] == c[i] {
			same++
		}
	}
	if same > n/100 {
		t.Fatalf("seeds 7 and 8 agree on %d of %d arrivals", same, n)
	}
}

// A function's arrivals depend only on the seed and its index, not on the other functions
// (common random numbers across what-ifs).
func TestAzure2019StreamsPerFunction(t *testing.T) {
	two, err := ReadAzure2019Invocations(strings.NewReader(invFile(map[int]uint32{0: 5, 3: 2}, map[int]uint32{0: 7})), "two.csv")
	if err != nil {
		t.Fatal(err)
	}
	three, err := ReadAzure2019Invocations(strings.NewReader(invFile(map[int]uint32{0: 5, 3: 2}, map[int]uint32{0: 7}, map[int]uint32{0: 100, 1: 50})), "three.csv")
	if err != nil {
		t.Fatal(err)
	}
	only := func(table *FunctionTable, fn int32) []Arrival {
		all, err := Collect(table.Arrivals(3, nil))
		if err != nil {
			t.Fatal(err)
		}
		var out []Arrival
		for _, a := range all {
			if a.Func == fn {
				out = append(out, a)
			}
		}
		return out
	}
	for fn := int32(0); fn < 2; fn++ {
		a, b := only(two, fn), only(three, fn)
		if len(a) != len(b) || len(a) == 0 {
			t.Fatalf("function %d: %d vs %d arrivals", fn, len(a), len(b))
		}
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("function %d arrival %d: %+v vs %+v", fn, i, a[i], b[i])
			}
		}
	}
	if n := len(only(three, 2)); n != 150 {
		t.Fatalf("function 2: %d arrivals, want 150", n)
	}
}

// Arrivals within a minute are uniform: with 20,000 arrivals in minute 5, the mean offset
// is 30 s within 5 standard errors (σ = 60/√12 s) and the Kolmogorov–Smirnov distance to
// the uniform is below the 0.1% critical value 1.95/√n.
func TestAzure2019UniformWithinMinute(t *testing.T) {
	const n = 20000
	table, err := ReadAzure2019Invocations(strings.NewReader(invFile(map[int]uint32{5: n})), "u.csv")
	if err != nil {
		t.Fatal(err)
	}
	all, err := Collect(table.Arrivals(11, nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != n {
		t.Fatalf("%d arrivals", len(all))
	}
	sum, ks := 0.0, 0.0
	for i, a := range all {
		x := (a.At.Seconds() - 300) / 60
		if x < 0 || x >= 1 {
			t.Fatalf("arrival %v outside minute 5", a.At)
		}
		sum += x * 60
		ks = math.Max(ks, math.Max(math.Abs(float64(i+1)/n-x), math.Abs(x-float64(i)/n)))
	}
	mean := sum / n
	if se := 60 / math.Sqrt(12) / math.Sqrt(n); math.Abs(mean-30) > 5*se {
		t.Fatalf("mean offset %.3f s, want 30 ± %.3f", mean, 5*se)
	}
	if crit := 1.95 / math.Sqrt(n); ks > crit {
		t.Fatalf("KS distance %.4f > %.4f", ks, crit)
	}
}

func TestAzure2019Errors(t *testing.T) {
	header := strings.Join(invColumns, ",")
	zeros := strings.Repeat(",0", MinutesPerDay)
	cases := []struct {
		name, data  string
		line, col   int
		field, want string
	}{
		{"empty", "", 1, 1, "", "empty file"},
		{"bad header", "HashFunction,HashApp\n", 1, 1, "", "header has 2 columns"},
		{"renamed column", strings.Replace(header, "minute_7,", "minute_07,", 1) + "\n", 1, strings.Index(header, "minute_7,") + 1, "", `"minute_07"`},
		{"no rows", header + "\n", 2, 1, "", "no functions"},
		{"short row", header + "\nf,a,o,1,2\n", 2, 9, "", "5 fields, want 1443"},
		{"non-numeric", header + "\nf,a,o,1,x" + zeros[4:] + "\n", 2, 9, "minute_2", `"x" is not a non-negative integer`},
		{"negative", header + "\nf,a,o" + zeros[:4] + ",-3" + zeros[6:] + "\n", 2, 11, "minute_3", `"-3"`},
		{"float", header + "\nf,a,o,1.5" + zeros[2:] + "\n", 2, 7, "minute_1", `"1.5"`},
		{"empty id", header + "\n,a,o" + zeros + "\n", 2, 1, "HashFunction", "empty"},
		{"duplicate", header + "\nf,a,o" + zeros + "\n\nf,a,o" + zeros + "\n", 4, 1, "HashFunction", "listed twice"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadAzure2019Invocations(strings.NewReader(tc.data), "day_inv.csv")
			checkTraceErr(t, err, "day_inv.csv", tc.line, tc.col, tc.field, tc.want)
		})
	}
}

func checkTraceErr(t *testing.T, err error, file string, line, col int, field, want string) {
	t.Helper()
	if !errors.Is(err, ErrBadTrace) {
		t.Fatalf("error %v does not wrap ErrBadTrace", err)
	}
	var te *Error
	if !errors.As(err, &te) {
		t.Fatalf("%T is not a *traces.Error", err)
	}
	if te.File != file || te.Line != line || te.Column != col || te.Field != field || !strings.Contains(te.Msg, want) {
		t.Fatalf("got %v (field %q); want %s:%d:%d field %q containing %q", err, te.Field, file, line, col, field, want)
	}
}

func TestAzure2019RunsAndMemory(t *testing.T) {
	runs := strings.Join(runColumns, ",") + "\n" +
		"f0,a0,o,10,50,10,100,10,10,20,40,60,90,100\n"
	rs, err := ReadAzure2019Runs(strings.NewReader(runs), "r.csv")
	if err != nil {
		t.Fatal(err)
	}
	r := rs[0]
	if r.Count != 10 || r.AverageMs != 50 || r.PercentilesMs != [7]float64{10, 10, 20, 40, 60, 90, 100} {
		t.Fatalf("run = %+v", r)
	}
	for _, q := range []struct{ p, want float64 }{{0, 0.010}, {0.5, 0.040}, {0.625, 0.050}, {0.99, 0.090}, {0.995, 0.095}, {1, 0.100}} {
		if got := r.Quantile(q.p); math.Abs(got-q.want) > 1e-12 {
			t.Errorf("Quantile(%v) = %v, want %v", q.p, got, q.want)
		}
	}
	dist := r.Durations()
	if err := dist.Validate(); err != nil || len(dist.Values) != 100 {
		t.Fatalf("Durations: %v, %d values", err, len(dist.Values))
	}
	// The empirical median sits between the 50th and 51st values.
	if med := (dist.Values[49] + dist.Values[50]) / 2; math.Abs(med-0.040) > 1e-3 {
		t.Fatalf("median of Durations = %v, want ≈0.040", med)
	}
	table, err := ReadAzure2019Invocations(strings.NewReader(invFile(map[int]uint32{0: 1})), "i.csv")
	if err != nil {
		t.Fatal(err)
	}
	if al, err := AlignRuns(table, rs); err != nil || al[0].Function != table.Functions[0] {
		t.Fatalf("AlignRuns: %v", err)
	}
	if _, err := AlignRuns(table, nil); !errors.Is(err, ErrBadTrace) {
		t.Fatalf("AlignRuns without a row: %v", err)
	}

	mem := strings.Join(memColumns, ",") + "\na0,o,12,256,100,120,200,250,300,400,500,512\n"
	ms, err := ReadAzure2019Memory(strings.NewReader(mem), "m.csv")
	if err != nil {
		t.Fatal(err)
	}
	if ms[0].SampleCount != 12 || ms[0].AverageMB != 256 || ms[0].PercentilesMB[7] != 512 {
		t.Fatalf("memory = %+v", ms[0])
	}
	if mb, err := AlignMemory(table, ms); err != nil || mb[0] != 256 {
		t.Fatalf("AlignMemory = %v, %v", mb, err)
	}
	if _, err := AlignMemory(table, nil); !errors.Is(err, ErrBadTrace) {
		t.Fatalf("AlignMemory without a row: %v", err)
	}

	_, err = ReadAzure2019Runs(strings.NewReader(strings.Join(runColumns, ",")+"\nf0,a0,o,10,50,10,100,10,10,20,40,30,90,100\n"), "r.csv")
	checkTraceErr(t, err, "r.csv", 2, 34, "percentile_Average_75", "below the previous percentile")
	_, err = ReadAzure2019Runs(strings.NewReader(strings.Join(runColumns, ",")+"\nf0,a0,o,10,-5,10,100,10,10,20,40,60,90,100\n"), "r.csv")
	checkTraceErr(t, err, "r.csv", 2, 12, "Average", "negative")
	_, err = ReadAzure2019Memory(strings.NewReader(strings.Join(memColumns, ",")+"\na0,o,1.5,256,100,120,200,250,300,400,500,512\n"), "m.csv")
	checkTraceErr(t, err, "m.csv", 2, 6, "SampleCount", "not an integer")
	_, err = ReadAzure2019Memory(strings.NewReader(strings.Join(memColumns, ",")+"\na0,o,1,NaN,100,120,200,250,300,400,500,512\n"), "m.csv")
	checkTraceErr(t, err, "m.csv", 2, 8, "AverageAllocatedMb", "not a finite number")
}

// A Subset with ArrivalsKeyed by the original indices reproduces, function by function,
// the arrivals of the full table.
func TestAzure2019SubsetKeyed(t *testing.T) {
	full, err := ReadAzure2019Invocations(strings.NewReader(invFile(
		map[int]uint32{0: 5, 3: 2}, map[int]uint32{0: 7, 1439: 1}, map[int]uint32{1: 40}, map[int]uint32{0: 1})), "full.csv")
	if err != nil {
		t.Fatal(err)
	}
	durs := []sim.Dist{sim.Const(time.Second), sim.Exp(time.Second), sim.Exp(2 * time.Second), sim.Const(0)}
	all, err := Collect(full.Arrivals(5, durs))
	if err != nil {
		t.Fatal(err)
	}
	pick := []int{2, 0}
	sub, err := full.Subset(pick)
	if err != nil {
		t.Fatal(err)
	}
	if sub.Total() != full.FunctionTotal(2)+full.FunctionTotal(0) || sub.Functions[0] != full.Functions[2] {
		t.Fatalf("subset total %d, functions %v", sub.Total(), sub.Functions)
	}
	got, err := Collect(sub.ArrivalsKeyed(5, []sim.Dist{durs[2], durs[0]}, []uint64{2, 0}))
	if err != nil {
		t.Fatal(err)
	}
	var want []Arrival
	for _, a := range all {
		switch a.Func {
		case 2:
			a.Func = 0
			want = append(want, a)
		case 0:
			a.Func = 1
			want = append(want, a)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d arrivals, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("arrival %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// Unkeyed, the subset's function 0 draws from stream 0, not 2: different times.
	plain, _ := Collect(sub.Arrivals(5, nil))
	if plain[0].At == want[0].At {
		t.Fatal("unkeyed subset unexpectedly reproduced the keyed arrival times")
	}
	for _, bad := range [][]int{{4}, {-1}, {1, 1}} {
		if _, err := full.Subset(bad); !errors.Is(err, ErrBadTrace) {
			t.Errorf("Subset(%v) = %v, want ErrBadTrace", bad, err)
		}
	}
}
