package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"unicode"

	"github.com/spf13/pflag"

	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/results"
	"github.com/enisim/enisim/runner"
	"github.com/enisim/enisim/scenarios"
)

// errHelp is returned after --help was printed: exit 0, nothing more to say.
var errHelp = errors.New("help printed")

// newFlags makes a command's flag set with its usage text and examples.
func newFlags(name, args, about, examples string, stderr io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: enisim %s %s\n\n%s\n\nFlags:\n%s\nExamples:\n%s", name, args, about, fs.FlagUsages(), examples)
	}
	return fs
}

// parse parses flags, mapping --help to errHelp and flag errors to bad input.
func parse(fs *pflag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return errHelp
		}
		return usageError{err}
	}
	return nil
}

// loadScenario resolves a path or a built-in name; scenario errors are bad input.
func loadScenario(arg string) (*scenarios.Scenario, error) {
	var sc *scenarios.Scenario
	var err error
	if _, statErr := os.Stat(arg); statErr == nil || strings.ContainsAny(arg, "/.") {
		sc, err = scenarios.Load(arg)
	} else {
		sc, err = scenarios.Builtin(arg)
		if err != nil {
			err = badInput("%v\nbuilt-in scenarios: %s", err, strings.Join(scenarios.BuiltinNames(), ", "))
		}
	}
	if err != nil && errors.Is(err, scenarios.ErrInvalid) {
		return nil, usageError{err}
	}
	return sc, err
}

// prepareOutDir refuses to write into an existing, non-empty directory unless force is
// set, and even then only into one that holds enisim output, so a typo cannot wipe a
// directory of other files.
func prepareOutDir(dir string, force bool) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) || err == nil && len(entries) == 0 {
		return nil
	}
	if err != nil {
		return err
	}
	if !force {
		return badInput("output directory %s exists and is not empty: choose another with -o, or pass --force to replace it", dir)
	}
	for _, marker := range []string{results.SummaryFile, results.IncompleteMarker, "runs.arrow", "runs.parquet", "runs"} {
		if _, err := os.Stat(filepath.Join(dir, marker)); err == nil {
			return os.RemoveAll(dir)
		}
	}
	return badInput("output directory %s does not look like enisim output (no %s); refusing to replace it even with --force", dir, results.SummaryFile)
}

// interrupts sets stop on the first SIGINT/SIGTERM so the run ends cleanly and writes what
// it has; a second signal exits at once.
func interrupts(stop *atomic.Bool, stderr io.Writer) func() {
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-ch:
			fmt.Fprintln(stderr, "\nenisim: interrupted — finishing the current step and writing what was observed (interrupt again to abort)")
			stop.Store(true)
		case <-done:
			return
		}
		select {
		case <-ch:
			os.Exit(130)
		case <-done:
		}
	}()
	return func() { signal.Stop(ch); close(done) }
}

