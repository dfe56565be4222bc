package iam

import (
	"errors"
	"fmt"
)

// ErrInvalidPolicy is wrapped by every error Parse returns.
var ErrInvalidPolicy = errors.New("iam: invalid policy")

// PolicyError is a rejected policy document: where (1-based line and column, in bytes) and
// which field (a path such as "Statement[1].Condition.StringEquals"; empty for syntax errors
// and the document itself) and why.
type PolicyError struct {
	Line, Column int
	Path         string
	Msg          string
}

func (e *PolicyError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("%v: %d:%d: %s", ErrInvalidPolicy, e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("%v: %d:%d: %s: %s", ErrInvalidPolicy, e.Line, e.Column, e.Path, e.Msg)
}

// Unwrap makes errors.Is(err, ErrInvalidPolicy) hold.
func (e *PolicyError) Unwrap() error { return ErrInvalidPolicy }

// newError builds a PolicyError at byte offset off of data.
func newError(data []byte, off int, path, format string, args ...any) *PolicyError {
	line, col := lineCol(data, off)
	return &PolicyError{Line: line, Column: col, Path: path, Msg: fmt.Sprintf(format, args...)}
}

// lineCol converts a byte offset into a 1-based line and column; an offset past the end
// points just after the last byte.
func lineCol(data []byte, off int) (line, col int) {
	if off > len(data) {
		off = len(data)
	}
	if off < 0 {
		off = 0
	}
	line, lineStart := 1, 0
	for i := 0; i < off; i++ {
		if data[i] == '\n' {
			line++
			lineStart = i + 1
		}
	}
	return line, off - lineStart + 1
}
