package results

import (
	"github.com/enisim/enisim/model"
)

// Sink receives one partition's observations (it implements model.Observer) and writes
// them to that partition's table files, batch by batch. A Sink is used by one goroutine;
// different partitions' Sinks may run in parallel. Get it from Run.Partition.
type Sink struct {
	run    *Run
	part   int
	tables [nDataTables]*tableWriter
	col    *collector
	closed bool
	err    error
}

var _ model.Observer = (*Sink)(nil)

// Indexes into Sink.tables: every table but runs, in Tables order.
const (
	tENISamples = iota
	tSubnetSamples
	tStateChanges
	tOperations
	tENIEvents
	tIntervals
	tInvocationErrors
	tInvocations
	nDataTables
)

var dataTables = [nDataTables]*TableSpec{
	ENISamplesTable, SubnetSamplesTable, StateChangesTable, OperationsTable,
	ENIEventsTable, IntervalsTable, InvocationErrorsTable, InvocationsTable,
}

func newSink(r *Run, part int) *Sink {
	s := &Sink{run: r, part: part, col: newCollector()}
	for i, spec := range dataTables {
		t := newTableWriter(spec, r.partPath(spec.Name, part), r.opts.Format, r.opts.Allocator, r.opts.BatchRows)
		t.wrap = r.opts.wrap
		s.tables[i] = t
	}
	return s
}

// row starts a row of table i with the run columns filled.
func (s *Sink) row(i int) *tableWriter {
	t := s.tables[i]
	ri := &s.run.opts.Run
	t.str(ri.RunID)
	t.i32(int32(ri.Sweep))
	t.i32(int32(ri.Rep))
	return t
}

// ENISample implements model.Observer.
func (s *Sink) ENISample(v model.ENISample) {
	if s.closed {
		return
	}
	t := s.row(tENISamples)
	t.f64(v.At.Seconds())
	t.str(v.Account)
	t.str(v.VPC)
	t.str(v.Subnet)
	t.str(v.SGSet)
	t.i64(int64(v.ENIs))
	t.i64(int64(v.ENIsReady))
	t.i64(int64(v.ENIs - v.ENIsReady))
	t.i64(int64(v.Connections))
	per := 0.0
	if v.ENIsReady > 0 {
		per = float64(v.Connections) / float64(v.ENIsReady)
	}
	t.f64(per)
	t.i64(int64(v.VPCENIs))
	t.i64(int64(v.VPCQuota))
	t.i64(int64(v.ENIsDeleting))
	t.i64(int64(v.ENIsLingering))
	t.i64(int64(v.References))
	t.endRow()
	s.col.eniSample(v)
}

// SubnetSample implements model.Observer.
func (s *Sink) SubnetSample(v model.SubnetSample) {
	if s.closed {
		return
	}
	t := s.row(tSubnetSamples)
	t.f64(v.At.Seconds())
	t.str(v.Account)
	t.str(v.VPC)
	t.str(v.Subnet)
	t.i64(int64(v.IPsUsed))
	t.i64(int64(v.IPsUsable))
	t.i64(int64(v.IPsUsable - v.IPsUsed))
	t.i64(int64(v.IPsOther))
	t.i64(int64(v.IPsLegacy))
	t.endRow()
	s.col.subnetSample(v)
}

// StateChange implements model.Observer.
func (s *Sink) StateChange(v model.StateChange) {
	if s.closed {
		return
	}
	t := s.row(tStateChanges)
	t.f64(v.At.Seconds())
	t.str(v.Account)
	t.str(v.Function)
	t.str(v.Version)
	t.str(v.From)
	t.str(v.To)
	t.str(v.Reason)
	t.str(v.UpdateFrom)
	t.str(v.UpdateTo)
	t.endRow()
	s.col.stateChange(v)
}

// Operation implements model.Observer.
func (s *Sink) Operation(v model.Operation) {
	if s.closed {
		return
	}
	t := s.row(tOperations)
	t.f64(v.Start.Seconds())
	t.f64(v.End.Seconds())
	t.f64(v.End.Sub(v.Start).Seconds())
	t.str(v.Account)
	t.str(v.Principal)
	t.str(v.Op)
	t.str(v.Function)
	t.str(v.Resource)
	t.str(v.IAMDecision)
	t.str(v.IAMStatement)
	t.str(v.Outcome)
	t.str(v.Error)
	t.bln(v.AttachedOnly)
	t.i64(int64(v.NewENIs))
	t.str(v.FromVPC)
	t.str(v.ToVPC)
	t.endRow()
	s.col.operation(v)
}

