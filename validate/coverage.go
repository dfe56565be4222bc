package validate

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// CoverageFile is where the model engineer keeps the facts-sheet coverage table: one row
// per rule of docs/lambda-vpc-facts.md, naming the tests (and interaction scripts) that
// exhibit it.
const CoverageFile = "docs/facts-coverage.md"

// CoverageRow is one table row of the coverage file.
type CoverageRow struct {
	Line  int
	Rule  string   // the first cell
	Tests []string // Go test, fuzz, example and benchmark names the row mentions
	// Subtests are the "TestX/name" references (their first level), e.g. TestScripts/legacy.
	Subtests []string
	Paths    []string // repository paths the row mentions in backquotes
}

// Coverage is the result of checking the coverage file against the repository.
type Coverage struct {
	File                   string
	Rows                   []CoverageRow
	Tests, Subtests, Paths int      // distinct names, subtest references and paths referred to
	Missing                []string // "line N: TestX" for each name or path not found
	Uncovered              []string // rules whose row names neither a test nor a path
}

// Pass: the file exists, has rows, and everything it names exists.
func (c Coverage) Pass() bool { return len(c.Rows) > 0 && len(c.Missing) == 0 }

var (
	testRef  = regexp.MustCompile(`\b((?:Test|Fuzz|Example|Benchmark)[A-Z0-9_][A-Za-z0-9_]*)(?:/([A-Za-z0-9_.-]+))?`)
	pathRef  = regexp.MustCompile("`([A-Za-z_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_.-]+)+/?)(?::[0-9]+)?`")
	testFunc = regexp.MustCompile(`(?m)^func ((?:Test|Fuzz|Example|Benchmark)[A-Za-z0-9_]*)\(`)
)

// ParseCoverage reads the Markdown tables of a coverage file: every table row after a
// header row is a rule. A name like TestX/sub refers to TestX.
func ParseCoverage(md []byte) []CoverageRow {
	var rows []CoverageRow
	sc := bufio.NewScanner(bytes.NewReader(md))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	line, inTable, header := 0, false, false
	for sc.Scan() {
		line++
		l := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(l, "|") {
			inTable = false
			continue
		}
		if !inTable {
			inTable, header = true, true
			continue
		}
		cells := strings.Split(strings.Trim(l, "|"), "|")
		if header && isSeparator(cells) {
			header = false
			continue
		}
		r := CoverageRow{Line: line, Rule: strings.TrimSpace(cells[0])}
		rest := strings.Join(cells[1:], "|")
		for _, m := range testRef.FindAllStringSubmatch(rest, -1) {
			if !slices.Contains(r.Tests, m[1]) {
				r.Tests = append(r.Tests, m[1])
			}
			if sub := m[1] + "/" + m[2]; m[2] != "" && !slices.Contains(r.Subtests, sub) {
				r.Subtests = append(r.Subtests, sub)
			}
		}
		for _, m := range pathRef.FindAllStringSubmatch(rest, -1) {
			if p := m[1]; strings.Contains(p, ".") || strings.HasSuffix(p, "/") {
				if !slices.Contains(r.Paths, p) {
					r.Paths = append(r.Paths, p)
				}
			}
		}
		rows = append(rows, r)
	}
	return rows
}

func isSeparator(cells []string) bool {
	for _, c := range cells {
		if strings.Trim(strings.TrimSpace(c), ":-") != "" {
			return false
		}
	}
	return true
}

// TestFuncs indexes the test functions declared in the *_test.go files under root (outside
// .git, node_modules, vendor and testdata directories): name → files.
func TestFuncs(root string) (map[string][]string, error) {
	idx := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "vendor", "testdata":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for _, m := range testFunc.FindAllSubmatch(src, -1) {
			idx[string(m[1])] = append(idx[string(m[1])], filepath.ToSlash(rel))
		}
		return nil
	})
	return idx, err
}

// CheckCoverage parses root/CoverageFile and checks that every test it names is declared
// somewhere in the repository and every path it names exists. A missing file is an error.
func CheckCoverage(root string) (Coverage, error) {
	c := Coverage{File: CoverageFile}
	md, err := os.ReadFile(filepath.Join(root, CoverageFile))
	if err != nil {
		return c, fmt.Errorf("facts coverage: %w", err)
	}
	c.Rows = ParseCoverage(md)
	idx, err := TestFuncs(root)
	if err != nil {
		return c, fmt.Errorf("facts coverage: indexing tests: %w", err)
	}
	tests, subs, paths := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, r := range c.Rows {
		if len(r.Tests) == 0 && len(r.Paths) == 0 {
			c.Uncovered = append(c.Uncovered, fmt.Sprintf("line %d: %s", r.Line, r.Rule))
		}
		for _, t := range r.Tests {
			tests[t] = true
			if len(idx[t]) == 0 {
				c.Missing = append(c.Missing, fmt.Sprintf("line %d: %s (no func %s in any _test.go)", r.Line, t, t))
			}
		}
		for _, st := range r.Subtests {
			subs[st] = true
			if len(idx[strings.SplitN(st, "/", 2)[0]]) > 0 && !subtestExists(root, idx, st) {
				c.Missing = append(c.Missing, fmt.Sprintf("line %d: %s (no testdata/%s.* and no %q literal beside its test)",
					r.Line, st, strings.SplitN(st, "/", 2)[1], strings.SplitN(st, "/", 2)[1]))
			}
		}
		for _, p := range r.Paths {
			paths[p] = true
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(p))); err != nil {
				c.Missing = append(c.Missing, fmt.Sprintf("line %d: %s (no such file)", r.Line, p))
			}
		}
	}
	c.Tests, c.Subtests, c.Paths = len(tests), len(subs), len(paths)
	return c, nil
}

// subtestExists reports whether TestX/name plausibly names a subtest: a file
// testdata/name.* (a script or golden case) or a string literal "name" (a t.Run table
// entry; Go turns spaces in subtest names into underscores) in the test files of a package
// declaring TestX. Subtests are only known by running the tests, so this is a static
// approximation: it catches a renamed or deleted script or case.
func subtestExists(root string, idx map[string][]string, ref string) bool {
	test, name, _ := strings.Cut(ref, "/")
	literals := []string{`"` + name + `"`, `"` + strings.ReplaceAll(name, "_", " ") + `"`}
	for _, f := range idx[test] {
		dir := filepath.Join(root, filepath.FromSlash(filepath.Dir(f)))
		if m, _ := filepath.Glob(filepath.Join(dir, "testdata", name+".*")); len(m) > 0 {
			return true
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
		for _, tf := range files {
			src, err := os.ReadFile(tf)
			if err != nil {
				continue
			}
			for _, l := range literals {
				if bytes.Contains(src, []byte(l)) {
					return true
				}
			}
		}
	}
	return false
}
