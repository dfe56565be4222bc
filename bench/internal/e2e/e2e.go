// Package e2e holds what the end-to-end benchmarks share: running a scenario's model with
// its observations discarded, so a benchmark can tell the model's cost from the output's.
package e2e

import (
	"syscall"
	"time"

	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/sim"
)

// Discard is a model.Observer that drops everything.
type Discard struct{}

func (Discard) ENISample(model.ENISample)       {}
func (Discard) SubnetSample(model.SubnetSample) {}
func (Discard) StateChange(model.StateChange)   {}
func (Discard) Operation(model.Operation)       {}
func (Discard) ENIEvent(model.ENIEvent)         {}
func (Discard) Interval(model.IntervalStats)    {}
func (Discard) Invocation(model.Invocation)     {}

// Simulate runs every partition of cfg in turn on this goroutine with a discarding
// observer until the simulated time until, and returns the events handled and the
// invocations the model counted.
func Simulate(cfg *model.Config, seed uint64, until time.Duration) (events uint64, invocations int64, err error) {
	for _, pc := range cfg.Partitions() {
		m, err := model.New(pc, sim.Seed(seed), Discard{})
		if err != nil {
			return 0, 0, err
		}
		q := sim.NewQueue(1 << 16)
		if err := m.Start(q); err != nil {
			return 0, 0, err
		}
		st, err := sim.Run(q, m, sim.Bounds{Until: sim.Time(until)}, nil)
		if err != nil {
			return 0, 0, err
		}
		m.Finish(sim.Time(until))
		events += st.Events
		invocations += m.Counters().Invocations
	}
	return events, invocations, nil
}

// PeakRSSMiB is the process's peak resident set size so far.
func PeakRSSMiB() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Maxrss) / 1024
}
