package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/enisim/enisim/results"
	"github.com/enisim/enisim/runner"
	"github.com/enisim/enisim/sim"
)

// shardSpec is this process's share of a sweep: units k with k % Count == Index.
type shardSpec struct{ Index, Count int }

// schedulerIndexVars are the array-task index variables of the schedulers we support, in
// the order they are consulted. The shard count never comes from them (a Kubernetes pod
// cannot see its Job's completions; Slurm's task count changes when only failed indices
// are resubmitted): it comes from --shard/--shards or ENISIM_SHARDS.
var schedulerIndexVars = []string{"ENISIM_SHARD", "JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID", "AWS_BATCH_JOB_ARRAY_INDEX"}

// resolveShard combines --shard I/N, --shards N and the environment. Missing or
// conflicting settings are bad input naming what to set.
func resolveShard(flag string, flagCount int, getenv func(string) string) (shardSpec, error) {
	idx, count := -1, 0
	idxFrom, countFrom := "", ""
	if flag != "" {
		i, n, ok := strings.Cut(flag, "/")
		a, err1 := strconv.Atoi(i)
		b, err2 := strconv.Atoi(n)
		if !ok || err1 != nil || err2 != nil {
			return shardSpec{}, badInput("--shard %q: want INDEX/COUNT, e.g. --shard 0/4", flag)
		}
		idx, count, idxFrom, countFrom = a, b, "--shard", "--shard"
	}
	if flagCount > 0 {
		if count > 0 && count != flagCount {
			return shardSpec{}, badInput("--shard says %d shards but --shards says %d", count, flagCount)
		}
		count, countFrom = flagCount, "--shards"
	}
	if v := getenv("ENISIM_SHARDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return shardSpec{}, badInput("ENISIM_SHARDS=%q: want a positive integer", v)
		}
		if count > 0 && count != n {
			return shardSpec{}, badInput("%s says %d shards but ENISIM_SHARDS=%d", countFrom, count, n)
		}
		count, countFrom = n, "ENISIM_SHARDS"
	}
	for _, name := range schedulerIndexVars {
		v := getenv(name)
		if v == "" {
			continue
		}
		i, err := strconv.Atoi(v)
		if err != nil {
			return shardSpec{}, badInput("%s=%q: want a non-negative integer", name, v)
		}
		if idx >= 0 && idx != i {
			return shardSpec{}, badInput("%s says shard %d but %s=%d: set only one", idxFrom, idx, name, i)
		}
		idx, idxFrom = i, name
	}
	if v := getenv("AWS_BATCH_JOB_ARRAY_SIZE"); v != "" && count == 0 {
		n, err := strconv.Atoi(v)
		if err != nil {
			return shardSpec{}, badInput("AWS_BATCH_JOB_ARRAY_SIZE=%q: want a positive integer", v)
		}
		count, countFrom = n, "AWS_BATCH_JOB_ARRAY_SIZE"
	}
	switch {
	case idx < 0 && count == 0:
		return shardSpec{0, 1}, nil // not sharded: every unit
	case idx >= 0 && count == 0:
		return shardSpec{}, badInput("%s gives shard index %d but no shard count: pass --shards N or set ENISIM_SHARDS=N (the number of array tasks)", idxFrom, idx)
	case idx < 0:
		return shardSpec{}, badInput("%s gives %d shards but no index: pass --shard I/N or run under a scheduler that sets one of %s", countFrom, count, strings.Join(schedulerIndexVars, ", "))
	case count < 1:
		return shardSpec{}, badInput("%s: shard count %d must be at least 1", countFrom, count)
	case idx >= count:
		return shardSpec{}, badInput("shard index %d (from %s) is not below the shard count %d (from %s)", idx, idxFrom, count, countFrom)
	}
	return shardSpec{idx, count}, nil
}

// manifest describes a sweep's units so `sweep status` can list what is missing without
// the scenario. Every shard writes the same bytes.
type manifest struct {
	Scenario string         `json:"scenario"`
	Hash     string         `json:"scenario_hash"`
	RootSeed uint64         `json:"root_seed"`
	Units    []manifestUnit `json:"units"`
}

