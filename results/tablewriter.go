package results

import (
	"fmt"
	"io"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/ipc"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/apache/arrow/go/v15/parquet"
	"github.com/apache/arrow/go/v15/parquet/compress"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"
)

// recordWriter is the part of the Arrow IPC and Parquet writers a table uses.
type recordWriter interface {
	write(arrow.Record) error
	close() error
}

type ipcWriter struct{ w *ipc.FileWriter }

func (w ipcWriter) write(r arrow.Record) error { return w.w.Write(r) }
func (w ipcWriter) close() error               { return w.w.Close() }

type parquetWriter struct{ w *pqarrow.FileWriter }

// WriteBuffered (not Write) so that a batch goes into the open row group; the row group is
// cut at WithMaxRowGroupLength rows, one batch by default.
func (w parquetWriter) write(r arrow.Record) error { return w.w.WriteBuffered(r) }
func (w parquetWriter) close() error               { return w.w.Close() }

func newRecordWriter(f Format, out *atomicFile, schema *arrow.Schema, mem memory.Allocator, batchRows int) (recordWriter, error) {
	switch f {
	case Arrow:
		// No compression option: apache-arrow (JavaScript) reads uncompressed IPC out of the box.
		w, err := ipc.NewFileWriter(out, ipc.WithSchema(schema), ipc.WithAllocator(mem))
		if err != nil {
			return nil, err
		}
		return ipcWriter{w}, nil
	case Parquet:
		// The Parquet encoder of v15.0.2 does not release some page buffers it takes from
		// its allocator (a CheckedAllocator reports 256-byte BufferWriter.Finish leaks even
		// after a clean Close). It therefore gets the Go allocator, whose buffers the garbage
		// collector reclaims; mem (checked in tests) still covers our builders and records.
		_ = mem
		pmem := memory.DefaultAllocator
		props := parquet.NewWriterProperties(
			parquet.WithAllocator(pmem),
			parquet.WithCompression(compress.Codecs.Snappy),
			parquet.WithMaxRowGroupLength(int64(batchRows)),
			// Required root: some readers reject the optional root pqarrow writes by default.
			parquet.WithRootRepetition(parquet.Repetitions.Required),
			parquet.WithCreatedBy("enisim"),
			// Plain encoding, no dictionaries: hashing every value into a dictionary was
			// most of the Parquet writer's time (strings ~60%, floats mostly distinct).
			// Snappy then compresses the repeated names; the default scenario's files grow
			// from 3.0 to 4.1 MB for about half the encoding time (bench/README.md).
			parquet.WithDictionaryDefault(false),
		)
		w, err := pqarrow.NewFileWriter(schema, out, props,
			pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(pmem), pqarrow.WithStoreSchema()))
		if err != nil {
			return nil, err
		}
		return parquetWriter{w}, nil
	}
	return nil, fmt.Errorf("%w: format %d", ErrOptions, f)
}

// tableWriter appends rows of one table to plain Go column buffers (see column) and writes a
// record batch every batchRows rows, so at most one batch per table is held in memory. The
// buffers are reused from batch to batch, so a long run appends without allocating once its
// batches have reached their size. The file is created at the first flush (a partition that
// never emits a row holds no open file until Close).
type tableWriter struct {
	spec      *TableSpec
	schema    *arrow.Schema
	path      string
	format    Format
	mem       memory.Allocator
	batchRows int
	wrap      func(io.Writer) io.Writer // test hook: wraps the file writer

	cols []column
	ci   int   // next column of the row being appended
	rows int   // rows in the current batch
	all  int64 // rows written or buffered in total
	file *atomicFile
	w    recordWriter
	err  error // first error; the table stops writing after it
}

func newTableWriter(spec *TableSpec, path string, f Format, mem memory.Allocator, batchRows int) *tableWriter {
	schema := spec.Schema()
	cols := make([]column, len(spec.Columns))
	for i, c := range spec.Columns {
		cols[i] = newColumn(c.Type)
	}
	return &tableWriter{spec: spec, schema: schema, path: path, format: f, mem: mem,
		batchRows: batchRows, cols: cols}
}

