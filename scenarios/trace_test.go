package scenarios

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/sim"
	"github.com/enisim/enisim/traces"
)

// traceScenario is a scenario with accounts a and b (identical topologies) and one trace
// fleet "tr" over the given accounts.
func traceScenario(format, path string, count int, accounts string) string {
	vpc := `    vpcs:
      - name: vpc-1
        cidr: 10.0.0.0/16
        subnets:
          - {name: s1, az: us-east-1a, cidr: 10.0.1.0/24}
        securityGroups: [sg-1]
`
	c := ""
	if count > 0 {
		c = fmt.Sprintf("    count: %d\n", count)
	}
	return `accounts:
  - name: a
` + vpc + `  - name: b
` + vpc + `roles:
  - {name: r, account: a, managed: [AWSLambdaVPCAccessExecutionRole]}
  - {name: r, account: b, managed: [AWSLambdaVPCAccessExecutionRole]}
fleets:
  - name: tr
    namePattern: tr-{i}
    role: r
` + c + `    trace:
      format: ` + format + `
      path: ` + path + `
      mapping:
        accounts: ` + accounts + `
        accountBy: function
        combinations: [{SubnetIds: [s1], SecurityGroupIds: [sg-1]}]
run:
  duration: 1h
`
}

// replayed is one arrival as the model would see it, named by trace function index.
type replayed struct {
	at   sim.Time
	fn   int // index of the trace function (tr-{fn})
	dur  time.Duration
	acct int
}

// replay converts s and drains every account's arrival source, checking that each is in
// time order.
func replay(t *testing.T, s *Scenario) []replayed {
	t.Helper()
	cfg, err := s.Model(SweepPoint{})
	if err != nil {
		t.Fatal(err)
	}
	var out []replayed
	for ai, a := range cfg.Accounts {
		if a.Arrivals == nil {
			continue
		}
		last := sim.Time(-1)
		for {
			at, fn, dur, ok := a.Arrivals.Next()
			if !ok {
				break
			}
			if at < last {
				t.Fatalf("account %s: arrival at %v after one at %v", a.ID, at, last)
			}
			last = at
			if fn < 0 || int(fn) >= len(a.Functions) {
				t.Fatalf("account %s: function index %d out of range", a.ID, fn)
			}
			i, err := strconv.Atoi(strings.TrimPrefix(a.Functions[fn].Name, "tr-"))
			if err != nil {
				t.Fatalf("function name %q", a.Functions[fn].Name)
			}
			out = append(out, replayed{at, i, dur, ai})
		}
		if ta, ok := a.Arrivals.(*traceArrivals); ok && ta.Err != nil {
			t.Fatalf("account %s: %v", a.ID, ta.Err)
		}
	}
	slices.SortStableFunc(out, func(x, y replayed) int {
		if x.at != y.at {
			return int(x.at - y.at)
		}
		return x.fn - y.fn
	})
	return out
}

// readRows is an independent reading of a small per-invocation test file: the function
// keys in order of first appearance and the rows as (start, function, duration).
func readRows(t *testing.T, path, format string) ([]string, []replayed) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var names []string
	var rows []replayed
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		fs := strings.Split(sc.Text(), ",")
		for i := range fs {
			fs[i] = strings.TrimSpace(strings.Trim(fs[i], `"`))
		}
		num := func(s string) float64 {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("%s: %q", path, s)
			}
			return v
		}
		// As documented: seconds are rounded to the nanosecond.
		secs := func(s string) time.Duration {
			if s == "" {
				return 0
			}
			if d, err := time.ParseDuration(s); err == nil {
				return d
			}
			return time.Duration(math.Round(num(s) * 1e9))
		}
		var key string
		var at, dur time.Duration
		if format == "azure2021" {
			// start = end − duration, in seconds, then rounded.
			key = fs[0] + "/" + fs[1]
			at = time.Duration(math.Round((num(fs[2]) - num(fs[3])) * 1e9))
			dur = secs(fs[3])
		} else {
			key, at, dur = fs[0], secs(fs[1]), secs(fs[2])
		}
		i := slices.Index(names, key)
		if i < 0 {
			i = len(names)
			names = append(names, key)
		}
		rows = append(rows, replayed{at: sim.Time(at), fn: i, dur: dur})
	}
	slices.SortStableFunc(rows, func(x, y replayed) int {
		if x.at != y.at {
			return int(x.at - y.at)
		}
		return x.fn - y.fn
	})
	return names, rows
}

