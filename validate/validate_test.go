package validate

import (
	"bytes"
	"flag"
	"math"
	"strings"
	"testing"

	"github.com/enisim/enisim/sim"
)

var testSeed = flag.Uint64("validate.seed", 1, "root seed of the short validation checks")

// testLevel is the confidence level of the short checks: 99.9 %, so that with about a
// dozen comparisons a correct model fails by chance about once in a hundred seeds, while a
// model bug of a few percent still shows (the report uses 95 %).
const testLevel = 0.999

func shortOptions() Options {
	return Options{Seed: sim.Seed(*testSeed), Short: true, Level: testLevel}
}

// TestChecksAgreeWithOracles runs the short version of every check: each interval must
// contain its analytic value. On failure it prints the seed and the command that reruns
// the check.
func TestChecksAgreeWithOracles(t *testing.T) {
	o := shortOptions()
	for _, c := range Checks() {
		t.Run(c.ID, func(t *testing.T) {
			rs, err := c.Run(o)
			if err != nil {
				t.Fatalf("%v\nreproduce: %s", err, o.Command(c.ID))
			}
			if len(rs) == 0 {
				t.Fatal("no comparison")
			}
			for _, r := range rs {
				if !r.Pass {
					t.Errorf("%s: analytic %.6g outside %v (t = %.2f)\nseed %d; reproduce: %s",
						r.Name, r.Analytic, r.Est, r.Est.T(r.Analytic), uint64(r.Seed), o.Command(c.ID))
				} else {
					t.Logf("%s: analytic %.6g, simulated %v", r.Name, r.Analytic, r.Est)
				}
			}
		})
	}
}

// TestSimFaaSComparisonRuns runs bench/single-function's experiments through the report's
// code path with short horizons. Its published-figure rule is asserted at full length by
// bench/single-function's own tests and by `make validate`; here each figure must be
// present, finite and predicted (the short horizons only widen the interval).
func TestSimFaaSComparisonRuns(t *testing.T) {
	o := shortOptions()
	rs, err := SimFaaS(o)
	if err != nil {
		t.Fatalf("%v\nreproduce: %s", err, o.Command("simfaas"))
	}
	if len(rs) != len(SimFaaSFigures()) {
		t.Fatalf("%d figures compared, want %d", len(rs), len(SimFaaSFigures()))
	}
	for _, r := range rs {
		if math.IsNaN(r.Est.Mean) || r.Est.N < 2 {
			t.Errorf("%s %s: estimate %v", r.Experiment, r.Quantity, r.Est)
		}
		if !r.Pass {
			t.Errorf("%s %s: published %g outside the prediction interval of %v\nreproduce: %s",
				r.Experiment, r.Quantity, r.Value, r.Est, o.Command("simfaas"))
		}
	}
}

// TestRunIsDeterministic: the same seed gives the same report whatever the worker count,
// and another seed gives another one.
func TestRunIsDeterministic(t *testing.T) {
	render := func(seed sim.Seed, workers int) string {
		o := Options{Seed: seed, Short: true, Workers: workers}
		r, err := Run(o, "..", []string{"keepalive"})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := r.WriteMarkdown(&b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	a, b, c := render(5, 1), render(5, 3), render(6, 2)
	if a != b {
		t.Fatal("the report depends on the worker count")
	}
	if a == c {
		t.Fatal("two seeds gave the same report")
	}
	for _, want := range []string{"## Summary", "share of reuses reset, mean gap 350 s, no probes", "-check keepalive -seed 5 -short"} {
		if !strings.Contains(a, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

func TestRunRejectsUnknownSections(t *testing.T) {
	_, err := Run(Options{Seed: 1, Short: true}, "..", []string{"mginf", "nope"})
	if err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Fatalf("err = %v, want it to name the unknown check", err)
	}
}
