// Package interop checks enisim's result files with readers enisim did not write:
// apache-arrow (JavaScript) reads the Arrow IPC files and DuckDB (@duckdb/node-api) runs the
// queries documented in docs/results.md over the Parquet files, flat and Hive-partitioned.
// The answers must match the summary results computed in Go.
package interop

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/enisim/enisim/results"
	"github.com/enisim/enisim/results/resultstest"
)

const (
	accounts  = 3
	intervals = 40
	stampFile = "node_modules/.enisim-lock-sha256"
)

// ensureNodeModules runs npm ci unless node_modules was installed from the current lockfile.
func ensureNodeModules(t *testing.T) {
	t.Helper()
	lock, err := os.ReadFile("package-lock.json")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(lock)
	want := hex.EncodeToString(sum[:])
	if got, err := os.ReadFile(stampFile); err == nil && string(got) == want {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Skipf("interop: npm ci failed (no registry access?), skipping: %v\n%s", err, out.String())
	}
	if err := os.WriteFile(stampFile, []byte(want), 0o644); err != nil {
		t.Fatal(err)
	}
}

// write writes the synthetic accounts as one run and returns its summary.
func write(t *testing.T, opts results.Options) results.Summary {
	t.Helper()
	opts.Partitions = accounts
	r, err := results.Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	for a := 0; a < accounts; a++ {
		resultstest.Synth(r.Partition(a), fmt.Sprintf("acct-%d", a), intervals+10*a, true)
	}
	s, err := r.Close(true)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type answers struct {
	Arrow struct {
		Tables map[string]struct {
			Rows    int
			Columns []string
		} `json:"tables"`
		PeakENIs    map[string]float64 `json:"peak_enis"`
		Invocations float64            `json:"invocations"`
	} `json:"arrow"`
	Parquet map[string][]map[string]any `json:"parquet"`
	Hive    map[string][]map[string]any `json:"hive"`
}

func num(t *testing.T, v any) float64 {
	t.Helper()
	switch x := v.(type) {
	case float64:
		return x
	case string: // DuckDB's JSON rows carry 64-bit integers as strings
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			t.Fatalf("not a number: %q", x)
		}
		return f
	case nil:
		return math.NaN()
	}
	t.Fatalf("not a number: %#v", v)
	return 0
}

func within(a, b, rel float64) bool { return math.Abs(a-b) <= rel*math.Abs(b)+1e-9 }

func TestReadersWeDidNotWrite(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("interop: node not installed; skipping the apache-arrow/DuckDB cross-check")
	}
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("interop: npm not installed; skipping the apache-arrow/DuckDB cross-check")
	}
	ensureNodeModules(t)

	base := os.Getenv("ENISIM_INTEROP_DIR") // set to keep the files for debugging
	if base == "" {
		base = t.TempDir()
	}
	ri := results.RunInfo{RunID: "interop", Seed: 7, Scenario: "synthetic", ScenarioHash: "h", Version: "test", ParamsJSON: `{"n":40}`}
	arrowDir, parquetDir, hiveDir := filepath.Join(base, "arrow"), filepath.Join(base, "parquet"), filepath.Join(base, "hive")
	for _, d := range []string{arrowDir, parquetDir, hiveDir} {
		if err := os.RemoveAll(d); err != nil {
			t.Fatal(err)
		}
	}
	sum := write(t, results.Options{Dir: arrowDir, Format: results.Arrow, Run: ri, BatchRows: 50})
	write(t, results.Options{Dir: parquetDir, Format: results.Parquet, Run: ri, BatchRows: 50})
	for rep := 0; rep < 2; rep++ { // two replications of one sweep point share the Hive root
		hr := ri
		hr.RunID, hr.Sweep, hr.Rep = fmt.Sprintf("interop-r%d", rep), 1, rep
		write(t, results.Options{Dir: hiveDir, Format: results.Parquet, Layout: results.Hive, Run: hr, BatchRows: 50})
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "check.mjs", "../docs/results.md", arrowDir, parquetDir, hiveDir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node check.mjs: %v\n%s", err, stderr.String())
	}
	var got answers
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("check.mjs output: %v\n%s", err, stdout.String())
	}
	checkArrow(t, &got, sum)
	checkQueries(t, "parquet", got.Parquet, sum, 1)
	checkQueries(t, "hive", got.Hive, sum, 2)
}

