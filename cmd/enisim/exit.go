package main

import (
	"errors"
	"fmt"
)

// Exit codes, documented in README.md and `enisim --help`.
const (
	exitOK         = 0 // success
	exitRuntime    = 1 // a run failed (I/O, an internal error)
	exitBadInput   = 2 // bad scenario, flag or argument
	exitIncomplete = 3 // a run was stopped by its bounds or interrupted; its output is marked incomplete
)

// usageError marks errors that are the user's input: they exit 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func badInput(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// incompleteError marks a run that stopped before its end time: it exits 3.
type incompleteError struct{ reason string }

func (e incompleteError) Error() string { return "run incomplete: " + e.reason }

func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var u usageError
	if errors.As(err, &u) {
		return exitBadInput
	}
	var inc incompleteError
	if errors.As(err, &inc) {
		return exitIncomplete
	}
	return exitRuntime
}