// TestTraceReplayPerInvocation: a plain CSV log and an Azure 2021 file replay every row
// of the functions kept exactly once, at its start time with its own duration, to the
// function the mapping chose, whether on one account or spread over two, and with count
// limiting the functions.
func TestTraceReplayPerInvocation(t *testing.T) {
	files := []struct{ format, file string }{
		{"csv", "testdata/traces/plain.csv"},
		{"azure2021", "testdata/traces/azure2021.csv"},
	}
	shared := filepath.Join("..", "..", "shared", "traces", "azure2021", "Azure2021_200.csv")
	if _, err := os.Stat(shared); err == nil {
		files = append(files, struct{ format, file string }{"azure2021", shared})
	} else {
		t.Log("../shared/traces/azure2021/Azure2021_200.csv is absent: replaying the small test files only")
	}
	for _, c := range files {
		names, rows := readRows(t, c.file, c.format)
		for _, v := range []struct {
			accounts string
			count    int
		}{{"[a]", 0}, {"[a, b]", 0}, {"[a, b]", 2}} {
			t.Run(fmt.Sprintf("%s/%s/count=%d", filepath.Base(c.file), v.accounts, v.count), func(t *testing.T) {
				s, err := Parse("t.yaml", []byte(traceScenario(c.format, c.file, v.count, v.accounts)))
				if err != nil {
					t.Fatal(err)
				}
				got := replay(t, s)
				var want []replayed
				for _, r := range rows {
					if v.count == 0 || r.fn < v.count {
						want = append(want, r)
					}
				}
				if len(got) != len(want) {
					t.Fatalf("%d arrivals, want %d (functions %v)", len(got), len(want), names)
				}
				accts := map[int]bool{}
				for i := range got {
					g, w := got[i], want[i]
					if g.at != w.at || g.fn != w.fn || g.dur != w.dur {
						t.Fatalf("arrival %d = (%v, %s, %v), want (%v, %s, %v)", i, g.at, names[g.fn], g.dur, w.at, names[w.fn], w.dur)
					}
					accts[g.acct] = true
				}
				if v.accounts == "[a, b]" && v.count == 0 && len(accts) != 2 {
					t.Errorf("all functions went to one account (%v): the test does not exercise the split", accts)
				}
			})
		}
	}
}

