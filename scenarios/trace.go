package scenarios

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/enisim/enisim/sim"
	"github.com/enisim/enisim/traces"
)

// traceFunc is one function of a trace with the keys a mapping may hash.
type traceFunc struct {
	Function, App, Owner string
}

// traceInfo is what validation learns from a trace file without keeping its invocations.
type traceInfo struct {
	Path   string // resolved
	Format string
	// Funcs are the trace's functions: in file order for azure2019, in order of first
	// appearance for the per-invocation formats (the order the traces readers number them).
	Funcs []traceFunc
	// Invocations in the file (azure2019: the sum of its per-minute counts).
	Invocations int64
	Digest      string
	// RunsPath is an azure2019 trace's _run.csv beside its _inv.csv ("" when there is
	// none): its execution times become per-invocation durations, Durations[k] for trace
	// function k.
	RunsPath  string
	Durations []sim.Dist
	// table is an azure2019 day as validated, kept so that a fleet replaying all of it
	// on one account does not read and parse the file again (read only: shared by the
	// Configs of every sweep point and replication).
	table *traces.FunctionTable
	// size and mod detect a file changed between validation and replay.
	size int64
	mod  time.Time
}

var traceFormats = []string{"azure2019", "azure2021", "csv"}

// resolveTracePath finds a relative trace path: next to the scenario file (or, for
// built-ins and byte input, in the working directory); for files and built-ins, when it
// is not there, in the nearest parent directory that has it — so a library file that
// names ../shared/traces/… reads the same trace whether it runs as a built-in from the
// repository or as a file given by its path. A path found nowhere resolves next to the
// scenario (and validation reports it there).
func resolveTracePath(p string, o options) (string, error) {
	if filepath.IsAbs(p) {
		return p, nil
	}
	base, search := o.traceDir, o.searchParents || o.traceDir != ""
	if base == "" {
		wd, err := os.Getwd()
		if err != nil {
			return "", err
		}
		base = wd
	}
	for dir := base; ; {
		c := filepath.Join(dir, p)
		if _, err := os.Stat(c); err == nil || !search {
			return c, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return filepath.Join(base, p), nil
		}
		dir = up
	}
}

// loadTraceInfo reads a trace once with the traces package's own reader for its format,
// so that every malformed row (bad count, timestamp out of order beyond the reorder
// window, …) is reported at validation with its line and column rather than ending a
// replay early. It lists the functions and hashes the bytes.
func loadTraceInfo(path, format string) (*traceInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("trace file %s does not exist", path)
		}
		return nil, fmt.Errorf("trace file %s cannot be read: %v", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("trace file %s cannot be read: %v", path, err)
	}
	info := &traceInfo{Path: path, Format: format, size: st.Size(), mod: st.ModTime()}
	h := sha256.New()
	r := io.TeeReader(f, h)
	var runs []byte // an azure2019 _run.csv, hashed after the trace
	switch format {
	case "azure2019":
		t, err := traces.ReadAzure2019Invocations(r, path)
		if err != nil {
			return nil, traceErr(path, err)
		}
		for _, fn := range t.Functions {
			info.Funcs = append(info.Funcs, traceFunc{Function: fn.ID, App: fn.App, Owner: fn.Owner})
		}
		info.Invocations = t.Total()
		info.table = t
		if runs, err = info.loadRuns(t); err != nil {
			return nil, err
		}
	case "azure2021":
		a := traces.NewAzure2021(r, path, 0)
		if info.Invocations, err = drain(a); err != nil {
			return nil, traceErr(path, err)
		}
		// The 2021 trace has no owner: the app stands for it.
		for _, k := range a.Functions {
			info.Funcs = append(info.Funcs, traceFunc{Function: k.Func, App: k.App, Owner: k.App})
		}
	default:
		p := traces.NewPlainCSV(r, path, traces.PlainCSVOptions{})
		if info.Invocations, err = drain(p); err != nil {
			return nil, traceErr(path, err)
		}
		// A plain log names functions only: each is its own app and owner, so every
		// mapping key spreads the functions one by one.
		for _, name := range p.Functions {
			info.Funcs = append(info.Funcs, traceFunc{Function: name, App: name, Owner: name})
		}
	}
	if len(info.Funcs) == 0 {
		return nil, fmt.Errorf("trace file %s has no rows", path)
	}
	if _, err := io.Copy(h, f); err != nil { // the rest, if a reader stopped early
		return nil, fmt.Errorf("trace file %s cannot be read: %v", path, err)
	}
	h.Write(runs)
	info.Digest = hex.EncodeToString(h.Sum(nil))
	return info, nil
}

// loadRuns finds an azure2019 day's _run.csv beside its _inv.csv and checks that it
// covers every function. It returns the file's bytes, which join the digest.
func (info *traceInfo) loadRuns(t *traces.FunctionTable) ([]byte, error) {
	prefix, ok := strings.CutSuffix(info.Path, "_inv.csv")
	if !ok {
		return nil, nil
	}
	rp := prefix + "_run.csv"
	data, err := os.ReadFile(rp)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("trace file %s cannot be read: %v", rp, err)
	}
	runs, err := traces.ReadAzure2019Runs(bytes.NewReader(data), rp)
	if err != nil {
		return nil, traceErr(rp, err)
	}
	aligned, err := traces.AlignRuns(t, runs)
	if err != nil {
		return nil, fmt.Errorf("trace file %s: %v (execution times must cover every function of %s)", rp, err, filepath.Base(info.Path))
	}
	info.RunsPath = rp
	info.Durations = make([]sim.Dist, len(aligned))
	for k := range aligned {
		info.Durations[k] = aligned[k].Durations()
	}
	return data, nil
}

// drain reads a per-invocation trace to its end, counting invocations.
func drain(it traces.Arrivals) (int64, error) {
	var n int64
	for {
		if _, ok := it.Next(); !ok {
			return n, it.Err()
		}
		n++
	}
}

// traceErr words a reader's error: a *traces.Error already names the file, line and column.
func traceErr(path string, err error) error {
	var te *traces.Error
	if errors.As(err, &te) {
		return fmt.Errorf("trace file %v", err)
	}
	return fmt.Errorf("trace file %s: %v", path, err)
}

// unchanged reports an error when the file is no longer the one validated.
func (info *traceInfo) unchanged() error {
	st, err := os.Stat(info.Path)
	if err != nil {
		return fmt.Errorf("trace %s: %w", info.Path, err)
	}
	if st.Size() != info.size || !st.ModTime().Equal(info.mod) {
		return fmt.Errorf("%w: trace %s changed since the scenario was validated; validate it again", ErrInvalid, info.Path)
	}
	return nil
}
