package scenarios

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// traceFunc is one function of a trace with the keys a mapping may hash.
type traceFunc struct {
	Function, App, Owner string
}

// traceInfo is what validation learns from a trace file without keeping its invocations.
type traceInfo struct {
	Path   string // resolved
	Funcs  []traceFunc
	Rows   int
	Digest string
}

var traceFormats = []string{"azure2019", "azure2021", "csv"}

// traceHeaders are the columns each format must start with (csv: must contain).
var traceHeaders = map[string][]string{
	"azure2019": {"HashFunction", "HashApp", "HashOwner"},
	"azure2021": {"app", "func", "end_timestamp", "duration"},
	"csv":       {"function", "timestamp"},
}

// resolveTracePath finds a relative trace path: next to the scenario file, or for
// built-ins and byte input in the working directory, then (built-ins) its parents.
func resolveTracePath(p string, o options) (string, error) {
	if filepath.IsAbs(p) {
		return p, nil
	}
	if o.traceDir != "" {
		return filepath.Join(o.traceDir, p), nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; {
		c := filepath.Join(dir, p)
		if _, err := os.Stat(c); err == nil || !o.searchParents {
			return c, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return filepath.Join(wd, p), nil
		}
		dir = up
	}
}

// loadTraceInfo reads a trace once: checks its header, lists its functions in order of
// first appearance and hashes its bytes. Errors name the file and say what was expected.
func loadTraceInfo(path, format string) (*traceInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("trace file %s does not exist", path)
		}
		return nil, fmt.Errorf("trace file %s cannot be read: %v", path, err)
	}
	defer f.Close()
	h := sha256.New()
	r := csv.NewReader(io.TeeReader(f, h))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("trace file %s: cannot read its header: %v", path, err)
	}
	want := traceHeaders[format]
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	for i, w := range want {
		if format == "csv" {
			if _, ok := col[w]; !ok {
				return nil, fmt.Errorf("trace file %s: header has no %q column (a csv trace needs function,timestamp[,duration,app,owner])", path, w)
			}
			continue
		}
		if i >= len(header) || strings.TrimSpace(header[i]) != w {
			return nil, fmt.Errorf("trace file %s: header does not start with %s, so it is not an %s trace", path, strings.Join(want, ","), format)
		}
	}
	info := &traceInfo{Path: path}
	seen := map[traceFunc]bool{}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("trace file %s: %v", path, err)
		}
		info.Rows++
		var tf traceFunc
		switch format {
		case "azure2019":
			tf = traceFunc{Function: rec[0], App: get(rec, "HashApp"), Owner: get(rec, "HashOwner")}
		case "azure2021":
			// The 2021 trace has no owner: the app stands for it.
			tf = traceFunc{Function: get(rec, "func"), App: get(rec, "app"), Owner: get(rec, "app")}
		default:
			tf = traceFunc{Function: get(rec, "function"), App: get(rec, "app"), Owner: get(rec, "owner")}
		}
		if !seen[tf] {
			seen[tf] = true
			info.Funcs = append(info.Funcs, tf)
		}
	}
	if len(info.Funcs) == 0 {
		return nil, fmt.Errorf("trace file %s has no rows", path)
	}
	info.Digest = hex.EncodeToString(h.Sum(nil))
	return info, nil
}
