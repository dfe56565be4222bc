package scenarios

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrInvalid is wrapped by every error that reports a problem in a scenario's content
// (as opposed to an I/O failure reading it): errors.Is(err, ErrInvalid) tells the CLI to
// exit with its bad-input code.
var ErrInvalid = errors.New("invalid scenario")

// Error is one problem in a scenario: where it is, which field, what is wrong and, where
// one is known, how to fix it.
type Error struct {
	File string // the file name, or "builtin:NAME"
	Line int    // 1-based; 0 when the problem has no single position (a missing section)
	Col  int    // 1-based
	Path string // the field path, e.g. fleets[2].vpcConfig.SubnetIds[1]; empty for the document
	Msg  string // what is wrong and what was expected
	Hint string // a suggested fix, e.g. "did you mean SubnetIds?"; may be empty
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString(" (")
		b.WriteString(e.Hint)
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrInvalid) hold for a single Error.
func (e *Error) Unwrap() error { return ErrInvalid }

// Errors is every problem found in one scenario, sorted by position. Parse and Load
// return it (as *Errors) so that a user fixes all of them in one pass.
type Errors struct {
	List []*Error
}

func (es *Errors) Error() string {
	switch len(es.List) {
	case 0:
		return ErrInvalid.Error()
	case 1:
		return es.List[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems:", len(es.List))
	for _, e := range es.List {
		b.WriteString("\n  ")
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (es *Errors) Unwrap() error { return ErrInvalid }

// errList collects problems while a scenario is decoded and validated.
type errList struct {
	file string
	list []*Error
	seen map[string]bool // file:line:col:path:msg, so one problem reached twice is reported once
	// bad holds the paths with a decoding problem, so validation does not report the
	// same mistake again as a missing or wrong value.
	bad map[string]bool
}

// isBad reports whether path or one of its parents already has a problem.
func (l *errList) isBad(path string) bool {
	for p := path; ; p = parentPath(p) {
		if l.bad[p] {
			return true
		}
		if p == "" {
			return false
		}
	}
}

// markBad records that path already has a problem reported elsewhere (e.g. at a
// misspelt key meaning it), so validation stays quiet about it.
func (l *errList) markBad(path string) {
	if l.bad == nil {
		l.bad = map[string]bool{}
	}
	l.bad[path] = true
}

func (l *errList) add(line, col int, path, hint, format string, args ...any) {
	e := &Error{File: l.file, Line: line, Col: col, Path: path, Msg: fmt.Sprintf(format, args...), Hint: hint}
	key := fmt.Sprintf("%d:%d:%s:%s", line, col, path, e.Msg)
	if l.seen == nil {
		l.seen = map[string]bool{}
	}
	if l.seen[key] {
		return
	}
	l.seen[key] = true
	if l.bad == nil {
		l.bad = map[string]bool{}
	}
	if path != "" {
		l.bad[path] = true
	}
	l.list = append(l.list, e)
}

// err returns the collected problems sorted by position (then path, then message), or nil.
func (l *errList) err() error {
	if len(l.list) == 0 {
		return nil
	}
	out := append([]*Error(nil), l.list...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Msg < b.Msg
	})
	return &Errors{List: out}
}
