package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/ipc"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/results/resultstest"
	"github.com/enisim/enisim/sim"
)

func testRunInfo() RunInfo {
	return RunInfo{RunID: "test-run", Sweep: 0, Rep: 0, Seed: 42, Scenario: "synthetic", ScenarioHash: "abc123",
		Version: "test", ParamsJSON: `{"vpc_quota":20}`}
}

// writeSynth writes the synthetic account(s) of synth into dir and returns the summary.
func writeSynth(t *testing.T, opts Options, accounts, n int, perInvocation bool) Summary {
	t.Helper()
	if opts.Partitions == 0 {
		opts.Partitions = accounts
	}
	r, err := Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	for a := 0; a < accounts; a++ {
		resultstest.Synth(r.Partition(a%r.Partitions()), fmt.Sprintf("acct-%d", a), n, perInvocation)
	}
	sum, err := r.Close(true)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// readTable reads a whole table file into rows of Go values, checking its schema first.
func readTable(t *testing.T, path string, spec *TableSpec, mem memory.Allocator) []map[string]any {
	t.Helper()
	var rows []map[string]any
	err := ReadRecords(path, mem, 0, func(rec arrow.Record) error {
		checkSchema(t, path, rec.Schema(), spec)
		for r := 0; r < int(rec.NumRows()); r++ {
			row := map[string]any{}
			for c, f := range rec.Schema().Fields() {
				switch a := rec.Column(c).(type) {
				case *array.String:
					row[f.Name] = a.Value(r)
				case *array.Float64:
					row[f.Name] = a.Value(r)
				case *array.Int64:
					row[f.Name] = a.Value(r)
				case *array.Int32:
					row[f.Name] = a.Value(r)
				case *array.Uint64:
					row[f.Name] = a.Value(r)
				case *array.Boolean:
					row[f.Name] = a.Value(r)
				default:
					return fmt.Errorf("column %s: unexpected array %T", f.Name, a)
				}
			}
			rows = append(rows, row)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func checkSchema(t *testing.T, path string, got *arrow.Schema, spec *TableSpec) {
	t.Helper()
	if got.NumFields() != len(spec.Columns) {
		t.Fatalf("%s: %d columns, want %d", path, got.NumFields(), len(spec.Columns))
	}
	for i, c := range spec.Columns {
		f := got.Field(i)
		if f.Name != c.Name || !arrow.TypeEqual(f.Type, c.Type) {
			t.Fatalf("%s column %d: %s %s, want %s %s", path, i, f.Name, f.Type, c.Name, c.Type)
		}
	}
}

func TestRoundTripBothFormats(t *testing.T) {
	for _, f := range []Format{Arrow, Parquet} {
		t.Run(f.String(), func(t *testing.T) {
			dir := t.TempDir()
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			writeSynth(t, Options{Dir: dir, Format: f, Run: testRunInfo(), Allocator: mem, BatchRows: 16}, 1, 20, true)
			mem.AssertSize(t, 0) // every builder, record and writer buffer released

			want := map[string]int{"runs": 1, "eni_samples": 40, "subnet_samples": 40, "state_changes": 4, "operations": 23,
				"eni_events": 47, "intervals": 20, "invocation_errors": 8, "invocations": 200}
			rmem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			tables := map[string][]map[string]any{}
			for _, spec := range Tables {
				rows := readTable(t, filepath.Join(dir, spec.Name+"."+f.Ext()), spec, rmem)
				if len(rows) != want[spec.Name] {
					t.Errorf("%s: %d rows, want %d", spec.Name, len(rows), want[spec.Name])
				}
				for _, r := range rows {
					if r["run_id"] != "test-run" || r["sweep"] != int32(0) || r["rep"] != int32(0) {
						t.Fatalf("%s: run columns %v %v %v", spec.Name, r["run_id"], r["sweep"], r["rep"])
					}
				}
				tables[spec.Name] = rows
			}
			rmem.AssertSize(t, 0)

			// Spot values: sample i=8 of combination 1 (row 17) is the VPC peak.
			e := tables["eni_samples"][17]
			if e["t_s"] != 480.0 || e["subnet"] != "subnet-1" || e["sg_set"] != "sg-a,sg-b" || e["enis"] != int64(9) ||
				e["enis_ready"] != int64(8) || e["enis_deleting"] != int64(1) || e["references"] != int64(3) || e["enis_creating"] != int64(1) || e["conns_per_eni"] != 1000.0 || e["vpc_enis"] != int64(17) || e["vpc_quota"] != int64(20) {
				t.Errorf("eni_samples[17] = %v", e)
			}
			if s := tables["subnet_samples"][16]; s["ips_used"] != int64(248) || s["ips_free"] != int64(0) || s["ips_other"] != int64(2) {
				t.Errorf("subnet_samples[16] = %v", s)
			}
			op := tables["operations"][3]
			if op["duration_s"] != 13.0 || op["attached_only"] != false || op["new_enis"] != int64(1) || op["iam_statement"] != "AllowDeploy" {
				t.Errorf("operations[3] = %v", op)
			}
			if iv := tables["intervals"][7]; iv["nat_bytes"] != int64(7000) || iv["errors"] != int64(0) || tables["intervals"][5]["errors"] != int64(3) {
				t.Errorf("intervals[7] = %v", iv)
			}
			if q := tables["operations"][20]; q["op"] != "SetQuota" || q["resource"] != "vpc-1" || q["function"] != "" || q["iam_decision"] != "" {
				t.Errorf("operations[20] = %v", q)
			}
			var errSum int64
			for _, r := range tables["invocation_errors"] {
				errSum += r["count"].(int64)
			}
			if errSum != 12 || tables["invocation_errors"][0]["error"] != "EC2ThrottledException" {
				t.Errorf("invocation_errors: sum %d, first %v", errSum, tables["invocation_errors"][0])
			}
			inv := tables["invocations"][9]
			if math.Abs(inv["latency_s"].(float64)-0.479) > 1e-12 || inv["reconnect"] != true || inv["cold"] != false {
				t.Errorf("invocations[9] = %v", inv)
			}
			run := tables["runs"][0]
			if run["seed"] != uint64(42) || run["params_json"] != `{"vpc_quota":20}` || run["complete"] != true || run["partitions"] != int32(1) {
				t.Errorf("runs = %v", run)
			}
			if _, err := os.Stat(filepath.Join(dir, IncompleteMarker)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("marker after Close(true): %v", err)
			}
		})
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 0.005*math.Abs(b)+1e-12 }

func TestSummaryValues(t *testing.T) {
	dir := t.TempDir()
	s := writeSynth(t, Options{Dir: dir, Run: testRunInfo()}, 1, 20, true)
	if len(s.VPCs) != 1 || s.VPCs[0].PeakENIs != 17 || s.VPCs[0].Quota != 20 || s.VPCs[0].PeakAtS != 480 {
		t.Errorf("VPCs = %+v", s.VPCs)
	}
	if len(s.TopCombinations) != 2 || s.TopCombinations[0].Subnet != "subnet-1" || s.TopCombinations[0].PeakENIs != 9 {
		t.Errorf("TopCombinations = %+v", s.TopCombinations)
	}
	if len(s.Subnets) != 2 || s.Subnets[0].PeakIPs != 248 || s.Subnets[0].ExhaustedAtS == nil || *s.Subnets[0].ExhaustedAtS != 480 || s.Subnets[1].ExhaustedAtS != nil {
		t.Errorf("Subnets = %+v", s.Subnets)
	}
	p := s.Pending
	if p.Count != 21 || p.AttachedCount != 10 || p.NewCount != 11 || !near(p.P50S, 20) || !near(p.P99S, 300) || p.MaxS != 300 {
		t.Errorf("Pending = %+v", p)
	}
	if !near(p.AttachedP50S, 18) || !near(p.NewP50S, 21) {
		t.Errorf("Pending split = %+v", p)
	}
	iv := s.Invocations
	if iv.Invocations != 200 || iv.ColdStarts != 20 || iv.Failed != 12 || iv.ConnReused != 160 || iv.ConnNew != 40 || iv.ConnResets != 20 {
		t.Errorf("Invocations = %+v", iv)
	}
	if len(s.FailedByCause) != 2 || s.FailedByCause[0] != (NameCount{"EC2ThrottledException", 8}) {
		t.Errorf("FailedByCause = %+v", s.FailedByCause)
	}
	l := s.Latency
	if l.Source != "invocations" || !near(l.MeanS, 0.1) || !near(l.P50S, 0.058) || !near(l.P99S, 0.479) ||
		!near(l.KeepaliveP50S, 0.054) || !near(l.ReconnectP50S, 0.075) || !near(l.ReconnectP99S, 0.479) || l.KeepaliveN != 100 {
		t.Errorf("Latency = %+v", l)
	}
	if s.PeakConnPerENI.PerENI != 1000 || s.PeakConnPerENI.AtS != 60 {
		t.Errorf("PeakConnPerENI = %+v", s.PeakConnPerENI)
	}
	if s.ENIAPI != (ENIAPISummary{Requested: 20, Ready: 20, Throttled: 7}) {
		t.Errorf("ENIAPI = %+v", s.ENIAPI)
	}
	if s.Operations.Total != 23 || s.Operations.Denied != 1 || len(s.Operations.ByDecision) != 3 || s.Operations.ByDecision[2] != (NameCount{"ExplicitDeny", 1}) ||
		s.Operations.ByDecision[1] != (NameCount{"(not evaluated)", 1}) {
		t.Errorf("Operations = %+v", s.Operations)
	}
	if s.Functions != (FunctionSummary{InactiveTransitions: 1, FunctionsInactive: 1, Recovered: 1, RecoverP50S: s.Functions.RecoverP50S, RecoverMaxS: 60}) || !near(s.Functions.RecoverP50S, 60) {
		t.Errorf("Functions = %+v", s.Functions)
	}
	if s.Switchovers.Count != 1 || s.Switchovers.InProgressMaxS != 300 {
		t.Errorf("Switchovers = %+v", s.Switchovers)
	}
	wantWarn := []string{
		"LIMIT HIT: IPs in subnet acct-0/vpc-1/subnet-0 reached 248 of 248 at 8m00s",
		"THROTTLED: 7 EC2 ENI API calls were throttled",
		"NEAR LIMIT: Hyperplane ENIs in VPC acct-0/vpc-1 peaked at 17 of 20 (85%) at 8m00s",
	}
	if strings.Join(s.Warnings, "\n") != strings.Join(wantWarn, "\n") {
		t.Errorf("Warnings =\n%s\nwant\n%s", strings.Join(s.Warnings, "\n"), strings.Join(wantWarn, "\n"))
	}

	// summary.json holds the same numbers.
	b, err := os.ReadFile(filepath.Join(dir, SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	var back Summary
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !back.Complete || back.Pending != s.Pending || back.Latency != s.Latency || back.VPCs[0].PeakENIs != 17 || len(back.Warnings) != 3 {
		t.Errorf("summary.json differs: %+v", back)
	}
	var txt bytes.Buffer
	if err := s.WriteText(&txt); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"acct-0/vpc-1", "17", "LIMIT HIT", "keepalive reuse (100)", "p99 479ms"} {
		if !strings.Contains(txt.String(), want) {
			t.Errorf("WriteText lacks %q:\n%s", want, txt.String())
		}
	}
}

func TestLatencyFromIntervalsWhenNoInvocationRows(t *testing.T) {
	dir := t.TempDir()
	s := writeSynth(t, Options{Dir: dir, Format: Parquet, Run: testRunInfo()}, 1, 20, false)
	if s.Latency.Source != "intervals" || !near(s.Latency.P50S, 0.1) || !near(s.Latency.P99S, 0.9) || s.Latency.KeepaliveN != 0 {
		t.Errorf("Latency = %+v", s.Latency)
	}
	if _, err := os.Stat(filepath.Join(dir, "invocations.parquet")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("invocations table written without invocation records: %v", err)
	}
}

// TestBatchesBoundMemory: the allocator's high-water mark does not grow with the number of
// rows, and the file holds one record batch per BatchRows rows.
func TestBatchesBoundMemory(t *testing.T) {
	peak := func(rows int) (int, int) {
		dir := t.TempDir()
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		r, err := Create(Options{Dir: dir, Run: testRunInfo(), Allocator: mem, BatchRows: 256})
		if err != nil {
			t.Fatal(err)
		}
		s := r.Partition(0)
		max := 0
		for i := 0; i < rows; i++ {
			s.SubnetSample(subnetSample(i))
			if c := mem.CurrentAlloc(); c > max {
				max = c
			}
		}
		if _, err := r.Close(true); err != nil {
			t.Fatal(err)
		}
		mem.AssertSize(t, 0)
		f, err := os.Open(filepath.Join(dir, "subnet_samples.arrow"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rd, err := ipc.NewFileReader(f)
		if err != nil {
			t.Fatal(err)
		}
		defer rd.Close()
		return max, rd.NumRecords()
	}
	small, nSmall := peak(2_000)
	large, nLarge := peak(40_000)
	if nSmall != 8 || nLarge != 157 {
		t.Errorf("batches: %d and %d, want 8 and 157", nSmall, nLarge)
	}
	if float64(large) > 1.5*float64(small) {
		t.Errorf("peak allocation grows with rows: %d B for 2k rows, %d B for 40k rows", small, large)
	}
}

// failAfter fails every write once n bytes have gone through: a full disk mid-way.
type failAfter struct {
	w io.Writer
	n int
}

var errDiskFull = errors.New("disk full (injected)")

func (f *failAfter) Write(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errDiskFull
	}
	if len(p) > f.n {
		k, _ := f.w.Write(p[:f.n])
		f.n = 0
		return k, errDiskFull
	}
	f.n -= len(p)
	return f.w.Write(p)
}

func TestWriteFailureLeavesNoFinalFile(t *testing.T) {
	for _, f := range []Format{Arrow, Parquet} {
		t.Run(f.String(), func(t *testing.T) {
			dir := t.TempDir()
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			opts := Options{Dir: dir, Format: f, Run: testRunInfo(), Allocator: mem, BatchRows: 8,
				wrap: func(w io.Writer) io.Writer { return &failAfter{w: w, n: 600} }}
			r, err := Create(opts)
			if err != nil {
				t.Fatal(err)
			}
			resultstest.Synth(r.Partition(0), "acct-0", 20, true)
			// Parquet buffers a row group before writing, so there the error surfaces at Close.
			if f == Arrow && r.Partition(0).Err() == nil {
				t.Error("Sink.Err() is nil after a failed batch write")
			}
			_, err = r.Close(true)
			if !errors.Is(err, errDiskFull) {
				t.Fatalf("Close error = %v, want the injected failure", err)
			}
			mem.AssertSize(t, 0)
			entries, _ := os.ReadDir(dir)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			for _, spec := range dataTables {
				if _, err := os.Stat(filepath.Join(dir, spec.Name+"."+f.Ext())); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("%s: final file exists after failed write (dir: %v)", spec.Name, names)
				}
			}
			for _, n := range names {
				if strings.Contains(n, ".tmp-") {
					t.Errorf("temporary file left: %s", n)
				}
			}
			if b, err := os.ReadFile(filepath.Join(dir, IncompleteMarker)); err != nil || !strings.Contains(string(b), "disk full") {
				t.Errorf("marker: %q, %v", b, err)
			}
		})
	}
}

func TestIncompleteRunKeepsMarker(t *testing.T) {
	dir := t.TempDir()
	r, err := Create(Options{Dir: dir, Run: testRunInfo()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, IncompleteMarker)); err != nil {
		t.Fatalf("no marker while running: %v", err)
	}
	resultstest.Synth(r.Partition(0), "acct-0", 5, false)
	s, err := r.Close(false)
	if err != nil {
		t.Fatal(err)
	}
	if s.Complete {
		t.Error("Summary.Complete after Close(false)")
	}
	if _, err := os.Stat(filepath.Join(dir, IncompleteMarker)); err != nil {
		t.Errorf("marker removed after Close(false): %v", err)
	}
	rows := readTable(t, filepath.Join(dir, "runs.arrow"), RunsTable, nil)
	if rows[0]["complete"] != false {
		t.Errorf("runs.complete = %v", rows[0]["complete"])
	}
	if got := len(readTable(t, filepath.Join(dir, "eni_samples.arrow"), ENISamplesTable, nil)); got != 10 {
		t.Errorf("eni_samples rows = %d, want 10 (kept up to the interruption)", got)
	}
}

// dirBytes maps every file under dir (relative path) to its content.
func dirBytes(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameFiles(t *testing.T, a, b map[string][]byte) {
	t.Helper()
	var names []string
	for k := range a {
		names = append(names, k)
	}
	sort.Strings(names)
	if len(a) != len(b) {
		t.Fatalf("file sets differ: %d vs %d files (%v)", len(a), len(b), names)
	}
	for _, k := range names {
		if !bytes.Equal(a[k], b[k]) {
			t.Errorf("%s differs", k)
		}
	}
}

func TestIdenticalInputIdenticalBytes(t *testing.T) {
	for _, f := range []Format{Arrow, Parquet} {
		t.Run(f.String(), func(t *testing.T) {
			d1, d2 := t.TempDir(), t.TempDir()
			writeSynth(t, Options{Dir: d1, Format: f, Run: testRunInfo(), BatchRows: 7}, 1, 30, true)
			writeSynth(t, Options{Dir: d2, Format: f, Run: testRunInfo(), BatchRows: 7}, 1, 30, true)
			a := dirBytes(t, d1)
			if len(a) != len(Tables)+1 {
				t.Errorf("%d files, want %d tables + summary.json", len(a), len(Tables))
			}
			sameFiles(t, a, dirBytes(t, d2))
		})
	}
}

// TestPartitionOrderNotWorkerOrder: partitions fed concurrently, in any order, give the same
// bytes as partitions fed one after the other; merged tables list partition 0 first.
func TestPartitionOrderNotWorkerOrder(t *testing.T) {
	for _, layout := range []Layout{Flat, Hive} {
		for _, f := range []Format{Arrow, Parquet} {
			t.Run(layout.String()+"/"+f.String(), func(t *testing.T) {
				const parts = 3
				seqDir, parDir := t.TempDir(), t.TempDir()
				ri := testRunInfo()
				ri.Sweep, ri.Rep = 3, 7
				seq := writeSynth(t, Options{Dir: seqDir, Format: f, Layout: layout, Run: ri, BatchRows: 10}, parts, 12, true)

				r, err := Create(Options{Dir: parDir, Format: f, Layout: layout, Run: ri, BatchRows: 10, Partitions: parts})
				if err != nil {
					t.Fatal(err)
				}
				var wg sync.WaitGroup
				for p := parts - 1; p >= 0; p-- { // start the last partition first
					wg.Add(1)
					go func(p int) {
						defer wg.Done()
						resultstest.Synth(r.Partition(p), fmt.Sprintf("acct-%d", p), 12, true)
						if err := r.Partition(p).Close(); err != nil {
							t.Error(err)
						}
					}(p)
				}
				wg.Wait()
				par, err := r.Close(true)
				if err != nil {
					t.Fatal(err)
				}
				sameFiles(t, dirBytes(t, seqDir), dirBytes(t, parDir))
				a, _ := json.Marshal(seq)
				b, _ := json.Marshal(par)
				if !bytes.Equal(a, b) {
					t.Errorf("summaries differ:\n%s\n%s", a, b)
				}
				if len(seq.VPCs) != parts || seq.Invocations.Invocations != parts*120 {
					t.Errorf("merged summary: %d VPCs, %d invocations", len(seq.VPCs), seq.Invocations.Invocations)
				}

				var path string
				if layout == Flat {
					path = filepath.Join(seqDir, "eni_samples."+f.Ext())
					if _, err := os.Stat(filepath.Join(seqDir, partsDir)); !errors.Is(err, fs.ErrNotExist) {
						t.Errorf("part files left: %v", err)
					}
				} else {
					path = filepath.Join(seqDir, "eni_samples", "sweep=0003", "rep=07", "part=02", "data."+f.Ext())
					for _, p := range []string{"runs/sweep=0003/rep=07/part=00/data." + f.Ext(), "summary/sweep=0003/rep=07/summary.json"} {
						if _, err := os.Stat(filepath.Join(seqDir, p)); err != nil {
							t.Error(err)
						}
					}
				}
				rows := readTable(t, path, ENISamplesTable, nil)
				if layout == Flat {
					if len(rows) != parts*24 || rows[0]["account"] != "acct-0" || rows[len(rows)-1]["account"] != "acct-2" {
						t.Errorf("merged eni_samples: %d rows, first %v, last %v", len(rows), rows[0]["account"], rows[len(rows)-1]["account"])
					}
				} else if len(rows) != 24 || rows[0]["account"] != "acct-2" || rows[0]["sweep"] != int32(3) || rows[0]["rep"] != int32(7) {
					t.Errorf("hive part=02: %d rows, first %v", len(rows), rows[0])
				}
			})
		}
	}
}

func TestOptionsErrors(t *testing.T) {
	dir := t.TempDir()
	bad := []struct {
		name string
		o    Options
		want string
	}{
		{"no dir", Options{}, "Dir is empty"},
		{"partitions", Options{Dir: dir, Partitions: -1}, "Partitions -1"},
		{"batch", Options{Dir: dir, BatchRows: -5}, "BatchRows -5"},
		{"params", Options{Dir: dir, Run: RunInfo{ParamsJSON: "{nope"}}, "Run.ParamsJSON"},
		{"rep", Options{Dir: dir, Run: RunInfo{Rep: -1}}, "Run.Rep -1"},
	}
	for _, c := range bad {
		_, err := Create(c.o)
		if !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want ErrOptions mentioning %q", c.name, err, c.want)
		}
	}
	if _, err := ParseFormat("csv"); !errors.Is(err, ErrOptions) {
		t.Errorf("ParseFormat(csv) = %v", err)
	}
	if f, err := ParseFormat("parquet"); err != nil || f != Parquet {
		t.Errorf("ParseFormat(parquet) = %v, %v", f, err)
	}
}

func subnetSample(i int) model.SubnetSample {
	return model.SubnetSample{At: sim.Time(int64(i) * int64(time.Second)), Account: "acct", VPC: "vpc", Subnet: fmt.Sprintf("subnet-%d", i%7), IPsUsed: i % 100, IPsUsable: 251}
}

func TestCloseIsFinal(t *testing.T) {
	dir := t.TempDir()
	r, err := Create(Options{Dir: dir, Run: testRunInfo()})
	if err != nil {
		t.Fatal(err)
	}
	s := r.Partition(0)
	s.SubnetSample(subnetSample(1))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s.SubnetSample(subnetSample(2)) // ignored: the partition is finished
	if err := s.Close(); err != nil {
		t.Fatalf("second Sink.Close: %v", err)
	}
	if _, err := r.Close(true); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Close(true); err == nil {
		t.Error("second Run.Close succeeded")
	}
	if rows := readTable(t, filepath.Join(dir, "subnet_samples.arrow"), SubnetSamplesTable, nil); len(rows) != 1 {
		t.Errorf("%d rows, want the 1 written before Close", len(rows))
	}
}