func cmdRun(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", "SCENARIO [flags]",
		"Runs a scenario (a YAML file, or the name of a built-in: "+strings.Join(scenarios.BuiltinNames(), ", ")+"),\nprints a capacity summary and writes its tables to the output directory.",
		"  enisim run default\n  enisim run scenarios/library/idle-fleet.yaml -o out/idle --format parquet --seed 7\n  enisim run mass-deploy --parallel 2 --force\n", stderr)
	out := fs.StringP("output", "o", "", "output directory (default out/SCENARIO)")
	seed := fs.Uint64("seed", 0, "root seed (default: the scenario's run.seed)")
	format := fs.String("format", "arrow", "table format: arrow (Arrow IPC files) or parquet")
	parallel := fs.Int("parallel", 0, "partitions simulated at once (default: number of CPUs)")
	force := fs.Bool("force", false, "replace an existing output directory of an earlier run")
	duration := fs.Duration("duration", 0, "simulate this long instead of the scenario's run.duration (e.g. 6h)")
	maxEvents := fs.Uint64("max-events", 0, "stop each partition after this many events (0: no bound); such a run is incomplete (exit 3)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return badInput("run takes one SCENARIO argument, got %d", fs.NArg())
	}
	f, err := results.ParseFormat(*format)
	if err != nil {
		return usageError{err}
	}
	if *duration < 0 {
		return badInput("--duration %v: must be positive", *duration)
	}
	if *parallel < 0 {
		return badInput("--parallel %d: must not be negative", *parallel)
	}
	sc, err := loadScenario(fs.Arg(0))
	if err != nil {
		return err
	}
	if len(sc.Sweep()) > 1 {
		return badInput("scenario %s has a sweep of %d points: use 'enisim sweep'", sc.Name, len(sc.Sweep()))
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("out", outName(sc.Name))
	}
	if err := prepareOutDir(dir, *force); err != nil {
		return err
	}
	opts := runner.Options{Dir: dir, Format: f, Workers: workers(*parallel), Version: version, Duration: *duration, MaxEvents: *maxEvents, Stop: new(atomic.Bool), Progress: new(runner.Progress)}
	if fs.Changed("seed") {
		opts.Seed = seed
	}
	defer interrupts(opts.Stop, stderr)()
	stopProgress := showProgress(opts.Progress, stderr)
	var outcome runner.Outcome
	for _, u := range runner.Units(sc) {
		if u.Rep > 0 {
			break // replications belong to sweep; run does the first
		}
		outcome, err = runner.RunUnit(sc, u, opts)
	}
	stopProgress()
	if outcome.Stats != nil {
		if werr := outcome.Summary.WriteText(stdout); werr != nil && err == nil {
			err = werr
		}
		fmt.Fprintf(stdout, "\nseed %d · %d events in %v · tables in %s\n", outcome.Seed, outcome.Events(), outcome.Wall.Round(1e6), dir)
	}
	if errors.Is(err, runner.ErrInterrupted) {
		return incompleteError{err.Error()}
	}
	if isBadScenario(err) {
		return usageError{err}
	}
	return err
}

// isBadScenario reports whether err is the scenario's fault: the scenario parser's or the
// model's validation (a value only the model bounds, e.g. a quota past 2^31).
func isBadScenario(err error) bool {
	return err != nil && (errors.Is(err, scenarios.ErrInvalid) || errors.Is(err, model.ErrInvalidConfig))
}

// outName is the default output directory name for a scenario: its name with path
// separators and control characters replaced, and never "", "." or ".." — so a scenario
// file called "...yaml" cannot make enisim write into (or --force remove) the current
// directory or its parent.
func outName(name string) string {
	s := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || unicode.IsControl(r) {
			return '_'
		}
		return r
	}, name)
	if strings.Trim(s, ".") == "" {
		return "scenario"
	}
	return s
}

func cmdValidate(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("validate", "SCENARIO...", "Parses and checks scenario files, reporting every error at once (file:line:col, field, fix).",
		"  enisim validate my-fleet.yaml\n  enisim validate scenarios/library/*.yaml\n", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return badInput("validate takes at least one SCENARIO")
	}
	var bad []error
	for _, a := range fs.Args() {
		sc, err := loadScenario(a)
		if err == nil {
			err = checkModel(a, sc)
		}
		if err != nil {
			fmt.Fprintln(stderr, err)
			bad = append(bad, err)
			continue
		}
		fmt.Fprintf(stdout, "%s: ok (%d sweep points × %d replications, hash %.12s)\n", a, len(sc.Sweep()), sc.Settings().Replications, sc.Hash())
	}
	if len(bad) > 0 {
		for _, e := range bad {
			if exitCode(e) != exitBadInput {
				return e
			}
		}
		return usageError{fmt.Errorf("%d of %d scenarios invalid", len(bad), fs.NArg())}
	}
	return nil
}

// checkModel converts every sweep point and builds its model (without running it), so
// validate also reports what only the model checks.
func checkModel(file string, sc *scenarios.Scenario) error {
	for _, p := range sc.Sweep() {
		cfg, err := sc.Model(p)
		if err == nil {
			for _, pc := range cfg.Partitions() {
				if _, err = model.New(pc, 0, nil); err != nil {
					break
				}
			}
		}
		if err != nil {
			err = fmt.Errorf("%s: sweep point %s: %w", file, p.Label(), err)
			if isBadScenario(err) {
				return usageError{err}
			}
			return err
		}
	}
	return nil
}
