package runner

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/results"
	"github.com/enisim/enisim/scenarios"
	"github.com/enisim/enisim/sim"
)

// ErrInterrupted is returned (wrapped) when Options.Stop ended a run early.
var ErrInterrupted = errors.New("run interrupted")

// Options say where and how to run.
type Options struct {
	Dir     string
	Format  results.Format
	Layout  results.Layout
	Workers int     // partitions simulated at once; 0 means 1
	Seed    *uint64 // overrides the scenario's root seed
	Version string  // enisim version recorded with the tables
	// Duration, when positive, replaces the scenario's simulated duration (a shorter look
	// at a long scenario, e.g. in tests).
	Duration time.Duration
	// MaxEvents bounds each partition's events (0: unbounded); a run stopped by it is
	// incomplete.
	MaxEvents uint64
	// Stop, when set to true by another goroutine (a signal handler), ends the run at the
	// next poll; the tables keep what was observed and are marked incomplete.
	Stop *atomic.Bool
	// Progress, if set, is called from partition goroutines every sim.PollEvery events; it
	// must be safe for concurrent use.
	Progress *Progress
}

// Progress counts a run's advance with atomics, read by a progress display. It is touched
// once per sim.PollEvery events, never per event.
type Progress struct {
	Events     atomic.Uint64
	PartsDone  atomic.Int64
	PartsTotal atomic.Int64
	// SimNanos is the simulated time reached, summed over the partitions (a finished
	// partition counts its whole span); SimNanos / PartsTotal is the mean progress.
	SimNanos atomic.Int64
	End      atomic.Int64
}

// Unit is one work unit: a sweep point and a replication.
type Unit struct {
	Point scenarios.SweepPoint
	Rep   int
}

// Units lists a scenario's work units in canonical order: sweep points in the scenario's
// order, replications inside each.
func Units(sc *scenarios.Scenario) []Unit {
	st := sc.Settings()
	var out []Unit
	for _, p := range sc.Sweep() {
		for r := 0; r < st.Replications; r++ {
			out = append(out, Unit{Point: p, Rep: r})
		}
	}
	return out
}

// UnitSeed derives a unit's seed from the root seed and the unit's identity. The first
// replication of a scenario without a sweep uses the root seed itself, so `--seed N` on a
// plain run means seed N.
func UnitSeed(root uint64, u Unit) uint64 {
	label := u.Point.Label()
	if len(u.Point.Assign) == 0 && u.Rep == 0 {
		return root
	}
	return uint64(sim.Seed(root).Derive("unit/"+label, uint64(u.Rep)))
}

// Outcome is what one unit's run produced.
type Outcome struct {
	Summary  results.Summary
	Stats    []sim.Stats // per partition
	Seed     uint64
	Wall     time.Duration
	Complete bool
}

// Events is the total number of events over all partitions.
func (o Outcome) Events() uint64 {
	var n uint64
	for _, s := range o.Stats {
		n += s.Events
	}
	return n
}

