package traces

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/enisim/enisim/sim"
)

func TestAzure2021Sample(t *testing.T) {
	dir := sharedTraces(t)
	path := filepath.Join(dir, "azure2021", "Azure2021_200.csv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// Independent reading of the file for the expected values.
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		start, dur float64
		key        string
	}
	var rows []row
	sc := bufio.NewScanner(strings.NewReader(string(raw)))
	sc.Scan() // header
	for sc.Scan() {
		p := strings.Split(sc.Text(), ",")
		end, _ := strconv.ParseFloat(p[2], 64)
		dur, _ := strconv.ParseFloat(p[3], 64)
		rows = append(rows, row{end - dur, dur, p[0] + "," + p[1]})
	}

	r := NewAzure2021(f, path, 0)
	got, err := Collect(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows) || len(rows) < 190 {
		t.Fatalf("%d arrivals, want %d", len(got), len(rows))
	}
	for i := 1; i < len(got); i++ {
		if got[i].At < got[i-1].At {
			t.Fatalf("arrival %d at %v before %v", i, got[i].At, got[i-1].At)
		}
	}
	// The sample is sorted by start, so arrival i is row i.
	for i, a := range got {
		w := rows[i]
		if d := a.At.Seconds() - w.start; d > 1e-6 || d < -1e-6 {
			t.Fatalf("arrival %d starts at %v s, want %v", i, a.At.Seconds(), w.start)
		}
		if d := a.Duration.Seconds() - w.dur; d > 1e-6 || d < -1e-6 {
			t.Fatalf("arrival %d lasts %v, want %v s", i, a.Duration, w.dur)
		}
		fk := r.Functions[a.Func]
		if fk.App+","+fk.Func != w.key {
			t.Fatalf("arrival %d is function %v, want %s", i, fk, w.key)
		}
	}
	if len(r.Functions) != 31 {
		t.Fatalf("%d functions, want 31", len(r.Functions))
	}
}

func TestAzure2021Reorder(t *testing.T) {
	const hdr = "app,func,end_timestamp,duration\n"
	// Starts: 5, 1, 3, 2 (end − duration); a window of 4 sorts them.
	data := hdr + "a,f,6,1\na,g,2,1\na,f,4,1\n\"b\",\"h\",2.5,0.5\n"
	r := NewAzure2021(strings.NewReader(data), "x.csv", 4)
	got, err := Collect(r)
	if err != nil {
		t.Fatal(err)
	}
	want := []Arrival{{At: sim.Time(time.Second), Func: 1, Duration: time.Second}, {At: sim.Time(2 * time.Second), Func: 2, Duration: 500 * time.Millisecond}, {At: sim.Time(3 * time.Second), Func: 0, Duration: time.Second}, {At: sim.Time(5 * time.Second), Func: 0, Duration: time.Second}}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("arrival %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if r.Functions[2] != (FunctionKey{App: "b", Func: "h"}) {
		t.Fatalf("functions %v", r.Functions)
	}
	// A window of 2 cannot: 1 s and then 3 s are emitted before the row starting at 2 s
	// (line 5) is read, so that row is rejected.
	_, err = Collect(NewAzure2021(strings.NewReader(data), "x.csv", 2))
	checkTraceErr(t, err, "x.csv", 5, 1, "", "reorder window (2 rows)")
}

func TestAzure2021Errors(t *testing.T) {
	const hdr = "app,func,end_timestamp,duration\n"
	cases := []struct {
		name, data  string
		line, col   int
		field, want string
	}{
		{"empty", "", 1, 1, "", "empty file"},
		{"header", "app,func,end,duration\n", 1, 10, "", `"end"`},
		{"columns", hdr + "a,f,1\n", 2, 5, "", "3 fields, want 4"},
		{"too many", hdr + "a,f,1,1,9\n", 2, 9, "", "5 fields, want 4"},
		{"end", hdr + "a,f,x,1\n", 2, 5, "end_timestamp", `"x" is not a number`},
		{"negative duration", hdr + "a,f,3,-1\n", 2, 7, "duration", "negative"},
		{"start before zero", hdr + "a,f,1,2\n", 2, 7, "duration", "before the trace"},
		{"empty app", hdr + ",f,1,1\n", 2, 1, "app", "empty"},
		{"inf", hdr + "a,f,Inf,1\n", 2, 5, "end_timestamp", "finite"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Collect(NewAzure2021(strings.NewReader(tc.data), "z.csv", 0))
			checkTraceErr(t, err, "z.csv", tc.line, tc.col, tc.field, tc.want)
		})
	}
}

