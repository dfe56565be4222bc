package results

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// atomicFile is a file written under a temporary name in its final directory and renamed
// into place only by commit, after an fsync: a reader (or a crash) never sees a final name
// whose content is partial. It is not an io.Closer on purpose: the Parquet writer closes a
// Closer it is given, and closing must stay commit's or abort's decision.
type atomicFile struct {
	final string
	tmp   string
	f     *os.File
	bw    *bufio.Writer
	w     io.Writer // bw, or a test wrapper around it
	n     int64
}

// errTmpSeek: the Arrow IPC writer only asks for the current offset; anything else is a bug.
var errTmpSeek = errors.New("results: atomic file only supports Seek(0, io.SeekCurrent)")

func createAtomic(final string, wrap func(io.Writer) io.Writer) (*atomicFile, error) {
	dir := filepath.Dir(final)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("results: create %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(final)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("results: create temporary file for %s: %w", final, err)
	}
	// CreateTemp makes the file private (0600); results are meant to be shared like any
	// file the user writes.
	if err := f.Chmod(0o644); err != nil {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return nil, fmt.Errorf("results: chmod %s: %w", f.Name(), err)
	}
	a := &atomicFile{final: final, tmp: f.Name(), f: f, bw: bufio.NewWriterSize(f, 1<<20)}
	a.w = a.bw
	if wrap != nil {
		a.w = wrap(a.bw)
	}
	return a, nil
}

func (a *atomicFile) Write(p []byte) (int, error) {
	n, err := a.w.Write(p)
	a.n += int64(n)
	return n, err
}

// Seek reports the number of bytes written so far; the IPC file writer needs nothing else.
func (a *atomicFile) Seek(offset int64, whence int) (int64, error) {
	if offset != 0 || whence != io.SeekCurrent {
		return 0, errTmpSeek
	}
	return a.n, nil
}

// commit flushes, fsyncs, renames the file to its final name and fsyncs the directory so
// the rename itself survives a crash.
func (a *atomicFile) commit() error {
	if err := a.bw.Flush(); err != nil {
		a.abort()
		return fmt.Errorf("results: write %s: %w", a.final, err)
	}
	if err := a.f.Sync(); err != nil {
		a.abort()
		return fmt.Errorf("results: fsync %s: %w", a.final, err)
	}
	if err := a.f.Close(); err != nil {
		_ = os.Remove(a.tmp)
		return fmt.Errorf("results: close %s: %w", a.final, err)
	}
	if err := os.Rename(a.tmp, a.final); err != nil {
		_ = os.Remove(a.tmp)
		return fmt.Errorf("results: rename %s: %w", a.final, err)
	}
	return syncDir(filepath.Dir(a.final))
}

// abort removes the temporary file; the final name is never created.
func (a *atomicFile) abort() {
	_ = a.f.Close()
	_ = os.Remove(a.tmp)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("results: open directory %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("results: fsync directory %s: %w", dir, err)
	}
	return nil
}

// WriteFileAtomic writes data to path through a temporary file in the same directory,
// fsynced and renamed (and the directory fsynced), so path never holds a partial file.
func WriteFileAtomic(path string, data []byte) error {
	a, err := createAtomic(path, nil)
	if err != nil {
		return err
	}
	if _, err := a.Write(data); err != nil {
		a.abort()
		return fmt.Errorf("results: write %s: %w", path, err)
	}
	return a.commit()
}
