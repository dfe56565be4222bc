package validate

import (
	"fmt"
	"runtime"

	"github.com/enisim/enisim/sim"
)

// Options select the root seed, the size and the confidence level of a validation run.
type Options struct {
	Seed sim.Seed
	// Short runs every check with fewer replications and shorter horizons (the Go test).
	Short bool
	// Workers run replications in parallel; results do not depend on it. 0: GOMAXPROCS.
	Workers int
	// Level is the confidence level of the intervals (0: 0.95).
	Level float64
}

func (o Options) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return runtime.GOMAXPROCS(0)
}

func (o Options) level() float64 {
	if o.Level > 0 {
		return o.Level
	}
	return 0.95
}

// pick returns short in a short run and full otherwise.
func pick[T any](o Options, full, short T) T {
	if o.Short {
		return short
	}
	return full
}

// Command is the command line that reproduces check id with these options.
func (o Options) Command(id string) string {
	s := fmt.Sprintf("go run ./validate/cmd/validate -check %s -seed %d", id, uint64(o.Seed))
	if o.Short {
		s += " -short"
	}
	if l := o.level(); l != 0.95 {
		s += fmt.Sprintf(" -level %g", l)
	}
	return s + " -o /dev/stdout"
}

// Result is one compared quantity of a check.
type Result struct {
	Check    string // the check's id
	Name     string // what was compared, e.g. "blocking probability, c = 10, a = 8"
	Setup    string // the configuration, in words
	Oracle   string // the analytic expression
	Analytic float64
	Est      Estimate // over replications
	Seed     sim.Seed // the root seed; replication i uses Seed.Derive(Check, i)
	Pass     bool
	Rule     string // how Pass was decided
	Note     string // assumptions, bias bounds
}

// Check is one validation: it runs replications and compares them with its oracles.
type Check struct {
	ID    string
	Title string
	Run   func(o Options) ([]Result, error)
}

// Checks are the model-vs-oracle checks, in report order. The SimFaaS comparison and the
// facts-sheet coverage are separate (SimFaaS, Coverage): they compare with published
// figures and with the repository, not with an analytic value.
func Checks() []Check {
	return []Check{
		{"mginf", "M/G/∞: busy execution environments = λ·E[S]", checkMGInf},
		{"erlangb", "Erlang-B: throttled share under the account concurrency quota", checkErlangB},
		{"reclaim", "Idle reclamation after 14 days without invocations", checkReclaim},
		{"keepalive", "Connection resets past the 350 s network idle timeout", checkKeepalive},
	}
}

// compare builds a Result whose Pass is "the confidence interval contains the analytic value".
func compare(o Options, id string, xs []float64, analytic float64) Result {
	e := Estimated(xs, o.level())
	return Result{Check: id, Analytic: analytic, Est: e, Seed: o.Seed, Pass: e.Contains(analytic),
		Rule: fmt.Sprintf("the %g %% Student-t interval over %d replications contains the analytic value", 100*o.level(), e.N)}
}
