package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/apache/arrow/go/v15/arrow/memory"
)

// RunInfo identifies a run. Every table row carries RunID, Sweep and Rep; the runs table
// and summary.json carry all of it.
type RunInfo struct {
	RunID        string `json:"run_id"`
	Sweep        int    `json:"sweep"`
	Rep          int    `json:"rep"`
	Seed         uint64 `json:"seed"`
	Scenario     string `json:"scenario"`
	ScenarioHash string `json:"scenario_hash"`
	Version      string `json:"enisim_version"`
	ParamsJSON   string `json:"params_json"` // a JSON object; "{}" when empty
}

// Options configure a Run.
type Options struct {
	Dir        string
	Format     Format
	Layout     Layout
	Run        RunInfo
	Partitions int              // partitions (account groups) of the run; 0 means 1
	BatchRows  int              // rows per record batch and Parquet row group; 0 means DefaultBatchRows
	Allocator  memory.Allocator // nil means memory.DefaultAllocator

	wrap func(io.Writer) io.Writer // test hook: wraps every table file's writer
}

// DefaultBatchRows bounds the rows each table buffers before writing a batch.
const DefaultBatchRows = 64 << 10

// MaxPartitions bounds Options.Partitions (part=NN directory names stay short and sortable).
const MaxPartitions = 9999

// Marker and summary file names.
const (
	IncompleteMarker = "_INCOMPLETE"
	SummaryFile      = "summary.json"
	partsDir         = "_parts"
)

// Run writes the tables of one run (one seed, one sweep point, one replication), split into
// partitions that may be simulated in parallel.
type Run struct {
	opts   Options
	sinks  []*Sink
	closed bool
}

// Create validates opts, creates the output directory and the _INCOMPLETE marker (so a
// crash at any later point leaves the run visibly unfinished), and makes one Sink per
// partition. Nothing else is written until the Sinks flush.
func Create(opts Options) (*Run, error) {
	if opts.Dir == "" {
		return nil, fmt.Errorf("%w: Dir is empty", ErrOptions)
	}
	if opts.Format != Arrow && opts.Format != Parquet {
		return nil, fmt.Errorf("%w: Format %d", ErrOptions, opts.Format)
	}
	if opts.Layout != Flat && opts.Layout != Hive {
		return nil, fmt.Errorf("%w: Layout %d", ErrOptions, opts.Layout)
	}
	if opts.Partitions == 0 {
		opts.Partitions = 1
	}
	if opts.Partitions < 1 || opts.Partitions > MaxPartitions {
		return nil, fmt.Errorf("%w: Partitions %d: want 1..%d", ErrOptions, opts.Partitions, MaxPartitions)
	}
	if opts.BatchRows == 0 {
		opts.BatchRows = DefaultBatchRows
	}
	if opts.BatchRows < 1 {
		return nil, fmt.Errorf("%w: BatchRows %d: want > 0", ErrOptions, opts.BatchRows)
	}
	if opts.Run.Sweep < 0 || opts.Run.Rep < 0 {
		return nil, fmt.Errorf("%w: Run.Sweep %d, Run.Rep %d: want >= 0", ErrOptions, opts.Run.Sweep, opts.Run.Rep)
	}
	if opts.Run.ParamsJSON == "" {
		opts.Run.ParamsJSON = "{}"
	}
	if !json.Valid([]byte(opts.Run.ParamsJSON)) {
		return nil, fmt.Errorf("%w: Run.ParamsJSON %q is not valid JSON", ErrOptions, opts.Run.ParamsJSON)
	}
	if opts.Run.RunID == "" {
		opts.Run.RunID = fmt.Sprintf("%s-s%04d-r%02d", opts.Run.Scenario, opts.Run.Sweep, opts.Run.Rep)
	}
	if opts.Allocator == nil {
		opts.Allocator = memory.DefaultAllocator
	}
	r := &Run{opts: opts}
	if err := os.MkdirAll(r.metaDir(), 0o755); err != nil {
		return nil, fmt.Errorf("results: create %s: %w", r.metaDir(), err)
	}
	if err := WriteFileAtomic(r.markerPath(), []byte("run started; not closed yet\n")); err != nil {
		return nil, err
	}
	r.sinks = make([]*Sink, opts.Partitions)
	for i := range r.sinks {
		r.sinks[i] = newSink(r, i)
	}
	return r, nil
}

// Partition returns the Sink of partition i (0 <= i < Partitions).
func (r *Run) Partition(i int) *Sink { return r.sinks[i] }

// Partitions returns the number of partitions.
func (r *Run) Partitions() int { return len(r.sinks) }

// Options returns the options after defaults were applied.
func (r *Run) Options() Options { return r.opts }