// RunUnit simulates one unit and writes its tables to opts.Dir. A run that ends before its
// simulated end time (interrupt, event bound) returns its outcome with Complete false and
// an error wrapping ErrInterrupted; its tables are readable and marked incomplete.
func RunUnit(sc *scenarios.Scenario, u Unit, opts Options) (Outcome, error) {
	start := time.Now()
	st := sc.Settings()
	if opts.Duration > 0 {
		st.Duration = opts.Duration
	}
	root := st.Seed
	if opts.Seed != nil {
		root = *opts.Seed
	}
	seed := UnitSeed(root, u)
	cfg, err := sc.ModelForUnit(u.Point, seed)
	if err != nil {
		return Outcome{}, err
	}
	parts := cfg.Partitions()
	params, err := json.Marshal(paramsOf(u.Point))
	if err != nil {
		return Outcome{}, err
	}
	run, err := results.Create(results.Options{
		Dir:        opts.Dir,
		Format:     opts.Format,
		Layout:     opts.Layout,
		Partitions: len(parts),
		Run: results.RunInfo{
			Sweep:        u.Point.Index,
			Rep:          u.Rep,
			Seed:         seed,
			Scenario:     sc.Name,
			ScenarioHash: sc.Hash(),
			Version:      opts.Version,
			ParamsJSON:   string(params),
		},
	})
	if err != nil {
		return Outcome{}, err
	}
	// Build every partition's model before simulating any, so bad input fails fast and
	// leaves nothing that looks like a result.
	models := make([]*model.Model, len(parts))
	for i, pc := range parts {
		m, err := model.New(pc, sim.Seed(seed), run.Partition(i))
		if err != nil {
			run.Close(false)
			return Outcome{}, err
		}
		models[i] = m
	}
	if opts.Progress != nil {
		opts.Progress.PartsTotal.Add(int64(len(parts)))
		opts.Progress.End.Store(int64(st.Duration))
	}
	until := sim.Time(st.Duration)
	stats := make([]sim.Stats, len(parts))
	errs := sim.Parallel(len(parts), max(opts.Workers, 1), func(i int) error {
		q := sim.NewQueue(1024)
		m := models[i]
		if err := m.Start(q); err != nil {
			return err
		}
		var last uint64
		var lastT sim.Time
		poll := func(s sim.Stats) bool {
			if p := opts.Progress; p != nil {
				p.Events.Add(s.Events - last)
				p.SimNanos.Add(int64(s.End - lastT))
				last, lastT = s.Events, s.End
			}
			return opts.Stop != nil && opts.Stop.Load()
		}
		s, err := sim.Run(q, m, sim.Bounds{Until: until, MaxEvents: opts.MaxEvents}, poll)
		if err != nil {
			return err
		}
		end := s.End
		if s.Reason == sim.StopDrained || s.Reason == sim.StopUntil {
			end = until
		}
		m.Finish(end)
		stats[i] = s
		if p := opts.Progress; p != nil {
			p.Events.Add(s.Events - last)
			p.SimNanos.Add(int64(end - lastT))
			p.PartsDone.Add(1)
		}
		if err := m.CheckInvariants(); err != nil {
			return fmt.Errorf("partition %d: %w", i, err)
		}
		// Close the partition's sink now, so buffered batches are written and freed:
		// memory then scales with workers, not with partitions.
		return run.Partition(i).Close()
	})
	complete := true
	for _, s := range stats {
		if s.Reason == sim.StopInterrupted || s.Reason == sim.StopMaxEvents {
			complete = false
		}
	}
	if err := errors.Join(errs...); err != nil {
		run.Close(false)
		return Outcome{}, err
	}
	// A trace that became unreadable mid-run ended its replay early: what was simulated
	// is not the scenario, so the tables stay marked incomplete and the run fails.
	if err := readErrs(parts); err != nil {
		run.Close(false)
		return Outcome{}, err
	}
	sum, err := run.Close(complete)
	out := Outcome{Summary: sum, Stats: stats, Seed: seed, Wall: time.Since(start), Complete: complete}
	if err != nil {
		return out, err
	}
	if !complete {
		return out, fmt.Errorf("%w: %s", ErrInterrupted, stopReason(stats))
	}
	return out, nil
}

// readErrs collects the replay read errors of every partition.
func readErrs(parts []*model.Config) error {
	var errs []error
	for i, pc := range parts {
		if err := scenarios.ReadErrs(pc); err != nil {
			errs = append(errs, fmt.Errorf("partition %d: %w", i, err))
		}
	}
	return errors.Join(errs...)
}

func stopReason(stats []sim.Stats) string {
	for _, s := range stats {
		if s.Reason == sim.StopInterrupted || s.Reason == sim.StopMaxEvents {
			return fmt.Sprintf("stopped by %s at simulated %v", s.Reason, s.End)
		}
	}
	return "complete"
}

// paramsOf is the sweep point's assignments as a JSON object (path → value).
func paramsOf(p scenarios.SweepPoint) map[string]string {
	m := map[string]string{}
	for _, a := range p.Assign {
		m[a.Path] = a.Value
	}
	return m
}
