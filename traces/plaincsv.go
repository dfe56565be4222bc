package traces

import (
	"bytes"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/enisim/enisim/sim"
)

// PlainCSV streams a user's invocation log: a header "function,timestamp" or
// "function,timestamp,duration" (case-insensitive), then one row per invocation.
//
//   - timestamp: seconds since the start of the run (a non-negative decimal number), or an
//     RFC 3339 time ("2024-03-01T12:00:00.250Z"); one file uses one form, set by its first
//     row. RFC 3339 times are taken relative to Origin if set, else to the first row's time;
//     a row before the origin is an error.
//   - duration: seconds ("0.25") or a Go duration ("250ms"); absent or empty means 0 (the
//     model's own duration applies).
//
// Rows may be out of order by less than the reorder window (logs merged from several
// hosts usually are); anything later than that is rejected with its line, never silently
// reordered or dropped. Functions are numbered in order of first appearance.
type PlainCSV struct {
	l           *lineReader
	hasDuration bool
	mode        tsMode
	origin      time.Time
	funcs       map[string]int32
	Functions   []string
	ro          reorder
	seq         int64
	eof         bool
	err         error
}

type tsMode uint8

const (
	tsUnknown tsMode = iota
	tsSeconds
	tsRFC3339
)

// PlainCSVOptions tunes NewPlainCSV; the zero value is the default.
type PlainCSVOptions struct {
	Window int       // reorder window in rows; ≤ 0 means DefaultReorderWindow
	Origin time.Time // time zero for RFC 3339 timestamps; zero means the first row's time
}

// NewPlainCSV starts reading r (name is used in errors).
func NewPlainCSV(r io.Reader, name string, opt PlainCSVOptions) *PlainCSV {
	w := opt.Window
	if w <= 0 {
		w = DefaultReorderWindow
	}
	p := &PlainCSV{l: newLineReader(r, name), funcs: make(map[string]int32), ro: reorder{window: w}, origin: opt.Origin}
	p.err = p.header()
	p.eof = p.err != nil
	return p
}

func (p *PlainCSV) header() error {
	line, ok, err := p.l.next()
	if err != nil {
		return err
	}
	if !ok {
		return &Error{File: p.l.name, Line: 1, Column: 1, Msg: "empty file: no header"}
	}
	p.l.split(line)
	names := []string{"function", "timestamp", "duration"}
	if n := len(p.l.fields); n != 2 && n != 3 {
		return p.l.errAt(1, "", "header has %d columns, want function,timestamp[,duration]", n)
	}
	for i, f := range p.l.fields {
		if !bytes.EqualFold(bytes.TrimSpace(f), []byte(names[i])) {
			return p.l.fieldErr(i, "", "header column %d is %q, want %q", i+1, f, names[i])
		}
	}
	p.hasDuration = len(p.l.fields) == 3
	return nil
}

// Err reports the first error met.
func (p *PlainCSV) Err() error { return p.err }

// Next returns the next arrival in time order.
func (p *PlainCSV) Next() (Arrival, bool) {
	for !p.eof && len(p.ro.h) < p.ro.window {
		if !p.read() {
			break
		}
	}
	if p.err != nil || len(p.ro.h) == 0 {
		return Arrival{}, false
	}
	return p.ro.pop(), true
}

func (p *PlainCSV) fail(err error) bool {
	p.err, p.eof = err, true
	return false
}

func (p *PlainCSV) read() bool {
	line, ok, err := p.l.next()
	if err != nil {
		return p.fail(err)
	}
	if !ok {
		p.eof = true
		return false
	}
	l := p.l
	l.split(line)
	want := 2
	if p.hasDuration {
		want = 3
	}
	if err := l.wantFields(want, "function,timestamp[,duration] as in the header"); err != nil {
		return p.fail(err)
	}
	name := bytes.TrimSpace(l.fields[0])
	if len(name) == 0 {
		return p.fail(l.fieldErr(0, "function", "empty"))
	}
	at, msg := p.timestamp(bytes.TrimSpace(l.fields[1]))
	if msg != "" {
		return p.fail(l.fieldErr(1, "timestamp", "%s", msg))
	}
	var dur time.Duration
	if p.hasDuration {
		if dur, msg = parseDuration(bytes.TrimSpace(l.fields[2])); msg != "" {
			return p.fail(l.fieldErr(2, "duration", "%s", msg))
		}
	}
	if p.ro.tooLate(at) {
		return p.fail(l.fieldErr(1, "timestamp", "%v is before %v, already emitted: rows out of order by more than the reorder window (%d rows); sort the file", at, p.ro.last, p.ro.window))
	}
	fn, seen := p.funcs[string(name)]
	if !seen {
		fn = int32(len(p.Functions))
		p.funcs[string(name)] = fn
		p.Functions = append(p.Functions, string(name))
	}
	p.seq++
	p.ro.push(pending{Arrival: Arrival{At: at, Func: fn, Duration: dur}, seq: p.seq})
	return true
}

