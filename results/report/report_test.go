package report

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/enisim/enisim/results"
	"github.com/enisim/enisim/results/resultstest"
)

// writeRun writes one synthetic run of `accounts` accounts with n intervals each.
func writeRun(t *testing.T, opts results.Options, accounts, n int, perInvocation bool) {
	t.Helper()
	opts.Partitions = accounts
	r, err := results.Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	for a := 0; a < accounts; a++ {
		resultstest.Synth(r.Partition(a), fmt.Sprintf("acct-%d", a), n, perInvocation)
	}
	if _, err := r.Close(true); err != nil {
		t.Fatal(err)
	}
}

var chartNames = []string{"enis_per_vpc", "ips_per_subnet", "pending", "latency_cdf"}

func TestRenderFlatRun(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	writeRun(t, results.Options{Dir: in, Format: results.Parquet, Run: results.RunInfo{RunID: "one", Scenario: "synthetic", Seed: 1}}, 2, 30, true)
	if err := Render(in, out); err != nil {
		t.Fatal(err)
	}
	for _, n := range chartNames {
		f, err := os.Open(filepath.Join(out, n+".png"))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s.png: %v", n, err)
		}
		if w := img.Bounds().Dx(); w != 864 { // 9 in at 96 dpi
			t.Errorf("%s.png is %d px wide", n, w)
		}
		svg, err := os.ReadFile(filepath.Join(out, n+".svg"))
		if err != nil || !bytes.Contains(svg, []byte("<svg")) {
			t.Errorf("%s.svg: %v", n, err)
		}
	}
	html, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	h := string(html)
	for _, want := range []string{"<svg", "Summary of run one", "acct-1/vpc-1", "LIMIT HIT", "Hyperplane ENIs per VPC vs quota",
		"kept-alive connection reused", "17 of 20 (85%) at 8m"} {
		if !strings.Contains(h, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "sweep.png")); err == nil {
		t.Error("sweep chart for a single run")
	}
	if strings.Contains(h, "<?xml") || strings.Contains(h, "Across replications") {
		t.Error("report.html: XML prolog inlined, or a replication table for a single run")
	}
}

func TestRenderHiveSweepIsDeterministic(t *testing.T) {
	in := t.TempDir()
	for sweep := 0; sweep < 2; sweep++ {
		for rep := 0; rep < 2; rep++ {
			ri := results.RunInfo{Scenario: "synthetic", Sweep: sweep, Rep: rep, Seed: uint64(10*sweep + rep),
				ParamsJSON: fmt.Sprintf(`{"quota":%d}`, 20+sweep)}
			writeRun(t, results.Options{Dir: in, Format: results.Arrow, Layout: results.Hive, Run: ri}, 2, 20+5*rep, false)
		}
	}
	o1, o2 := t.TempDir(), t.TempDir()
	if err := Render(in, o1); err != nil {
		t.Fatal(err)
	}
	if err := Render(in, o2); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(o1, "sweep.svg")); err != nil {
		t.Errorf("no sweep chart for two sweep points: %v", err)
	}
	for _, n := range append(chartNames, "report", "sweep") {
		for _, ext := range []string{".png", ".svg", ".html"} {
			a, errA := os.ReadFile(filepath.Join(o1, n+ext))
			b, errB := os.ReadFile(filepath.Join(o2, n+ext))
			if errA != nil || errB != nil {
				continue // not every name has every extension
			}
			if !bytes.Equal(a, b) {
				t.Errorf("%s%s differs between two renders of the same input", n, ext)
			}
		}
	}
	html, _ := os.ReadFile(filepath.Join(o1, "report.html"))
	h := string(html)
	for _, want := range []string{"Across replications", "(n=2)", "sweep 1", "Interval mean latency CDF", "synthetic-s0001-r01"} {
		if !strings.Contains(h, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}

func TestRenderEmptyDir(t *testing.T) {
	if err := Render(t.TempDir(), t.TempDir()); !errors.Is(err, ErrNoResults) {
		t.Errorf("Render(empty) = %v, want ErrNoResults", err)
	}
}

func TestMeanCI95(t *testing.T) {
	e := MeanCI95([]float64{1, 2, 3})
	// sd = 1, t(0.975, 2) = 4.302653, half = 4.302653/sqrt(3)
	if e.N != 3 || e.Mean != 2 || math.Abs(e.HalfWidth-4.302653/math.Sqrt(3)) > 1e-5 {
		t.Errorf("MeanCI95(1,2,3) = %+v", e)
	}
	if e := MeanCI95([]float64{5}); e.Mean != 5 || !math.IsNaN(e.HalfWidth) {
		t.Errorf("MeanCI95(5) = %+v", e)
	}
	if got := formatEstimate(MeanCI95([]float64{10, 20, 30, 40}), "%"); got != "25.0% ± 20.5% (n=4)" {
		t.Errorf("formatEstimate = %q", got)
	}
}

func TestDurationTicker(t *testing.T) {
	labels := func(min, max float64) string {
		var l []string
		for _, tk := range (DurationTicker{}).Ticks(min, max) {
			if tk.Label != "" {
				l = append(l, tk.Label)
			}
		}
		return strings.Join(l, " ")
	}
	for _, c := range []struct {
		min, max float64
		want     string
	}{
		{0, 3 * 86400, "0 12h 1d 1d12h 2d 2d12h 3d"},
		{0, 5400, "0 15m 30m 45m 1h 1h15m 1h30m"},
		{0, 14 * 86400, "0 2d 4d 6d 8d 10d 12d 14d"},
		{0, 2.5, "0 500ms 1s 1.5s 2s 2.5s"},
	} {
		if got := labels(c.min, c.max); got != c.want {
			t.Errorf("Ticks(%v, %v) = %q, want %q", c.min, c.max, got, c.want)
		}
	}
}