type manifestUnit struct {
	Index int    `json:"index"`
	Sweep int    `json:"sweep"`
	Rep   int    `json:"rep"`
	Seed  uint64 `json:"seed"`
	Label string `json:"label"`
}

const manifestFile = "_sweep.json"

// unitDone reports whether a unit's completion marker (its summary, with no _INCOMPLETE
// beside it) exists and matches this scenario and seed.
func unitDone(dir string, m manifest, u manifestUnit) bool {
	meta := results.HiveDir(dir, "summary", u.Sweep, u.Rep)
	if _, err := os.Stat(filepath.Join(meta, results.IncompleteMarker)); err == nil {
		return false
	}
	b, err := os.ReadFile(filepath.Join(meta, results.SummaryFile))
	if err != nil {
		return false
	}
	var s struct {
		Run      results.RunInfo `json:"run"`
		Complete bool            `json:"complete"`
	}
	if json.Unmarshal(b, &s) != nil {
		return false
	}
	return s.Complete && s.Run.ScenarioHash == m.Hash && s.Run.Seed == u.Seed
}

// clearUnit removes what an earlier, failed attempt at a unit left in every table's tree.
func clearUnit(dir string, u manifestUnit) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), "_") {
			continue
		}
		p := results.HiveDir(dir, e.Name(), u.Sweep, u.Rep)
		if err := os.RemoveAll(p); err != nil {
			return err
		}
	}
	return nil
}

