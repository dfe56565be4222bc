package main

import (
	"io"
	"sync"
)

// lockedWriter serialises writes to one stream: sweep units running in parallel, the
// progress ticker and the interrupt handler all report on stderr, and a line must neither
// interleave with another nor race on a writer that is not safe for concurrent use (a
// bytes.Buffer in tests, a pipe's partial writes).
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
