package traces

import (
	"errors"
	"fmt"
)

// ErrBadTrace is wrapped by every error about malformed trace input.
var ErrBadTrace = errors.New("traces: bad trace")

// Error is a malformed trace line: where (file name as given, 1-based line and byte column)
// and which field (the column's header name; empty for whole-line problems) and why.
type Error struct {
	File         string
	Line, Column int
	Field        string
	Msg          string
}

func (e *Error) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s: %s", e.File, e.Line, e.Column, e.Field, e.Msg)
}

// Unwrap makes errors.Is(err, ErrBadTrace) hold.
func (e *Error) Unwrap() error { return ErrBadTrace }