// TestTraceReplayRunsInModel: the replayed log drives the model: every row is one
// invocation and none is skipped.
func TestTraceReplayRunsInModel(t *testing.T) {
	s, err := Parse("t.yaml", []byte(traceScenario("csv", "testdata/traces/plain.csv", 0, "[a, b]")))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := s.Model(SweepPoint{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.New(cfg, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	q := sim.NewQueue(64)
	if err := m.Start(q); err != nil {
		t.Fatal(err)
	}
	st, err := sim.Run(q, m, sim.Bounds{Until: sim.Time(time.Hour)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m.Finish(st.End)
	_, rows := readRows(t, "testdata/traces/plain.csv", "csv")
	c := m.Counters()
	if c.Invocations != int64(len(rows)) || c.TraceSkipped != 0 {
		t.Fatalf("invocations %d, skipped %d; want %d, 0", c.Invocations, c.TraceSkipped, len(rows))
	}
}

// TestTraceBadRowsAtValidation: a malformed row is reported when the scenario is
// validated, with the trace file's line, not discovered mid-replay.
func TestTraceBadRowsAtValidation(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ format, body, want string }{
		{"csv", "function,timestamp\nf,1\nf,abc\n", ":3:3: timestamp:"},
		{"csv", "function,timestamp,duration,app\nf,1,0,x\n", "header has 4 columns"},
		{"azure2021", "app,func,end_timestamp,duration\na,f,1,2\n", ":2:"},
	} {
		p := filepath.Join(dir, c.format+".csv")
		if err := os.WriteFile(p, []byte(c.body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Parse("t.yaml", []byte(traceScenario(c.format, p, 0, "[a]")))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "fleets[0].trace.path") {
			t.Errorf("%s %q: err = %v, want one at fleets[0].trace.path containing %q", c.format, c.body, err, c.want)
		}
	}
}

// TestTraceChangedAfterValidation: Model refuses a trace file that changed since Parse.
func TestTraceChangedAfterValidation(t *testing.T) {
	p := filepath.Join(t.TempDir(), "log.csv")
	if err := os.WriteFile(p, []byte("function,timestamp\nf,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Parse("t.yaml", []byte(traceScenario("csv", p, 0, "[a]")))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("function,timestamp\nf,1\ng,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Model(SweepPoint{}); err == nil || !strings.Contains(err.Error(), "changed since") {
		t.Fatalf("err = %v, want a refusal of the changed trace", err)
	}
}

// TestTraceReplayAzure2019: the shared 100-function day, its first 6 functions spread
// over two accounts: every function's per-minute counts are replayed exactly, each
// account generates only its own functions, and durations come from the _run.csv.
func TestTraceReplayAzure2019(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "traces", "azure2019")
	path := filepath.Join(dir, "100_inv.csv")
	if _, err := os.Stat(path); err != nil {
		t.Skip("../shared/traces/azure2019/100_inv.csv is absent (the shared Azure traces are not next to the repository): ", err)
	}
	const n = 6
	s, err := Parse("t.yaml", []byte(traceScenario("azure2019", path, n, "[a, b]")))
	if err != nil {
		t.Fatal(err)
	}
	got := replay(t, s)
	for _, r := range got {
		if r.dur <= 0 {
			t.Fatalf("function %d at %v: duration %v, want one drawn from the _run.csv", r.fn, r.at, r.dur)
		}
	}
	if used := checkMinuteCounts(t, got, path, n); used != 2 {
		t.Errorf("%d accounts used: the test does not exercise the split", used)
	}
}

// TestTraceReplayAzure2019Paths: a synthetic day (no _run.csv, so durations are 0 and
// the model uses the service time) replays exactly through each way of building the
// sources: the validated table (whole day, one account), and rows split by account
// (two accounts; one account with a count).
func TestTraceReplayAzure2019Paths(t *testing.T) {
	path := writeAzure2019(t, 16)
	for _, c := range []struct {
		accounts string
		count    int
	}{{"[a]", 0}, {"[a, b]", 0}, {"[a]", 7}} {
		s, err := Parse("t.yaml", []byte(traceScenario("azure2019", path, c.count, c.accounts)))
		if err != nil {
			t.Fatal(err)
		}
		got := replay(t, s)
		n := c.count
		if n == 0 {
			n = 16
		}
		for _, r := range got {
			if r.dur != 0 {
				t.Fatalf("%s count %d: duration %v without a _run.csv", c.accounts, c.count, r.dur)
			}
		}
		if used := checkMinuteCounts(t, got, path, n); c.accounts == "[a, b]" && used != 2 {
			t.Errorf("%d accounts used: the test does not exercise the split", used)
		}
	}
}

// checkMinuteCounts checks that the arrivals of the first n functions of the azure2019
// file match its per-minute counts, that each function stays on one account, and
// returns how many accounts were used.
func checkMinuteCounts(t *testing.T, got []replayed, path string, n int) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	table, err := traces.ReadAzure2019Invocations(f, path)
	if err != nil {
		t.Fatal(err)
	}
	counts := make([]uint32, n*traces.MinutesPerDay)
	accts := map[int]map[int]bool{} // function → accounts
	for _, r := range got {
		if r.fn >= n {
			t.Fatalf("arrival of function %d beyond the fleet's %d", r.fn, n)
		}
		m := int(r.at / sim.Time(time.Minute))
		counts[r.fn*traces.MinutesPerDay+m]++
		if accts[r.fn] == nil {
			accts[r.fn] = map[int]bool{}
		}
		accts[r.fn][r.acct] = true
	}
	used := map[int]bool{}
	for fn := 0; fn < n; fn++ {
		for m := 0; m < traces.MinutesPerDay; m++ {
			if c, w := counts[fn*traces.MinutesPerDay+m], table.Count(fn, m); c != w {
				t.Fatalf("function %d minute %d: %d arrivals, want %d", fn, m, c, w)
			}
		}
		if len(accts[fn]) > 1 {
			t.Fatalf("function %d arrived in accounts %v", fn, accts[fn])
		}
		for a := range accts[fn] {
			used[a] = true
		}
	}
	return len(used)
}

// A per-minute trace's invocations fall at different instants within their minutes in
// different work units (ModelForUnit's seed) but in the same minutes, while Model and a
// unit with the run seed agree exactly.
func TestTraceArrivalTimesFollowTheUnitSeed(t *testing.T) {
	sc, err := Parse("unit.yaml", []byte(memScenario(0, 10, writeAzure2019(t, 8))))
	if err != nil {
		t.Fatal(err)
	}
	arrivals := func(cfg *model.Config) (out []sim.Time) {
		for _, a := range cfg.Accounts {
			if a.Arrivals == nil {
				continue
			}
			for {
				at, _, _, ok := a.Arrivals.Next()
				if !ok {
					break
				}
				out = append(out, at)
			}
		}
		return out
	}
	pt := sc.Sweep()[0]
	base, err := sc.Model(pt)
	if err != nil {
		t.Fatal(err)
	}
	same, err := sc.ModelForUnit(pt, sc.Settings().Seed)
	if err != nil {
		t.Fatal(err)
	}
	other, err := sc.ModelForUnit(pt, 12345)
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := arrivals(base), arrivals(same), arrivals(other)
	if len(a) != 8 || !slices.Equal(a, b) {
		t.Fatalf("Model and ModelForUnit(run seed) differ: %v vs %v", a, b)
	}
	if slices.Equal(a, c) {
		t.Fatalf("another unit seed gave the same arrival instants %v", c)
	}
	for i := range a {
		if a[i]/sim.Time(time.Minute) != c[i]/sim.Time(time.Minute) {
			t.Fatalf("arrival %d moved to another minute: %v vs %v", i, a[i], c[i])
		}
	}
}

// TestTraceUnreadableDuringRunIsReported: a per-invocation log that is valid when the
// Config is built but corrupted before the replay reads it ends the replay early; ReadErrs
// then names the account and the file, so the runner can fail the run instead of
// reporting a partial replay as the scenario.
func TestTraceUnreadableDuringRunIsReported(t *testing.T) {
	p := filepath.Join(t.TempDir(), "log.csv")
	if err := os.WriteFile(p, []byte("function,timestamp\nf,1\nf,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Parse("t.yaml", []byte(traceScenario("csv", p, 0, "[a]")))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := s.Model(SweepPoint{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ReadErrs(cfg); err != nil {
		t.Fatalf("before the replay: %v", err)
	}
	// The file is opened at the first Next: corrupt the second row now.
	if err := os.WriteFile(p, []byte("function,timestamp\nf,1\nf,not-a-time\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range cfg.Accounts {
		if a.Arrivals == nil {
			continue
		}
		for {
			if _, _, _, ok := a.Arrivals.Next(); !ok {
				break
			}
			n++
		}
	}
	// The reader reorders rows within a window, so it may stop before yielding the row
	// ahead of the bad one; it must not yield both.
	if n >= 2 {
		t.Fatalf("replayed %d arrivals, want the replay to stop at the bad row", n)
	}
	err = ReadErrs(cfg)
	if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "account a") {
		t.Fatalf("ReadErrs = %v, want the account and the file named", err)
	}
}

// TestTraceReadErrsNilAfterCleanReplay: a replay that reaches the end of its file reports
// no error.
func TestTraceReadErrsNilAfterCleanReplay(t *testing.T) {
	s, err := Parse("t.yaml", []byte(traceScenario("csv", "testdata/traces/plain.csv", 0, "[a, b]")))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := s.Model(SweepPoint{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range cfg.Accounts {
		for a.Arrivals != nil {
			if _, _, _, ok := a.Arrivals.Next(); !ok {
				break
			}
		}
	}
	if err := ReadErrs(cfg); err != nil {
		t.Fatal(err)
	}
}

// TestTracePathSearchesTheScenarioDirectoryParents: a scenario file's relative trace path
// is looked up next to the file, then in the nearest parent that has it (so a library
// scenario naming ../shared/traces/… validates by its file path as it does by name); a
// path found nowhere is reported relative to the scenario's directory.
func TestTracePathSearchesTheScenarioDirectoryParents(t *testing.T) {
	data, err := os.ReadFile("testdata/traces/plain.csv")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	deep := filepath.Join(root, "repo", "scenarios", "library")
	for _, d := range []string{deep, filepath.Join(root, "shared", "traces"), filepath.Join(root, "repo", "scenarios", "traces"), filepath.Join(root, "repo", "traces")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "shared", "traces", "up.csv"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	// The same name one level up and near: the nearest wins.
	if err := os.WriteFile(filepath.Join(root, "repo", "scenarios", "traces", "near.csv"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "repo", "traces", "near.csv"), []byte("garbage\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, err string }{
		{"../shared/traces/up.csv", ""}, // from repo/: root/shared/traces
		{"traces/near.csv", ""},         // repo/scenarios/traces, not repo/traces' broken one
		{"../shared/traces/missing.csv", filepath.Join(deep, "../shared/traces/missing.csv")},
	} {
		file := filepath.Join(deep, "s.yaml")
		if err := os.WriteFile(file, []byte(traceScenario("csv", tc.path, 0, "[a, b]")), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(file)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.path, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), filepath.Clean(tc.err))):
			t.Errorf("%s: error %v, want one naming %s", tc.path, err, filepath.Clean(tc.err))
		}
	}
}
