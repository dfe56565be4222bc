package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/enisim/enisim/results/report"
)

func cmdReport(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report", "RESULTS_DIR [flags]", "Renders PNG and SVG charts and one self-contained HTML page from a results directory\n(a run's, or a sweep's Hive tree: means with 95% confidence intervals across replications).",
		"  enisim report out/default\n  enisim report out/sweep -o out/sweep-report\n", stderr)
	out := fs.StringP("output", "o", "", "where to write the charts and report.html (default RESULTS_DIR/report)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return badInput("report takes one RESULTS_DIR, got %d", fs.NArg())
	}
	dir := fs.Arg(0)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return badInput("%s is not a results directory", dir)
	}
	o := *out
	if o == "" {
		o = filepath.Join(dir, "report")
	}
	if err := report.Render(dir, o); err != nil {
		if errors.Is(err, report.ErrNoResults) {
			return usageError{err}
		}
		return err
	}
	fmt.Fprintf(stdout, "report written to %s\n", filepath.Join(o, "report.html"))
	return nil
}