func TestPlainCSV(t *testing.T) {
	cases := []struct {
		name  string
		data  string
		opt   PlainCSVOptions
		want  []Arrival
		funcs []string
	}{
		{"seconds, no duration", "function,timestamp\nf,0\ng,1.5\nf,1.5\n", PlainCSVOptions{},
			[]Arrival{{At: 0, Func: 0}, {At: sim.Time(1500 * time.Millisecond), Func: 1}, {At: sim.Time(1500 * time.Millisecond), Func: 0}}, []string{"f", "g"}},
		{"seconds and Go durations", "Function, Timestamp ,DURATION\r\nf,2,0.25\r\ng,3,1m30s\r\nf,4,\r\n", PlainCSVOptions{},
			[]Arrival{{At: sim.Time(2 * time.Second), Func: 0, Duration: 250 * time.Millisecond}, {At: sim.Time(3 * time.Second), Func: 1, Duration: 90 * time.Second}, {At: sim.Time(4 * time.Second), Func: 0}}, []string{"f", "g"}},
		{"RFC3339 relative to the first row", "function,timestamp,duration\nf,2024-03-01T12:00:00Z,100ms\ng,2024-03-01T13:00:00.5+01:00,1\nf,2024-03-01T12:00:02.000000001Z,0\n", PlainCSVOptions{},
			[]Arrival{{At: 0, Func: 0, Duration: 100 * time.Millisecond}, {At: sim.Time(500 * time.Millisecond), Func: 1, Duration: time.Second}, {At: sim.Time(2*time.Second + 1), Func: 0}}, []string{"f", "g"}},
		{"RFC3339 with an origin, disorder within the window", "function,timestamp\nf,2024-03-01T12:00:05Z\ng,2024-03-01T12:00:01Z\n", PlainCSVOptions{Origin: time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)},
			[]Arrival{{At: sim.Time(time.Second), Func: 1}, {At: sim.Time(5 * time.Second), Func: 0}}, []string{"f", "g"}},
		{"quoted names", "function,timestamp\n\"my fn\",1\n", PlainCSVOptions{}, []Arrival{{At: sim.Time(time.Second), Func: 0}}, []string{"my fn"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := NewPlainCSV(strings.NewReader(tc.data), "log.csv", tc.opt)
			got, err := Collect(p)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("arrival %d = %+v, want %+v", i, got[i], tc.want[i])
				}
			}
			if strings.Join(p.Functions, "|") != strings.Join(tc.funcs, "|") {
				t.Fatalf("functions %q, want %q", p.Functions, tc.funcs)
			}
		})
	}
}

