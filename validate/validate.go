package validate

import (
	"fmt"
	"slices"
	"strings"
)

// Sections are the names Run accepts: the checks' ids, then "simfaas" and "coverage".
func Sections() []string {
	var ids []string
	for _, c := range Checks() {
		ids = append(ids, c.ID)
	}
	return append(ids, "simfaas", "coverage")
}

// Run runs the named sections (all when only is empty) and returns the report. root is
// the repository root, where the coverage section reads docs/facts-coverage.md. A model
// that disagrees with an oracle is a failed comparison in the report, not an error; errors
// are for bad options and runs that could not complete.
func Run(o Options, root string, only []string) (*Report, error) {
	all := Sections()
	for _, id := range only {
		if !slices.Contains(all, id) {
			return nil, fmt.Errorf("validate: check %q: want one of %s", id, strings.Join(all, ", "))
		}
	}
	want := func(id string) bool { return len(only) == 0 || slices.Contains(only, id) }
	r := &Report{Options: o}
	for _, c := range Checks() {
		if !want(c.ID) {
			continue
		}
		res, err := c.Run(o)
		if err != nil {
			return nil, fmt.Errorf("validate: %s: %w", c.ID, err)
		}
		r.Checks = append(r.Checks, CheckRun{Check: c, Results: res})
	}
	if want("simfaas") {
		res, err := SimFaaS(o)
		if err != nil {
			return nil, fmt.Errorf("validate: simfaas: %w", err)
		}
		r.SimFaaS, r.RanSimFaaS = res, true
	}
	if want("coverage") {
		r.RanCoverage = true
		r.Coverage, r.CoverageErr = CheckCoverage(root)
	}
	return r, nil
}