// Close finishes the run: it closes every partition's Sink in partition order, merges flat
// partition files into DIR/TABLE.EXT in partition order, writes the runs table and
// summary.json, and removes the _INCOMPLETE marker if complete is true and everything
// succeeded. complete=false (an interrupted run) keeps every file written so far and the
// marker. The output bytes depend on the partitions' observations only, not on which worker
// ran which partition or when.
func (r *Run) Close(complete bool) (Summary, error) {
	if r.closed {
		return Summary{}, errors.New("results: run closed twice")
	}
	r.closed = true
	var errs []error
	for _, s := range r.sinks {
		if err := s.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 && r.opts.Layout == Flat && len(r.sinks) > 1 {
		for _, spec := range dataTables {
			if err := r.mergeFlat(spec); err != nil {
				errs = append(errs, err)
				break
			}
		}
		if len(errs) == 0 {
			if err := os.RemoveAll(filepath.Join(r.opts.Dir, partsDir)); err != nil {
				errs = append(errs, fmt.Errorf("results: remove part files: %w", err))
			}
		}
	}
	col := newCollector()
	for _, s := range r.sinks {
		col.merge(s.col)
	}
	ok := complete && len(errs) == 0
	sum := col.summary(r.opts.Run, ok)
	if err := r.writeRunsTable(ok); err != nil {
		errs = append(errs, err)
	}
	var js bytes.Buffer
	if err := sum.WriteJSON(&js); err != nil {
		errs = append(errs, err)
	} else if err := WriteFileAtomic(filepath.Join(r.metaDir(), SummaryFile), js.Bytes()); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		_ = WriteFileAtomic(r.markerPath(), []byte(fmt.Sprintf("run failed: %v\n", errors.Join(errs...))))
		return sum, errors.Join(errs...)
	}
	if !complete {
		return sum, WriteFileAtomic(r.markerPath(), []byte("run interrupted before its end; tables hold what was observed until then\n"))
	}
	if err := os.Remove(r.markerPath()); err != nil {
		return sum, fmt.Errorf("results: remove marker: %w", err)
	}
	return sum, syncDir(r.metaDir())
}

func (r *Run) writeRunsTable(complete bool) error {
	t := newTableWriter(RunsTable, r.finalPath(RunsTable.Name), r.opts.Format, r.opts.Allocator, 1)
	ri := r.opts.Run
	t.str(ri.RunID)
	t.i32(int32(ri.Sweep))
	t.i32(int32(ri.Rep))
	t.u64(ri.Seed)
	t.str(ri.Scenario)
	t.str(ri.ScenarioHash)
	t.str(ri.Version)
	t.str(ri.ParamsJSON)
	t.i32(int32(len(r.sinks)))
	t.bln(complete)
	t.endRow()
	return t.close()
}

// hiveDir is TABLE/sweep=SSSS/rep=RR under Dir.
func (r *Run) hiveDir(table string) string {
	return HiveDir(r.opts.Dir, table, r.opts.Run.Sweep, r.opts.Run.Rep)
}

// HiveDir is where one run (sweep point, replication) of a Hive-layout dataset keeps a
// table: DIR/TABLE/sweep=SSSS/rep=RR. The table "summary" holds summary.json and the
// _INCOMPLETE marker.
func HiveDir(dir, table string, sweep, rep int) string {
	return filepath.Join(dir, table, fmt.Sprintf("sweep=%04d", sweep), fmt.Sprintf("rep=%02d", rep))
}

// metaDir holds summary.json and the marker: Dir itself for a flat run, or
// Dir/summary/sweep=SSSS/rep=RR so runs sharing a Hive Dir do not collide.
func (r *Run) metaDir() string {
	if r.opts.Layout == Hive {
		return r.hiveDir("summary")
	}
	return r.opts.Dir
}

func (r *Run) markerPath() string { return filepath.Join(r.metaDir(), IncompleteMarker) }

// SummaryPath is where Close writes summary.json.
func (r *Run) SummaryPath() string { return filepath.Join(r.metaDir(), SummaryFile) }

// finalPath is the table file as readers see it: DIR/TABLE.EXT (flat) or
// DIR/TABLE/sweep=SSSS/rep=RR/part=00/data.EXT (Hive; used for the runs table).
func (r *Run) finalPath(table string) string {
	ext := r.opts.Format.Ext()
	if r.opts.Layout == Hive {
		return filepath.Join(r.hiveDir(table), "part=00", "data."+ext)
	}
	return filepath.Join(r.opts.Dir, table+"."+ext)
}

// partPath is where partition part writes table: the final file for a single-partition
// flat run, DIR/_parts/TABLE/part=NN.EXT (merged at Close) for a multi-partition flat run,
// and DIR/TABLE/sweep=SSSS/rep=RR/part=NN/data.EXT in the Hive layout.
func (r *Run) partPath(table string, part int) string {
	ext := r.opts.Format.Ext()
	switch {
	case r.opts.Layout == Hive:
		return filepath.Join(r.hiveDir(table), fmt.Sprintf("part=%02d", part), "data."+ext)
	case len(r.sinks) > 1 || r.opts.Partitions > 1:
		return filepath.Join(r.opts.Dir, partsDir, table, fmt.Sprintf("part=%02d.%s", part, ext))
	}
	return r.finalPath(table)
}