func TestPlainCSVErrors(t *testing.T) {
	cases := []struct {
		name, data  string
		opt         PlainCSVOptions
		line, col   int
		field, want string
	}{
		{"empty", "", PlainCSVOptions{}, 1, 1, "", "empty file"},
		{"header", "fn,timestamp\n", PlainCSVOptions{}, 1, 1, "", `"fn"`},
		{"header width", "function\n", PlainCSVOptions{}, 1, 1, "", "header has 1 columns"},
		{"columns", "function,timestamp\nf,1,2\n", PlainCSVOptions{}, 2, 5, "", "3 fields, want 2"},
		{"bad seconds", "function,timestamp\nf,1\nf,soon\n", PlainCSVOptions{}, 3, 3, "timestamp", `"soon" is not a number`},
		{"negative seconds", "function,timestamp\nf,-1\n", PlainCSVOptions{}, 2, 3, "timestamp", "negative"},
		{"mixed forms", "function,timestamp\nf,2024-03-01T12:00:00Z\nf,5\n", PlainCSVOptions{}, 3, 3, "timestamp", "not an RFC 3339 time"},
		{"bad date", "function,timestamp\nf,2024-02-30T12:00:00Z\n", PlainCSVOptions{}, 2, 3, "timestamp", "not an RFC 3339 time"},
		{"no zone", "function,timestamp\nf,2024-02-03T12:00:00\n", PlainCSVOptions{}, 2, 3, "timestamp", "not an RFC 3339 time"},
		{"before origin", "function,timestamp\nf,2024-03-01T12:00:05Z\ng,2024-03-01T12:00:01Z\n", PlainCSVOptions{}, 3, 3, "timestamp", "before the origin"},
		{"unsorted beyond window", "function,timestamp\nf,5\nf,6\nf,7\nf,1\n", PlainCSVOptions{Window: 2}, 5, 3, "timestamp", "reorder window (2 rows)"},
		{"bad duration", "function,timestamp,duration\nf,1,fast\n", PlainCSVOptions{}, 2, 5, "duration", `"fast" is neither`},
		{"negative Go duration", "function,timestamp,duration\nf,1,-5s\n", PlainCSVOptions{}, 2, 5, "duration", "negative"},
		{"negative duration", "function,timestamp,duration\nf,1,-5\n", PlainCSVOptions{}, 2, 5, "duration", "negative"},
		{"empty function", "function,timestamp\n ,1\n", PlainCSVOptions{}, 2, 1, "function", "empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Collect(NewPlainCSV(strings.NewReader(tc.data), "log.csv", tc.opt))
			checkTraceErr(t, err, "log.csv", tc.line, tc.col, tc.field, tc.want)
		})
	}
}

// Per-arrival work allocates nothing once every function has been seen.
func TestArrivalsAllocationFree(t *testing.T) {
	table, err := ReadAzure2019Invocations(strings.NewReader(invFile(map[int]uint32{0: 2000, 1: 2000}, map[int]uint32{0: 3000})), "i.csv")
	if err != nil {
		t.Fatal(err)
	}
	durs := []sim.Dist{sim.Empirical([]float64{0.1, 0.2}), sim.LogNormalMedianP99(time.Second, 5*time.Second)}
	it := table.Arrivals(1, durs)
	if a := testing.AllocsPerRun(1000, func() { it.Next() }); a != 0 {
		t.Errorf("MinuteArrivals.Next: %v allocs per arrival", a)
	}

	var b strings.Builder
	b.WriteString("app,func,end_timestamp,duration\n")
	for i := 0; i < 5000; i++ {
		fmt := strconv.FormatFloat(float64(i)+0.5, 'f', 3, 64)
		b.WriteString("app" + strconv.Itoa(i%3) + ",fn," + fmt + ",0.25\n")
	}
	az := NewAzure2021(strings.NewReader(b.String()), "a.csv", 16)
	for i := 0; i < 100; i++ {
		az.Next()
	}
	if a := testing.AllocsPerRun(1000, func() { az.Next() }); a != 0 {
		t.Errorf("Azure2021.Next: %v allocs per arrival", a)
	}

	b.Reset()
	b.WriteString("function,timestamp,duration\n")
	for i := 0; i < 5000; i++ {
		b.WriteString("f" + strconv.Itoa(i%3) + ",2024-03-01T12:" + strconv.Itoa(10+i/100) + ":" + strconv.Itoa(10+i%100/2) + ".5Z,150ms\n")
	}
	pc := NewPlainCSV(strings.NewReader(b.String()), "p.csv", PlainCSVOptions{Window: 16})
	for i := 0; i < 100; i++ {
		pc.Next()
	}
	if a := testing.AllocsPerRun(1000, func() { pc.Next() }); a != 0 {
		t.Errorf("PlainCSV.Next: %v allocs per arrival", a)
	}
	if pc.Err() != nil || az.Err() != nil {
		t.Fatal(pc.Err(), az.Err())
	}
}