// ENIEvent implements model.Observer.
func (s *Sink) ENIEvent(v model.ENIEvent) {
	if s.closed {
		return
	}
	t := s.row(tENIEvents)
	t.f64(v.At.Seconds())
	t.str(v.Account)
	t.str(v.VPC)
	t.str(v.Subnet)
	t.str(v.SGSet)
	t.str(v.ENI)
	t.str(v.Event)
	t.str(v.Reason)
	t.f64(v.Duration.Seconds())
	t.endRow()
	s.col.eniEvent(v)
}

// Interval implements model.Observer. The Errors map becomes invocation_errors rows in
// sorted code order, so the bytes do not depend on map iteration.
func (s *Sink) Interval(v model.IntervalStats) {
	if s.closed {
		return
	}
	codes := sortedKeys(v.Errors)
	var errs int64
	for _, c := range codes {
		errs += int64(v.Errors[c])
	}
	t := s.row(tIntervals)
	t.f64(v.Start.Seconds())
	t.f64(v.End.Seconds())
	t.str(v.Account)
	t.str(v.Function)
	t.str(v.VPC)
	t.i64(int64(v.Invocations))
	t.i64(int64(v.ColdStarts))
	t.i64(errs)
	t.i64(int64(v.Throttled))
	t.i64(int64(v.ConnReused))
	t.i64(int64(v.ConnNew))
	t.i64(int64(v.ConnResets))
	t.f64(v.LatencySum.Seconds())
	mean := 0.0
	if v.Invocations > 0 {
		mean = v.LatencySum.Seconds() / float64(v.Invocations)
	}
	t.f64(mean)
	t.f64(v.LatencyP50.Seconds())
	t.f64(v.LatencyP99.Seconds())
	t.f64(v.ColdStartSum.Seconds())
	t.f64(v.ConnSetupSum.Seconds())
	t.f64(v.OperationSum.Seconds())
	t.i64(int64(v.ConcurrentPeak))
	t.i64(int64(v.EnvironmentsAlive))
	t.i64(int64(v.InitTimeouts))
	t.i64(v.NATBytes)
	t.endRow()
	for _, c := range codes {
		e := s.row(tInvocationErrors)
		e.f64(v.Start.Seconds())
		e.f64(v.End.Seconds())
		e.str(v.Account)
		e.str(v.Function)
		e.str(v.VPC)
		e.str(c)
		e.i64(int64(v.Errors[c]))
		e.endRow()
	}
	s.col.interval(v)
}

// Invocation implements model.Observer.
func (s *Sink) Invocation(v model.Invocation) {
	if s.closed {
		return
	}
	t := s.row(tInvocations)
	t.f64(v.At.Seconds())
	t.str(v.Account)
	t.str(v.Function)
	t.str(v.VPC)
	t.bln(v.Cold)
	t.f64(v.ColdStart.Seconds())
	t.f64(v.ConnSetup.Seconds())
	t.f64(v.Operation.Seconds())
	t.f64((v.ColdStart + v.ConnSetup + v.Operation).Seconds())
	t.bln(v.Reconnect)
	t.str(v.Error)
	t.endRow()
	s.col.invocation(v)
}

// Err returns the first write error of this partition, if any. Observer methods cannot
// return errors, so a runner may poll Err to stop a run early; Close returns it too.
func (s *Sink) Err() error {
	if s.err != nil {
		return s.err
	}
	for _, t := range s.tables {
		if t.err != nil {
			return t.err
		}
	}
	return nil
}

// Close finishes this partition: flushes and commits its files and frees its builders. A
// worker may call it as soon as its partition is done (Run.Close closes any left open).
// Observations after Close are ignored. The invocations table is written only if the
// model emitted per-invocation records.
func (s *Sink) Close() error {
	if s.closed {
		return s.err
	}
	s.closed = true
	for i, t := range s.tables {
		var err error
		if i == tInvocations && t.all == 0 {
			t.release()
			continue
		}
		err = t.close()
		if err != nil && s.err == nil {
			s.err = err
		}
	}
	return s.err
}

func sortedKeys(m map[string]int) []string {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Insertion sort: error maps hold a handful of codes.
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