func checkArrow(t *testing.T, got *answers, sum results.Summary) {
	for _, spec := range results.Tables {
		tab, ok := got.Arrow.Tables[spec.Name]
		if !ok {
			t.Errorf("apache-arrow: table %s missing", spec.Name)
			continue
		}
		if len(tab.Columns) != len(spec.Columns) {
			t.Errorf("apache-arrow: %s has %d columns, want %d", spec.Name, len(tab.Columns), len(spec.Columns))
			continue
		}
		for i, c := range spec.Columns {
			if tab.Columns[i] != c.Name {
				t.Errorf("apache-arrow: %s column %d = %s, want %s", spec.Name, i, tab.Columns[i], c.Name)
			}
		}
	}
	if n := got.Arrow.Tables["intervals"].Rows; n != accounts*intervals+30 {
		t.Errorf("apache-arrow: intervals has %d rows, want %d", n, accounts*intervals+30)
	}
	for _, v := range sum.VPCs {
		if p := got.Arrow.PeakENIs[v.Account+"/"+v.VPC]; p != float64(v.PeakENIs) {
			t.Errorf("apache-arrow: peak ENIs %s/%s = %v, Go summary %d", v.Account, v.VPC, p, v.PeakENIs)
		}
	}
	if got.Arrow.Invocations != float64(sum.Invocations.Invocations) {
		t.Errorf("apache-arrow: invocations = %v, Go summary %d", got.Arrow.Invocations, sum.Invocations.Invocations)
	}
}

