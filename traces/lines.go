package traces

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// maxLineBytes bounds one line so that a file without newlines cannot exhaust memory. An
// Azure 2019 _inv.csv line (1,443 fields) is about 3–6 KiB.
const maxLineBytes = 1 << 20

// lineReader yields the lines of a CSV file without their line terminators, reusing one
// buffer, and splits them into fields (plain comma separation, optional surrounding double
// quotes without embedded quotes or commas — the traces never quote).
type lineReader struct {
	name string
	r    *bufio.Reader
	line int    // number of the line last returned
	long []byte // scratch for lines longer than the bufio buffer

	fields [][]byte // fields of the last split line
	cols   []int    // their 1-based byte columns
	ends   []int    // byte offset just past each field in the line (closing quote included)
}

func newLineReader(r io.Reader, name string) *lineReader {
	return &lineReader{name: name, r: bufio.NewReaderSize(r, 64<<10)}
}

// next returns the next non-blank line; ok is false at the end of input. The slice is valid
// until the following call.
func (l *lineReader) next() (line []byte, ok bool, err error) {
	for {
		line, err = l.r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			l.long = append(l.long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = l.r.ReadSlice('\n')
				l.long = append(l.long, line...)
				if len(l.long) > maxLineBytes {
					return nil, false, l.errAt(1, "", "line longer than %d bytes", maxLineBytes)
				}
			}
			line = l.long
		}
		if err != nil && err != io.EOF {
			return nil, false, fmt.Errorf("traces: reading %s after line %d: %w", l.name, l.line, err)
		}
		if len(line) == 0 && err == io.EOF {
			return nil, false, nil
		}
		l.line++
		line = bytes.TrimRight(line, "\r\n")
		if len(bytes.TrimSpace(line)) == 0 {
			if err == io.EOF {
				return nil, false, nil
			}
			continue
		}
		return line, true, nil
	}
}

// split cuts line into fields, recording their columns; it reuses its slices.
func (l *lineReader) split(line []byte) {
	l.fields, l.cols, l.ends = l.fields[:0], l.cols[:0], l.ends[:0]
	start := 0
	for i := 0; i <= len(line); i++ {
		if i == len(line) || line[i] == ',' {
			f := line[start:i]
			col := start + 1
			if len(f) >= 2 && f[0] == '"' && f[len(f)-1] == '"' {
				f = f[1 : len(f)-1]
				col++
			}
			l.fields = append(l.fields, f)
			l.cols = append(l.cols, col)
			l.ends = append(l.ends, i)
			start = i + 1
		}
	}
}

// errAt builds an Error at column col of the current line.
func (l *lineReader) errAt(col int, field, format string, args ...any) *Error {
	return &Error{File: l.name, Line: l.line, Column: col, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// fieldErr builds an Error about field i of the current line.
func (l *lineReader) fieldErr(i int, field, format string, args ...any) *Error {
	return l.errAt(l.cols[i], field, format, args...)
}

// wantFields checks the field count of the current line.
func (l *lineReader) wantFields(n int, what string) error {
	if len(l.fields) != n {
		col := 1
		if len(l.fields) > n {
			col = l.cols[n]
		} else if len(l.cols) > 0 {
			col = l.cols[len(l.cols)-1]
		}
		return l.errAt(col, "", "%d fields, want %d (%s)", len(l.fields), n, what)
	}
	return nil
}

// parseCount parses a non-negative decimal integer that fits in uint32.
func parseCount(b []byte) (uint32, bool) {
	if len(b) == 0 || len(b) > 10 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if v > 1<<32-1 {
		return 0, false
	}
	return uint32(v), true
}

// parseNonNegFloat parses a finite, non-negative decimal number. string(b) does not
// allocate here: strconv copies the input into its errors, so it does not escape.
func parseNonNegFloat(b []byte) (float64, string) {
	v, err := strconv.ParseFloat(string(b), 64)
	switch {
	case err != nil:
		return 0, fmt.Sprintf("%q is not a number", b)
	case v != v || v > 1e300:
		return 0, fmt.Sprintf("%q is not a finite number", b)
	case v < 0:
		return 0, fmt.Sprintf("%q is negative", b)
	}
	return v, ""
}

// parseHeader checks a header line against the expected column names (case-sensitive,
// as the Azure files are).
func (l *lineReader) expectHeader(want []string) error {
	line, ok, err := l.next()
	if err != nil {
		return err
	}
	if !ok {
		return &Error{File: l.name, Line: 1, Column: 1, Msg: "empty file: no header"}
	}
	l.split(line)
	if len(l.fields) != len(want) {
		return l.errAt(1, "", "header has %d columns, want %d (%s,…)", len(l.fields), len(want), want[0])
	}
	for i, w := range want {
		if string(l.fields[i]) != w {
			return l.fieldErr(i, "", "header column %d is %q, want %q", i+1, l.fields[i], w)
		}
	}
	return nil
}