// timestamp parses one timestamp in the file's form, fixing the form on the first row.
func (p *PlainCSV) timestamp(b []byte) (sim.Time, string) {
	if len(b) == 0 {
		return 0, "empty"
	}
	if p.mode == tsUnknown {
		p.mode = tsSeconds
		if bytes.IndexByte(b, 'T') >= 0 || bytes.IndexByte(b, 't') >= 0 {
			p.mode = tsRFC3339
		}
	}
	if p.mode == tsSeconds {
		s, msg := parseNonNegFloat(b)
		if msg != "" {
			return 0, msg + " (the first row set the form: seconds since the start)"
		}
		if s > maxSeconds {
			return 0, strconv.Quote(string(b)) + " seconds is beyond the simulator's time range"
		}
		return sim.Time(math.Round(s * 1e9)), ""
	}
	t, ok := parseRFC3339(b)
	if !ok {
		return 0, strconv.Quote(string(b)) + " is not an RFC 3339 time (the first row set the form)"
	}
	if p.origin.IsZero() {
		p.origin = t
	}
	d := t.Sub(p.origin)
	if d < 0 {
		return 0, strconv.Quote(string(b)) + " is before the origin " + p.origin.Format(time.RFC3339Nano) + " (set PlainCSVOptions.Origin for unsorted logs)"
	}
	return sim.Time(d), ""
}

// parseDuration accepts seconds ("0.25") or a Go duration ("250ms"); empty means 0.
func parseDuration(b []byte) (time.Duration, string) {
	if len(b) == 0 {
		return 0, ""
	}
	if c := b[len(b)-1]; c >= '0' && c <= '9' || c == '.' {
		s, msg := parseNonNegFloat(b)
		if msg != "" {
			return 0, msg
		}
		if s > maxSeconds {
			return 0, strconv.Quote(string(b)) + " seconds is too long"
		}
		return time.Duration(math.Round(s * 1e9)), ""
	}
	if b[0] == '-' {
		return 0, strconv.Quote(string(b)) + " is negative"
	}
	d, ok := parseGoDuration(b)
	if !ok {
		return 0, strconv.Quote(string(b)) + " is neither seconds nor a Go duration such as 250ms"
	}
	return d, ""
}

// goUnits are time.ParseDuration's units.
var goUnits = [...]struct {
	name string
	d    time.Duration
}{{"ns", time.Nanosecond}, {"us", time.Microsecond}, {"µs", time.Microsecond}, {"μs", time.Microsecond}, {"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}, {"h", time.Hour}}

// parseGoDuration parses an unsigned Go duration ("1h2m3.5s", "250ms") like
// time.ParseDuration, without allocating: time.ParseDuration's error keeps its input, so
// converting each row's bytes to a string for it would allocate per row.
func parseGoDuration(b []byte) (time.Duration, bool) {
	var total float64
	for len(b) > 0 {
		i := 0
		for i < len(b) && (b[i] >= '0' && b[i] <= '9' || b[i] == '.') {
			i++
		}
		if i == 0 {
			return 0, false
		}
		v, err := strconv.ParseFloat(string(b[:i]), 64)
		if err != nil {
			return 0, false
		}
		b = b[i:]
		j := 0
		for j < len(b) && !(b[j] >= '0' && b[j] <= '9' || b[j] == '.') {
			j++
		}
		unit := time.Duration(0)
		for _, u := range goUnits {
			if string(b[:j]) == u.name {
				unit = u.d
				break
			}
		}
		if unit == 0 {
			return 0, false
		}
		total += v * float64(unit)
		b = b[j:]
	}
	if total > float64(maxSeconds)*1e9 {
		return 0, false
	}
	return time.Duration(math.Round(total)), true
}

// parseRFC3339 parses "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)" without allocating (time.Parse
// keeps its input in its errors, so the []byte→string conversion would allocate per row).
func parseRFC3339(b []byte) (time.Time, bool) {
	num := func(s []byte) (int, bool) {
		v := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, len(s) > 0
	}
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != 't') || b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := num(b[0:4])
	month, ok2 := num(b[5:7])
	day, ok3 := num(b[8:10])
	hour, ok4 := num(b[11:13])
	minute, ok5 := num(b[14:16])
	sec, ok6 := num(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 60 {
		return time.Time{}, false
	}
	rest := b[19:]
	nsec := 0
	if rest[0] == '.' {
		i := 1
		scale := int(time.Second)
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			if scale > 1 {
				scale /= 10
				nsec += int(rest[i]-'0') * scale
			}
			i++
		}
		if i == 1 {
			return time.Time{}, false
		}
		rest = rest[i:]
	}
	offset := 0
	switch {
	case len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z'):
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := num(rest[1:3])
		om, ok2 := num(rest[4:6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return time.Time{}, false
		}
		offset = oh*3600 + om*60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if t.Day() != day { // e.g. February 30th normalised into March
		return time.Time{}, false
	}
	return t.Add(-time.Duration(offset) * time.Second), true
}
