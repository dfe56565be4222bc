package scenarios

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/sim"
	"github.com/enisim/enisim/traces"
)

// traceFleet adds a trace fleet's functions to their accounts and gives each account an
// arrival source for them. Each trace function goes to an account chosen by hashing its
// accountBy key (default owner) and to a VPC combination chosen by hashing its
// combinationBy key (default app), so all functions of one app share one (subnets, SGs)
// combination.
//
// Each account's source covers only its own functions, so a trace spread over N accounts
// is generated once in total, not N times (azure2019: one sub-table per account; the
// per-invocation formats: see perInvocationSource for what is repeated).
func (s *Scenario) traceFleet(cfg *model.Config, fi int, seed, arrivalSeed sim.Seed, place *fleetPlace, acct map[string]int) error {
	f := &s.Fleets[fi]
	t := f.Trace
	var info *traceInfo
	for _, ti := range s.traces {
		if ti.Digest == t.Digest && ti.Format == t.Format {
			info = ti
		}
	}
	if info == nil {
		return fmt.Errorf("%w: fleet %q: trace %s was not validated", ErrInvalid, f.Name, t.Path)
	}
	if err := info.unchanged(); err != nil {
		return err
	}
	n := len(info.Funcs)
	if f.Count > 0 && f.Count < n {
		n = f.Count
	}
	var accts []int
	for _, a := range t.Mapping.Accounts {
		accts = append(accts, acct[a])
	}
	if len(accts) == 0 {
		accts = []int{acct[f.Account]}
	}
	combos := t.Mapping.Combinations
	if len(combos) == 0 && f.VPCConfig != nil {
		combos = []VPCConfig{*f.VPCConfig}
	}
	keyOf := func(by string, tf traceFunc) string {
		switch by {
		case "function":
			return tf.Owner + "/" + tf.App + "/" + tf.Function
		case "app":
			return tf.Owner + "/" + tf.App
		}
		return tf.Owner
	}
	accountBy, comboBy := t.Mapping.AccountBy, t.Mapping.CombinationBy
	if accountBy == "" {
		accountBy = "owner"
	}
	if comboBy == "" {
		comboBy = "app"
	}
	for i := 0; i < n; i++ {
		tf := info.Funcs[i]
		ai := accts[hashKey(seed, "account", keyOf(accountBy, tf))%uint64(len(accts))]
		a := &cfg.Accounts[ai]
		fn := s.function(f, i, a)
		if len(combos) > 0 {
			c := combos[hashKey(seed, "combination", keyOf(comboBy, tf))%uint64(len(combos))]
			fn.VPC = modelVPC(&c)
			fn.Targets, fn.NeedsInternet = nil, false
			connections(&fn, f.Connections, a)
		}
		if f.Workload != nil {
			// Only service and bytesPerInvocation (validated): a trace row's own duration
			// wins over service, which times the rows without one (a plain log's).
			fn.Workload = workloadFor(f.Workload, 0, nil)
		}
		place.local[ai] = append(place.local[ai], i)
		place.global[ai] = append(place.global[ai], len(a.Functions))
		a.Functions = append(a.Functions, fn)
	}
	// Accounts in index order, so that sources are built deterministically.
	var used []int
	for ai := range place.local {
		used = append(used, ai)
	}
	slices.Sort(used)
	var srcs map[int]model.Arrivals
	var err error
	if info.Format == "azure2019" {
		srcs, err = azure2019Sources(info, f.Name, arrivalSeed, place, used, &s.Accounts)
	} else {
		srcs, err = perInvocationSources(info, n, place, used)
	}
	if err != nil {
		return err
	}
	for _, ai := range used {
		cfg.Accounts[ai].Arrivals = mergeArrivals(cfg.Accounts[ai].Arrivals, srcs[ai])
	}
	return nil
}

// azure2019Sources gives each account a FunctionTable of only its functions (in trace
// order), so each account generates only their arrivals and the day is generated once in
// total. A fleet that replays the whole day on one account uses the table kept from
// validation; otherwise the file is read once and its rows split by account.
// Within-minute arrival times come from a stream derived from the fleet and the account's
// name, so they change if a function moves to another account or its position among the
// account's functions changes; the per-minute counts never do.
func azure2019Sources(info *traceInfo, fleet string, seed sim.Seed, place *fleetPlace, used []int, accounts *[]Account) (map[int]model.Arrivals, error) {
	tables := map[int]*traces.FunctionTable{}
	if len(used) == 1 && len(place.local[used[0]]) == len(info.Funcs) && info.table != nil {
		tables[used[0]] = info.table
	} else {
		var err error
		if tables, err = splitAzure2019(info, place, used); err != nil {
			return nil, err
		}
	}
	out := map[int]model.Arrivals{}
	for _, ai := range used {
		table, loc := tables[ai], place.local[ai]
		if len(table.Functions) != len(loc) {
			return nil, fmt.Errorf("%w: trace %s changed since it was validated (%d functions for account %s, want %d)", ErrInvalid, info.Path, len(table.Functions), (*accounts)[ai].Name, len(loc))
		}
		var durs []sim.Dist
		if info.Durations != nil {
			durs = make([]sim.Dist, len(loc))
			for j, k := range loc {
				durs[j] = info.Durations[k]
			}
		}
		s := seed.Derive("scenario.trace/"+fleet+"/"+(*accounts)[ai].Name, 0)
		out[ai] = &traceArrivals{it: table.Arrivals(s, durs), remap: toInt32(place.global[ai]), path: info.Path}
	}
	return out, nil
}

