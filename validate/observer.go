package validate

import (
	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/sim"
)

// tally is the Observer of one replication: it keeps only the sums the checks compare.
// Interval aggregates count when their interval starts at or after warmup; ENI samples
// count when taken in [warmup, until) (Finish repeats the sample at until).
type tally struct {
	warmup, until sim.Time

	// From IntervalStats.
	admitted, throttled, tooMany int64
	reused, renewed, resets      int64
	failed                       int64

	// From ENISample: the sum and number of samples of open connections.
	connSum, connSamples int64

	// From StateChange: idle reclamations ($LATEST going Inactive with reason Idle) per
	// function, indexed through fnIndex.
	fnIndex  map[string]int
	reclaims []int32
}

func newTally(warmup, until sim.Time) *tally { return &tally{warmup: warmup, until: until} }

// trackFunctions makes the tally count idle reclamations of the named functions.
func (t *tally) trackFunctions(names []string) {
	t.fnIndex = make(map[string]int, len(names))
	for i, n := range names {
		t.fnIndex[n] = i
	}
	t.reclaims = make([]int32, len(names))
}

func (t *tally) ENISample(s model.ENISample) {
	if s.At >= t.warmup && s.At < t.until {
		t.connSum += int64(s.Connections)
		t.connSamples++
	}
}

func (t *tally) SubnetSample(model.SubnetSample) {}

func (t *tally) StateChange(c model.StateChange) {
	if c.To != "Inactive" || c.Reason != "Idle" || c.Version != "$LATEST" || t.fnIndex == nil {
		return
	}
	if i, ok := t.fnIndex[c.Function]; ok {
		t.reclaims[i]++
	}
}

func (t *tally) Operation(model.Operation) {}
func (t *tally) ENIEvent(model.ENIEvent)   {}

func (t *tally) Interval(s model.IntervalStats) {
	if s.Start < t.warmup {
		return
	}
	t.admitted += int64(s.Invocations)
	t.throttled += int64(s.Throttled)
	t.tooMany += int64(s.Errors["TooManyRequestsException"])
	t.reused += int64(s.ConnReused)
	t.renewed += int64(s.ConnNew)
	t.resets += int64(s.ConnResets)
	t.failed += int64(s.Failed)
}

func (t *tally) Invocation(model.Invocation) {}