func cmdSweep(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "status" {
		return cmdSweepStatus(args[1:], stdout, stderr)
	}
	fs := newFlags("sweep", "SCENARIO [flags]  |  enisim sweep status DIR --shards N",
		"Runs every sweep point × replication of a scenario into one Hive-partitioned dataset\n(TABLE/sweep=SSSS/rep=RR/part=NN/data.parquet) that DuckDB, Spark, Athena and polars read directly.\nWork units are assigned to shards round-robin; under a batch scheduler each array task runs one shard:\nthe index comes from JOB_COMPLETION_INDEX (Kubernetes), SLURM_ARRAY_TASK_ID (Slurm, 0-based arrays),\nAWS_BATCH_JOB_ARRAY_INDEX (AWS Batch) or ENISIM_SHARD; the count from --shards or ENISIM_SHARDS.\nUnits already complete (matching marker) are skipped, so re-running a failed shard finishes the dataset.",
		"  enisim sweep scenarios/library/mass-deploy.yaml -o out/sweep\n  enisim sweep my.yaml -o /data/run1 --shard 3/16\n  ENISIM_SHARDS=16 enisim sweep my.yaml -o /data/run1     # index from the scheduler\n  enisim sweep status /data/run1 --shards 16\n", stderr)
	out := fs.StringP("output", "o", "", "output directory shared by all shards (default out/SCENARIO-sweep)")
	seed := fs.Uint64("seed", 0, "root seed (default: the scenario's run.seed)")
	format := fs.String("format", "parquet", "table format: parquet (default for datasets) or arrow")
	shard := fs.String("shard", "", "this process's shard as INDEX/COUNT")
	shards := fs.Int("shards", 0, "number of shards (the index comes from the scheduler's environment)")
	parallel := fs.Int("parallel", 0, "units simulated at once in this process (default: number of CPUs)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return badInput("sweep takes one SCENARIO argument, got %d", fs.NArg())
	}
	spec, err := resolveShard(*shard, *shards, os.Getenv)
	if err != nil {
		return err
	}
	f, err := results.ParseFormat(*format)
	if err != nil {
		return usageError{err}
	}
	sc, err := loadScenario(fs.Arg(0))
	if err != nil {
		return err
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("out", outName(sc.Name)+"-sweep")
	}
	root := sc.Settings().Seed
	if fs.Changed("seed") {
		root = *seed
	}
	units := runner.Units(sc)
	m := manifest{Scenario: sc.Name, Hash: sc.Hash(), RootSeed: root}
	for i, u := range units {
		m.Units = append(m.Units, manifestUnit{Index: i, Sweep: u.Point.Index, Rep: u.Rep, Seed: runner.UnitSeed(root, u), Label: u.Point.Label()})
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if old, err := readManifest(dir); err == nil && (old.Hash != m.Hash || old.RootSeed != m.RootSeed) {
		return badInput("%s holds a sweep of another scenario or seed (hash %.12s, seed %d): use a new -o directory", dir, old.Hash, old.RootSeed)
	}
	mb, _ := json.MarshalIndent(m, "", "  ")
	if err := results.WriteFileAtomic(filepath.Join(dir, manifestFile), append(mb, '\n')); err != nil {
		return err
	}
	var mine []int
	for i := range units {
		if i%spec.Count == spec.Index && !unitDone(dir, m, m.Units[i]) {
			mine = append(mine, i)
		}
	}
	fmt.Fprintf(stderr, "enisim sweep: shard %d/%d: %d units to run of %d in the sweep\n", spec.Index, spec.Count, len(mine), len(units))
	stop := new(atomic.Bool)
	defer interrupts(stop, stderr)()
	var failed atomic.Int64
	errs := sim.Parallel(len(mine), workers(*parallel), func(k int) error {
		i := mine[k]
		if stop.Load() {
			return runner.ErrInterrupted
		}
		if err := clearUnit(dir, m.Units[i]); err != nil {
			return err
		}
		s := root
		o, err := runner.RunUnit(sc, units[i], runner.Options{Dir: dir, Format: f, Layout: results.Hive, Workers: 1, Seed: &s, Version: version, Stop: stop})
		if err != nil {
			failed.Add(1)
			fmt.Fprintf(stderr, "enisim sweep: unit %d (sweep %d, rep %d): %v\n", i, m.Units[i].Sweep, m.Units[i].Rep, err)
			return err
		}
		fmt.Fprintf(stderr, "enisim sweep: unit %d (sweep %d %s, rep %d) done: %d events in %v\n", i, m.Units[i].Sweep, m.Units[i].Label, m.Units[i].Rep, o.Events(), o.Wall.Round(1e6))
		return nil
	})
	if err := errors.Join(errs...); err != nil {
		if stop.Load() {
			return incompleteError{fmt.Sprintf("%d units not finished; re-run this shard to complete them", failed.Load())}
		}
		return fmt.Errorf("%d of %d units failed (re-run this shard to retry them): %w", failed.Load(), len(mine), err)
	}
	fmt.Fprintf(stdout, "shard %d/%d complete: %d units written to %s\n", spec.Index, spec.Count, len(mine), dir)
	return nil
}

func readManifest(dir string) (manifest, error) {
	var m manifest
	b, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if err != nil {
		return m, err
	}
	return m, json.Unmarshal(b, &m)
}

func cmdSweepStatus(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sweep status", "DIR [--shards N]", "Lists the units of a sweep directory that are not complete, and the shard indices to resubmit.",
		"  enisim sweep status out/sweep --shards 16\n", stderr)
	shards := fs.Int("shards", 1, "shard count the sweep was started with")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *shards < 1 {
		fs.Usage()
		return badInput("sweep status takes one DIR and --shards >= 1")
	}
	m, err := readManifest(fs.Arg(0))
	if err != nil {
		return badInput("%s: no readable %s (was a sweep started there?): %v", fs.Arg(0), manifestFile, err)
	}
	missing := 0
	redo := map[int]bool{}
	for _, u := range m.Units {
		if !unitDone(fs.Arg(0), m, u) {
			missing++
			redo[u.Index%*shards] = true
			fmt.Fprintf(stdout, "missing unit %d: sweep %d (%s), rep %d\n", u.Index, u.Sweep, u.Label, u.Rep)
		}
	}
	var idx []string
	for i := 0; i < *shards; i++ {
		if redo[i] {
			idx = append(idx, strconv.Itoa(i))
		}
	}
	fmt.Fprintf(stdout, "%d of %d units complete", len(m.Units)-missing, len(m.Units))
	if missing > 0 {
		fmt.Fprintf(stdout, "; resubmit shard indices: %s\n", strings.Join(idx, ","))
		return incompleteError{fmt.Sprintf("%d units missing", missing)}
	}
	fmt.Fprintln(stdout)
	return nil
}