// splitAzure2019 reads the day once and parses, per account, the header and the rows of
// its functions.
func splitAzure2019(info *traceInfo, place *fleetPlace, used []int) (map[int]*traces.FunctionTable, error) {
	file, err := os.Open(info.Path)
	if err != nil {
		return nil, fmt.Errorf("trace %s: %w", info.Path, err)
	}
	defer file.Close()
	// row[k] is the account of trace function k, or -1 when it is beyond the fleet's count.
	row := make([]int, len(info.Funcs))
	for k := range row {
		row[k] = -1
	}
	bufs := map[int]*bytes.Buffer{}
	for _, ai := range used {
		bufs[ai] = &bytes.Buffer{}
		for _, k := range place.local[ai] {
			row[k] = ai
		}
	}
	br := bufio.NewReaderSize(file, 64<<10)
	k := -1 // -1: the header
	for {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			if k < 0 {
				for _, ai := range used {
					bufs[ai].Write(line)
				}
			} else if k < len(row) && row[k] >= 0 {
				bufs[row[k]].Write(line)
			}
			k++
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("trace %s: %w", info.Path, err)
		}
	}
	out := map[int]*traces.FunctionTable{}
	for _, ai := range used {
		t, err := traces.ReadAzure2019Invocations(bytes.NewReader(bufs[ai].Bytes()), info.Path)
		if err != nil {
			return nil, fmt.Errorf("trace %w", err)
		}
		bufs[ai] = nil
		out[ai] = t
	}
	return out, nil
}

// perInvocationSources gives each account a reader of the file that passes only the rows
// of its functions to the traces reader. The file is scanned once per account (bytes and
// two fields per row), but each row is parsed, reordered and replayed only by the account
// that owns it; memory is one reorder window per account. With one account and every
// function used, the reader sees the file unfiltered.
func perInvocationSources(info *traceInfo, n int, place *fleetPlace, used []int) (map[int]model.Arrivals, error) {
	out := map[int]model.Arrivals{}
	for _, ai := range used {
		var keep map[string]bool
		if !(len(used) == 1 && n == len(info.Funcs)) {
			keep = map[string]bool{}
			for _, k := range place.local[ai] {
				keep[rowKey(info.Format, info.Funcs[k])] = true
			}
		}
		ta := &traceArrivals{remap: toInt32(place.global[ai]), path: info.Path}
		path, format := info.Path, info.Format
		ta.open = func() (traces.Arrivals, io.Closer, error) {
			f, err := os.Open(path)
			if err != nil {
				return nil, nil, err
			}
			var r io.Reader = f
			if keep != nil {
				r = &rowFilter{r: bufio.NewReaderSize(f, 64<<10), format: format, keep: keep}
			}
			if format == "azure2021" {
				return traces.NewAzure2021(r, path, 0), f, nil
			}
			return traces.NewPlainCSV(r, path, traces.PlainCSVOptions{}), f, nil
		}
		out[ai] = ta
	}
	return out, nil
}

func toInt32(xs []int) []int32 {
	out := make([]int32, len(xs))
	for i, x := range xs {
		out[i] = int32(x)
	}
	return out
}

// traceArrivals adapts a traces.Arrivals stream to one account's model.Arrivals: the
// reader's function j is the account's j-th function of the fleet, remap[j] its index in
// the account's Functions. A per-invocation file is opened at the first Next and closed at
// its end.
type traceArrivals struct {
	it     traces.Arrivals
	open   func() (traces.Arrivals, io.Closer, error)
	closer io.Closer
	remap  []int32
	path   string // the trace file, for the error
	// Err is the read error that ended the stream early, if any. The file was validated
	// and checked unchanged when the Config was built, so this means it changed or
	// became unreadable during the run; model.Arrivals has no way to report it, so the
	// runner asks for it through ReadErr once the run is over.
	Err error
}

// ReadErr is the error that ended the replay early, naming the file; nil when the replay
// ended at the end of its trace (or has not ended).
func (a *traceArrivals) ReadErr() error {
	if a.Err == nil {
		return nil
	}
	return fmt.Errorf("trace %s: read failed during the run (the replay stopped early): %w", a.path, a.Err)
}

