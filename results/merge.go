package results

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/ipc"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/apache/arrow/go/v15/parquet"
	"github.com/apache/arrow/go/v15/parquet/file"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"
)

// mergeFlat concatenates the partitions' files of one table into DIR/TABLE.EXT, partition 0
// first, streaming one batch at a time. Batch boundaries follow the partitions' own, which
// depend on the partitioning, never on the worker count. A table no partition wrote (the
// optional invocations table) stays absent.
func (r *Run) mergeFlat(spec *TableSpec) error {
	var parts []string
	for i := range r.sinks {
		p := r.partPath(spec.Name, i)
		if _, err := os.Stat(p); err == nil {
			parts = append(parts, p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("results: %w", err)
		}
	}
	if len(parts) == 0 {
		return nil
	}
	final := r.finalPath(spec.Name)
	out, err := createAtomic(final, r.opts.wrap)
	if err != nil {
		return err
	}
	schema := spec.Schema()
	w, err := newRecordWriter(r.opts.Format, out, schema, r.opts.Allocator, r.opts.BatchRows)
	if err != nil {
		out.abort()
		return fmt.Errorf("results: %s: %w", final, err)
	}
	for _, p := range parts {
		err = ReadRecords(p, r.opts.Allocator, r.opts.BatchRows, func(rec arrow.Record) error {
			// Re-label with the writer's schema: a Parquet round trip may not restore
			// field metadata byte for byte, and the writers compare schemas strictly.
			re := array.NewRecord(schema, rec.Columns(), rec.NumRows())
			defer re.Release()
			return w.write(re)
		})
		if err != nil {
			break
		}
	}
	if err != nil {
		_ = w.close()
		out.abort()
		return fmt.Errorf("results: merge %s: %w", final, err)
	}
	if err := w.close(); err != nil {
		out.abort()
		return fmt.Errorf("results: finish %s: %w", final, err)
	}
	return out.commit()
}

// ReadRecords streams the record batches of an Arrow IPC (.arrow) or Parquet (.parquet)
// file to fn, in file order. Records belong to the reader: fn must Retain what it keeps.
// batchRows sets the Parquet read batch size (0: DefaultBatchRows).
func ReadRecords(path string, mem memory.Allocator, batchRows int, fn func(arrow.Record) error) error {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	if batchRows <= 0 {
		batchRows = DefaultBatchRows
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	defer f.Close()
	switch ext := extOf(path); ext {
	case "arrow":
		rd, err := ipc.NewFileReader(f, ipc.WithAllocator(mem))
		if err != nil {
			return fmt.Errorf("results: read %s: %w", path, err)
		}
		defer rd.Close()
		for i := 0; i < rd.NumRecords(); i++ {
			rec, err := rd.Record(i)
			if err != nil {
				return fmt.Errorf("results: read %s batch %d: %w", path, i, err)
			}
			if err := fn(rec); err != nil {
				return err
			}
		}
		return nil
	case "parquet":
		pf, err := file.NewParquetReader(f, file.WithReadProps(parquet.NewReaderProperties(mem)))
		if err != nil {
			return fmt.Errorf("results: read %s: %w", path, err)
		}
		defer pf.Close()
		fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: int64(batchRows)}, mem)
		if err != nil {
			return fmt.Errorf("results: read %s: %w", path, err)
		}
		rr, err := fr.GetRecordReader(context.Background(), nil, nil)
		if err != nil {
			return fmt.Errorf("results: read %s: %w", path, err)
		}
		defer rr.Release()
		for rr.Next() {
			if err := fn(rr.Record()); err != nil {
				return err
			}
		}
		if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("results: read %s: %w", path, err)
		}
		return nil
	default:
		return fmt.Errorf("results: %s: unknown table file extension %q", path, ext)
	}
}

func extOf(path string) string {
	for i := len(path) - 1; i >= 0 && path[i] != '/'; i-- {
		if path[i] == '.' {
			return path[i+1:]
		}
	}
	return ""
}
