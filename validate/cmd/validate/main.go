// Command validate compares enisim with analytic oracles and published results and writes
// the report (results/validation.md by `make validate`). It exits 1 when a comparison
// fails (after writing the report), 2 on bad flags or a run that could not complete.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/enisim/enisim/sim"
	"github.com/enisim/enisim/validate"
)

func main() {
	out := flag.String("o", "results/validation.md", "write the Markdown report to this file")
	seed := flag.Uint64("seed", 1, "root seed; replication i of a check uses Seed.Derive(check, i)")
	short := flag.Bool("short", false, "fewer replications and shorter horizons (what the Go test runs)")
	only := flag.String("check", "", "comma-separated sections to run (default all): "+strings.Join(validate.Sections(), ", "))
	level := flag.Float64("level", 0.95, "confidence level of the intervals")
	workers := flag.Int("workers", 0, "replications run in parallel (0: GOMAXPROCS); results do not depend on it")
	root := flag.String("root", ".", "repository root (for docs/facts-coverage.md)")
	flag.Parse()
	if flag.NArg() > 0 {
		fail(2, fmt.Errorf("unexpected arguments %q", flag.Args()))
	}
	if !(*level > 0 && *level < 1) {
		fail(2, fmt.Errorf("-level %v: want a probability in (0, 1)", *level))
	}
	var ids []string
	if *only != "" {
		ids = strings.Split(*only, ",")
	}
	start := time.Now() // wall time of the validation run, reported on stderr only
	o := validate.Options{Seed: sim.Seed(*seed), Short: *short, Workers: *workers, Level: *level}
	rep, err := validate.Run(o, *root, ids)
	if err != nil {
		fail(2, err)
	}
	var buf bytes.Buffer
	if err := rep.WriteMarkdown(&buf); err != nil {
		fail(2, err)
	}
	if err := write(*out, buf.Bytes()); err != nil {
		fail(2, err)
	}
	verdict := "PASS"
	if !rep.Pass() {
		verdict = "FAIL"
	}
	fmt.Fprintf(os.Stderr, "validate: %s, wrote %s in %.1f s (seed %d)\n", verdict, *out, time.Since(start).Seconds(), *seed)
	if !rep.Pass() {
		os.Exit(1)
	}
}

// write replaces path with data (through a temporary file, so a failed run never leaves a
// half-written report); /dev/stdout and "-" print instead.
func write(path string, data []byte) error {
	if path == "-" || path == "/dev/stdout" {
		_, err := os.Stdout.Write(data)
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func fail(code int, err error) {
	fmt.Fprintln(os.Stderr, "validate:", err)
	os.Exit(code)
}