// checkQueries compares the documented DuckDB queries' answers with the Go summary. reps
// is how many identical replications the dataset holds (counts scale, peaks do not).
func checkQueries(t *testing.T, where string, q map[string][]map[string]any, sum results.Summary, reps float64) {
	rows := func(name string, n int) []map[string]any {
		r, ok := q[name]
		if !ok {
			t.Fatalf("%s: query %s not run (missing from docs/results.md?)", where, name)
		}
		if n >= 0 && len(r) != n {
			t.Fatalf("%s: query %s returned %d rows, want %d: %v", where, name, len(r), n, r)
		}
		return r
	}
	for i, r := range rows("peak_enis_per_vpc", len(sum.VPCs)) {
		v := sum.VPCs[i]
		if r["account"] != v.Account || r["vpc"] != v.VPC || num(t, r["peak_enis"]) != float64(v.PeakENIs) || num(t, r["quota"]) != float64(v.Quota) {
			t.Errorf("%s peak_enis_per_vpc[%d] = %v, Go %+v", where, i, r, v)
		}
	}
	if r := rows("top_combinations", -1); len(r) == 0 || r[0]["subnet"] != sum.TopCombinations[0].Subnet || num(t, r[0]["peak_enis"]) != float64(sum.TopCombinations[0].PeakENIs) {
		t.Errorf("%s top_combinations = %v, Go %+v", where, r, sum.TopCombinations)
	}
	for i, r := range rows("subnet_ips", len(sum.Subnets)) {
		s := sum.Subnets[i]
		ex := math.NaN()
		if s.ExhaustedAtS != nil {
			ex = *s.ExhaustedAtS
		}
		if r["subnet"] != s.Subnet || num(t, r["peak_ips"]) != float64(s.PeakIPs) || num(t, r["usable"]) != float64(s.Usable) ||
			!(num(t, r["exhausted_at_s"]) == ex || (math.IsNaN(ex) && math.IsNaN(num(t, r["exhausted_at_s"])))) {
			t.Errorf("%s subnet_ips[%d] = %v, Go %+v", where, i, r, s)
		}
	}
	p := rows("pending_by_kind", 2) // attached_only false, then true
	for i, want := range []struct{ n, p50, p99 float64 }{
		{float64(sum.Pending.NewCount), sum.Pending.NewP50S, sum.Pending.NewP99S},
		{float64(sum.Pending.AttachedCount), sum.Pending.AttachedP50S, sum.Pending.AttachedP99S},
	} {
		if num(t, p[i]["n"]) != reps*want.n || !within(num(t, p[i]["p50_s"]), want.p50, 0.005) || !within(num(t, p[i]["p99_s"]), want.p99, 0.005) {
			t.Errorf("%s pending_by_kind[%d] = %v, Go %+v", where, i, p[i], want)
		}
	}
	var throttles float64
	for _, r := range rows("eni_throttles_per_second", -1) {
		throttles += num(t, r["throttled"])
	}
	if throttles != reps*float64(sum.ENIAPI.Throttled) {
		t.Errorf("%s eni_throttles_per_second total = %v, Go %d", where, throttles, sum.ENIAPI.Throttled)
	}
	for i, r := range rows("failed_by_cause", len(sum.FailedByCause)) {
		if r["error"] != sum.FailedByCause[i].Name || num(t, r["failed"]) != reps*float64(sum.FailedByCause[i].Count) {
			t.Errorf("%s failed_by_cause[%d] = %v, Go %+v", where, i, r, sum.FailedByCause[i])
		}
	}
	if r := rows("went_inactive", -1); float64(len(r)) != float64(sum.Functions.FunctionsInactive) {
		t.Errorf("%s went_inactive = %v, Go %+v", where, r, sum.Functions)
	}
	rec := rows("time_to_recover", -1)
	if float64(len(rec)) != reps*float64(sum.Functions.Recovered) || num(t, rec[0]["recover_s"]) != sum.Functions.RecoverMaxS {
		t.Errorf("%s time_to_recover = %v, Go %+v", where, rec, sum.Functions)
	}
	if r := rows("switchovers", -1); float64(len(r)) != reps*float64(sum.Switchovers.Count) || num(t, r[0]["in_progress_s"]) != sum.Switchovers.InProgressMaxS {
		t.Errorf("%s switchovers = %v, Go %+v", where, r, sum.Switchovers)
	}
	lat := rows("latency_by_reconnect", 2) // reconnect false, then true
	for i, want := range []struct{ n, p50, p99 float64 }{
		{float64(sum.Latency.KeepaliveN), sum.Latency.KeepaliveP50S, sum.Latency.KeepaliveP99S},
		{float64(sum.Latency.ReconnectN), sum.Latency.ReconnectP50S, sum.Latency.ReconnectP99S},
	} {
		if num(t, lat[i]["n"]) != reps*want.n || !within(num(t, lat[i]["p50_s"]), want.p50, 0.005) || !within(num(t, lat[i]["p99_s"]), want.p99, 0.005) {
			t.Errorf("%s latency_by_reconnect[%d] = %v, Go %+v", where, i, lat[i], want)
		}
	}
	c := rows("connection_reuse", 1)[0]
	if num(t, c["reused"]) != reps*float64(sum.Invocations.ConnReused) || num(t, c["new"]) != reps*float64(sum.Invocations.ConnNew) || num(t, c["resets"]) != reps*float64(sum.Invocations.ConnResets) {
		t.Errorf("%s connection_reuse = %v, Go %+v", where, c, sum.Invocations)
	}
	if r := rows("connections_per_eni", 1)[0]; num(t, r["peak_per_eni"]) != sum.PeakConnPerENI.PerENI {
		t.Errorf("%s connections_per_eni = %v, Go %+v", where, r, sum.PeakConnPerENI)
	}
	var denied float64
	for _, r := range rows("operations_iam", -1) {
		if d := r["iam_decision"]; d != "Allow" && d != "" { // "": account-level, not evaluated
			denied += num(t, r["n"])
		}
	}
	if denied != reps*float64(sum.Operations.Denied) {
		t.Errorf("%s operations_iam denied = %v, Go %d", where, denied, sum.Operations.Denied)
	}
	if r := rows("runs", int(reps)); r[0]["params_json"] != `{"n":40}` || r[0]["complete"] != true {
		t.Errorf("%s runs = %v", where, r)
	}
}