// endRow counts the row just appended and flushes a full batch.
func (t *tableWriter) endRow() {
	if t.ci != len(t.cols) {
		panic(fmt.Sprintf("results: table %s: row filled %d of %d columns", t.spec.Name, t.ci, len(t.cols)))
	}
	t.ci = 0
	t.rows++
	t.all++
	if t.rows >= t.batchRows {
		t.flush()
	}
}

func (t *tableWriter) open() error {
	if t.w != nil {
		return nil
	}
	f, err := createAtomic(t.path, t.wrap)
	if err != nil {
		return err
	}
	w, err := newRecordWriter(t.format, f, t.schema, t.mem, t.batchRows)
	if err != nil {
		f.abort()
		return fmt.Errorf("results: %s: %w", t.path, err)
	}
	t.file, t.w = f, w
	return nil
}

// flush writes the buffered rows as one record batch and empties the column buffers. After
// an error the buffers are still emptied (so memory stays bounded) but nothing more is
// written.
func (t *tableWriter) flush() {
	if t.rows == 0 {
		return
	}
	n := t.rows
	t.rows = 0
	if t.err == nil {
		if err := t.open(); err != nil {
			t.err = err
		} else {
			t.writeBatch(n)
		}
	}
	// The Parquet writer keeps references into string bytes (column chunk statistics hold
	// min/max as slices of the batch's data), so those bytes must not be overwritten; the
	// IPC writer has copied everything to the file by the time Write returns.
	keepData := t.format != Parquet
	for i := range t.cols {
		t.cols[i].reset(keepData)
	}
}

func (t *tableWriter) writeBatch(n int) {
	arrs := make([]arrow.Array, len(t.cols))
	for i := range t.cols {
		arrs[i] = t.cols[i].array(t.schema.Field(i).Type, n)
	}
	rec := array.NewRecord(t.schema, arrs, int64(n))
	for _, a := range arrs {
		a.Release()
	}
	defer rec.Release()
	if err := t.w.write(rec); err != nil {
		t.err = fmt.Errorf("results: write %s: %w", t.path, err)
	}
}

// close writes what is buffered and the footer, then commits the file under its final name.
// On any error the temporary file is removed and no final file exists.
func (t *tableWriter) close() error {
	t.flush()
	defer t.release()
	if t.err == nil {
		t.err = t.open() // a table with no rows is still written: schema only
	}
	if t.err != nil {
		t.abort()
		return t.err
	}
	if err := t.w.close(); err != nil {
		t.file.abort()
		t.w = nil
		t.err = fmt.Errorf("results: finish %s: %w", t.path, err)
		return t.err
	}
	t.w = nil
	if err := t.file.commit(); err != nil {
		t.err = err
		return err
	}
	return nil
}

// release drops the column buffers (a closed Sink holds no batch memory).
func (t *tableWriter) release() {
	for i := range t.cols {
		t.cols[i] = column{kind: t.cols[i].kind}
	}
}

// abort drops the temporary file without writing a final one.
func (t *tableWriter) abort() {
	if t.w != nil {
		_ = t.w.close() // releases the writer's buffers; the file is removed below anyway
		t.w = nil
	}
	if t.file != nil {
		t.file.abort()
		t.file = nil
	}
}

// Typed appends, in schema order: each call fills the next column of the current row and
// endRow checks that every column was filled exactly once; a call of the wrong type for
// its column panics (a bug in the Sink, not bad input).

func (t *tableWriter) next(k colKind) *column {
	c := &t.cols[t.ci]
	if c.kind != k {
		panic(fmt.Sprintf("results: table %s: column %s is not %s", t.spec.Name, t.spec.Columns[t.ci].Name, k))
	}
	t.ci++
	return c
}

func (t *tableWriter) str(v string) { t.next(kString).appendString(v, t.batchRows) }
func (t *tableWriter) bln(v bool)   { t.next(kBool).appendBool(v) }

func (t *tableWriter) f64(v float64) {
	c := t.next(kFloat64)
	c.f64 = push(c.f64, v, t.batchRows)
}

func (t *tableWriter) i64(v int64) {
	c := t.next(kInt64)
	c.i64 = push(c.i64, v, t.batchRows)
}

func (t *tableWriter) i32(v int32) {
	c := t.next(kInt32)
	c.i32 = push(c.i32, v, t.batchRows)
}

func (t *tableWriter) u64(v uint64) {
	c := t.next(kUint64)
	c.u64 = push(c.u64, v, t.batchRows)
}
