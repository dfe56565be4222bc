package validate

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseCoverageReadsEveryTableRow(t *testing.T) {
	md, err := os.ReadFile("testdata/covroot/docs/facts-coverage.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := ParseCoverage(md)
	if len(rows) != 5 {
		t.Fatalf("%d rows, want 5: %+v", len(rows), rows)
	}
	if r := rows[0]; r.Rule != "§2 idle ENIs reclaimed after 14 days" || !slices.Equal(r.Tests, []string{"TestPresent"}) ||
		!slices.Equal(r.Paths, []string{"pkg/testdata/idle.txt"}) || r.Line != 7 {
		t.Errorf("row 0 = %+v", r)
	}
	if r := rows[1]; !slices.Equal(r.Tests, []string{"TestPresent", "TestAbsent"}) || !slices.Equal(r.Subtests, []string{"TestPresent/idle"}) {
		t.Errorf("row 1 tests = %q, subtests %q: want the subtest's parent and TestAbsent, and TestPresent/idle", r.Tests, r.Subtests)
	}
	if r := rows[2]; !slices.Equal(r.Paths, []string{"pkg/testdata/missing.txt"}) {
		t.Errorf("row 2 paths = %q (a CIDR is not a path)", r.Paths)
	}
	if r := rows[4]; !slices.Equal(r.Tests, []string{"FuzzPresent", "ExamplePresent", "TestPresent"}) ||
		!slices.Equal(r.Subtests, []string{"TestPresent/table_case", "TestPresent/gone"}) {
		t.Errorf("row 4 tests = %q, subtests %q", r.Tests, r.Subtests)
	}
}

func TestCheckCoverageReportsMissingTestsAndPaths(t *testing.T) {
	c, err := CheckCoverage("testdata/covroot")
	if err != nil {
		t.Fatal(err)
	}
	if c.Pass() {
		t.Fatal("a file naming a missing test passes")
	}
	want := []string{
		"line 8: TestAbsent (no func TestAbsent in any _test.go)",
		"line 9: pkg/testdata/missing.txt (no such file)",
		`line 14: TestPresent/gone (no testdata/gone.* and no "gone" literal beside its test)`,
	}
	if !slices.Equal(c.Missing, want) {
		t.Errorf("missing = %q, want %q", c.Missing, want)
	}
	if len(c.Uncovered) != 1 || !strings.Contains(c.Uncovered[0], "§9 legacy mode") {
		t.Errorf("uncovered = %q", c.Uncovered)
	}
	if c.Tests != 4 || c.Subtests != 3 || c.Paths != 2 {
		t.Errorf("%d tests, %d subtests and %d paths named, want 4, 3 and 2", c.Tests, c.Subtests, c.Paths)
	}
	if _, err := CheckCoverage(t.TempDir()); err == nil {
		t.Error("no error for a missing coverage file")
	}
}

// TestFactsCoverageNamesExistingTests: every test and path docs/facts-coverage.md names
// exists in the repository. The file is the model's map from the facts sheet's rules to
// the tests that exhibit them (model/doc.go links it).
func TestFactsCoverageNamesExistingTests(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	c, err := CheckCoverage(root)
	if err != nil {
		t.Fatalf("%v (the model's facts-sheet coverage table is missing)", err)
	}
	if len(c.Rows) == 0 {
		t.Fatalf("%s has no table rows", CoverageFile)
	}
	for _, m := range c.Missing {
		t.Errorf("%s %s", CoverageFile, m)
	}
	t.Logf("%d rules, %d tests, %d subtests and %d paths named; rules naming nothing: %q", len(c.Rows), c.Tests, c.Subtests, c.Paths, c.Uncovered)
}
