package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/enisim/enisim/results"
)

// tableFiles lists the files of one table under dir, in path order (= sweep, rep, partition
// order): DIR/TABLE.arrow or DIR/TABLE.parquet in the flat layout, every data.* under
// DIR/TABLE/ in the Hive layout. An absent table gives no files and no error.
func tableFiles(dir, table string) ([]string, error) {
	var out []string
	for _, ext := range []string{"arrow", "parquet"} {
		p := filepath.Join(dir, table+"."+ext)
		if _, err := os.Stat(p); err == nil {
			out = append(out, p)
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	root := filepath.Join(dir, table)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			if n := d.Name(); n == "data.arrow" || n == "data.parquet" {
				out = append(out, p)
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("report: list %s: %w", root, err)
	}
	sort.Strings(out)
	return out, nil
}

// columns gives typed access to named columns of one record batch.
type columns struct {
	rec arrow.Record
	idx map[string]int
}

func (c columns) col(name string) (arrow.Array, error) {
	i, ok := c.idx[name]
	if !ok {
		return nil, fmt.Errorf("report: column %q missing", name)
	}
	return c.rec.Column(i), nil
}

func (c columns) f64(name string) (*array.Float64, error) {
	a, err := c.col(name)
	if err != nil {
		return nil, err
	}
	v, ok := a.(*array.Float64)
	if !ok {
		return nil, fmt.Errorf("report: column %q is %s, want float64", name, a.DataType())
	}
	return v, nil
}

func (c columns) i64(name string) (*array.Int64, error) {
	a, err := c.col(name)
	if err != nil {
		return nil, err
	}
	v, ok := a.(*array.Int64)
	if !ok {
		return nil, fmt.Errorf("report: column %q is %s, want int64", name, a.DataType())
	}
	return v, nil
}

func (c columns) str(name string) (*array.String, error) {
	a, err := c.col(name)
	if err != nil {
		return nil, err
	}
	v, ok := a.(*array.String)
	if !ok {
		return nil, fmt.Errorf("report: column %q is %s, want string", name, a.DataType())
	}
	return v, nil
}

func (c columns) bln(name string) (*array.Boolean, error) {
	a, err := c.col(name)
	if err != nil {
		return nil, err
	}
	v, ok := a.(*array.Boolean)
	if !ok {
		return nil, fmt.Errorf("report: column %q is %s, want bool", name, a.DataType())
	}
	return v, nil
}

// scan streams every record batch of a table (all its files, in order) to fn.
func scan(dir, table string, fn func(columns) error) (found bool, err error) {
	files, err := tableFiles(dir, table)
	if err != nil || len(files) == 0 {
		return false, err
	}
	for _, f := range files {
		err := results.ReadRecords(f, nil, 0, func(rec arrow.Record) error {
			idx := make(map[string]int, rec.NumCols())
			for i, fl := range rec.Schema().Fields() {
				idx[fl.Name] = i
			}
			return fn(columns{rec: rec, idx: idx})
		})
		if err != nil {
			return true, fmt.Errorf("report: %s: %w", f, err)
		}
	}
	return true, nil
}

// readSummaries reads every run's summary.json under dir: DIR/summary.json (flat) or
// DIR/summary/sweep=*/rep=*/summary.json (Hive), sorted by (sweep, rep, run id).
func readSummaries(dir string) ([]results.Summary, error) {
	var paths []string
	if _, err := os.Stat(filepath.Join(dir, results.SummaryFile)); err == nil {
		paths = append(paths, filepath.Join(dir, results.SummaryFile))
	}
	m, err := filepath.Glob(filepath.Join(dir, "summary", "sweep=*", "rep=*", results.SummaryFile))
	if err != nil {
		return nil, err
	}
	paths = append(paths, m...)
	var out []results.Summary
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		var s results.Summary
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, fmt.Errorf("report: %s: %w", p, err)
		}
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Run, out[j].Run
		if a.Sweep != b.Sweep {
			return a.Sweep < b.Sweep
		}
		if a.Rep != b.Rep {
			return a.Rep < b.Rep
		}
		return a.RunID < b.RunID
	})
	return out, nil
}