func (a *traceArrivals) Next() (sim.Time, int32, time.Duration, bool) {
	if a.it == nil {
		if a.open == nil {
			return 0, 0, 0, false
		}
		it, c, err := a.open()
		a.open = nil
		if err != nil {
			a.Err = err
			return 0, 0, 0, false
		}
		a.it, a.closer = it, c
	}
	ar, ok := a.it.Next()
	if !ok {
		if a.Err == nil {
			a.Err = a.it.Err()
		}
		if a.closer != nil {
			a.closer.Close()
			a.closer = nil
		}
		return 0, 0, 0, false
	}
	fn := int32(-1) // the model counts it as skipped
	if int(ar.Func) < len(a.remap) {
		fn = a.remap[ar.Func]
	}
	return ar.At, fn, ar.Duration, true
}

// mergeArrivals combines two sources for one account (two trace fleets in it) in time
// order, the first source first on ties; either may be nil.
func mergeArrivals(a, b model.Arrivals) model.Arrivals {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	return &merged{src: [2]model.Arrivals{a, b}}
}

type merged struct {
	src    [2]model.Arrivals
	head   [2]arrival
	primed bool
}

type arrival struct {
	at  sim.Time
	fn  int32
	dur time.Duration
	ok  bool
}

func (m *merged) pull(i int) {
	at, fn, dur, ok := m.src[i].Next()
	m.head[i] = arrival{at, fn, dur, ok}
}

func (m *merged) Next() (sim.Time, int32, time.Duration, bool) {
	if !m.primed {
		m.pull(0)
		m.pull(1)
		m.primed = true
	}
	i := 0
	switch {
	case !m.head[0].ok && !m.head[1].ok:
		return 0, 0, 0, false
	case !m.head[0].ok || m.head[1].ok && m.head[1].at < m.head[0].at:
		i = 1
	}
	h := m.head[i]
	m.pull(i)
	return h.at, h.fn, h.dur, true
}

// ReadErr joins the read errors of both sources.
func (m *merged) ReadErr() error {
	return errors.Join(ArrivalsReadErr(m.src[0]), ArrivalsReadErr(m.src[1]))
}

// ArrivalsReadErr is the error that ended a replay source early (a trace file that changed
// or became unreadable during the run), or nil. Sources that cannot fail give nil.
func ArrivalsReadErr(a model.Arrivals) error {
	if r, ok := a.(interface{ ReadErr() error }); ok {
		return r.ReadErr()
	}
	return nil
}

// ReadErrs is the read errors of every account's replay in cfg, joined; the runner checks
// it after a run, because the model cannot stop on them.
func ReadErrs(cfg *model.Config) error {
	var errs []error
	for i := range cfg.Accounts {
		if err := ArrivalsReadErr(cfg.Accounts[i].Arrivals); err != nil {
			errs = append(errs, fmt.Errorf("account %s: %w", cfg.Accounts[i].ID, err))
		}
	}
	return errors.Join(errs...)
}

// rowKey is the key a rowFilter matches a function's rows by.
func rowKey(format string, tf traceFunc) string {
	if format == "azure2021" {
		return tf.App + "\x00" + tf.Function
	}
	return tf.Function
}

// rowFilter passes a per-invocation trace's header and the rows whose function is in keep,
// reading fields as the traces readers do (comma-separated; surrounding quotes removed; a
// plain CSV's function name trimmed). It drops blank lines. Lines it cannot key (too few
// fields) pass, so that the reader reports them.
type rowFilter struct {
	r       *bufio.Reader
	format  string
	keep    map[string]bool
	header  bool
	pending []byte
	long    []byte
	key     []byte
	err     error
}

func (f *rowFilter) Read(p []byte) (int, error) {
	for len(f.pending) == 0 {
		if f.err != nil {
			return 0, f.err
		}
		line, err := f.r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			f.long = append(f.long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = f.r.ReadSlice('\n')
				f.long = append(f.long, line...)
			}
			line = f.long
		}
		if err != nil {
			f.err = err // io.EOF included: returned once the line is passed on
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if !f.header {
			f.header = true
			f.pending = line
			continue
		}
		if f.pass(line) {
			f.pending = line
		}
	}
	n := copy(p, f.pending)
	f.pending = f.pending[n:]
	return n, nil
}

func (f *rowFilter) pass(line []byte) bool {
	line = bytes.TrimRight(line, "\r\n")
	first, rest, ok := bytes.Cut(line, []byte{','})
	if !ok {
		return true
	}
	first = unquote(first)
	if f.format != "azure2021" {
		return f.keep[string(bytes.TrimSpace(first))]
	}
	second, _, _ := bytes.Cut(rest, []byte{','})
	f.key = append(append(append(f.key[:0], first...), 0), unquote(second)...)
	return f.keep[string(f.key)]
}

func unquote(b []byte) []byte {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		return b[1 : len(b)-1]
	}
	return b
}
