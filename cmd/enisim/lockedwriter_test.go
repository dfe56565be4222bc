package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
)

// Concurrent writers through one lockedWriter neither race (under -race) nor interleave
// within a line.
func TestLockedWriterSerialisesLines(t *testing.T) {
	var buf bytes.Buffer
	w := &lockedWriter{w: &buf}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				w.Write([]byte(strings.Repeat("x", 50) + "\n"))
			}
		}()
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 1600 {
		t.Fatalf("%d lines, want 1600", len(lines))
	}
	for _, l := range lines {
		if l != strings.Repeat("x", 50) {
			t.Fatalf("interleaved line %q", l)
		}
	}
}
