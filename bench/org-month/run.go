package orgmonth

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/sim"
)

// Answer is one account's capacity answers over the run.
type Answer struct {
	Account string
	// PeakENIs is the most Hyperplane ENIs its VPC(s) had at once (summed over VPCs).
	PeakENIs int
	// PeakIPs is the sum over its subnets of each subnet's peak IPs in use.
	PeakIPs int
	// Inactive counts function transitions to Inactive (14 idle days).
	Inactive int
	// Invocations, Failed (rejected by an error) and ColdStarts are run totals.
	Invocations int64
	Failed      int64
	ColdStarts  int64
	ENIsCreated int64
	// VPCs and Subnets are the per-VPC and per-subnet peaks behind PeakENIs and PeakIPs.
	VPCs    []model.VPCPeak
	Subnets []model.SubnetPeak
}

// Result is a run's answers, per account in account order, and its cost.
type Result struct {
	Answers     []Answer
	Events      uint64
	Invocations int64
	Intervals   int64 // interval records the model emitted
	Wall        time.Duration
	Workers     int
}

// counter is the per-partition observer: it counts Inactive transitions per account and
// interval records, and drops the rest.
type counter struct {
	inactive  map[string]int
	intervals int64
}

func (c *counter) ENISample(model.ENISample)       {}
func (c *counter) SubnetSample(model.SubnetSample) {}
func (c *counter) Operation(model.Operation)       {}
func (c *counter) ENIEvent(model.ENIEvent)         {}
func (c *counter) Invocation(model.Invocation)     {}
func (c *counter) Interval(model.IntervalStats)    { c.intervals++ }
func (c *counter) StateChange(x model.StateChange) {
	if x.To == "Inactive" && x.From != "Inactive" {
		c.inactive[x.Account]++
	}
}

type partResult struct {
	answers   []Answer
	events    uint64
	intervals int64
}

// Run simulates cfg's partitions (accounts sharing nothing) on workers goroutines until
// the simulated time until. Every partition runs with the same seed (model.Partitions'
// contract), so the answers do not depend on workers.
func Run(cfg *model.Config, seed uint64, until time.Duration, workers int) (Result, error) {
	parts := cfg.Partitions()
	out := make([]partResult, len(parts))
	start := time.Now()
	errs := sim.Parallel(len(parts), workers, func(i int) error {
		r, err := runPartition(parts[i], seed, until)
		out[i] = r
		return err
	})
	res := Result{Wall: time.Since(start), Workers: workers}
	for i, err := range errs {
		if err != nil {
			return res, fmt.Errorf("partition %d: %w", i, err)
		}
	}
	for _, r := range out {
		res.Answers = append(res.Answers, r.answers...)
		res.Events += r.events
		res.Intervals += r.intervals
	}
	for _, a := range res.Answers {
		res.Invocations += a.Invocations
	}
	return res, nil
}

func runPartition(pc *model.Config, seed uint64, until time.Duration) (partResult, error) {
	obs := &counter{inactive: map[string]int{}}
	m, err := model.New(pc, sim.Seed(seed), obs)
	if err != nil {
		return partResult{}, err
	}
	q := sim.NewQueue(1 << 12)
	if err := m.Start(q); err != nil {
		return partResult{}, err
	}
	st, err := sim.Run(q, m, sim.Bounds{Until: sim.Time(until)}, nil)
	if err != nil {
		return partResult{}, err
	}
	m.Finish(sim.Time(until))
	sum := m.Summary(until.Hours())
	// A partition of several accounts (peered) reports run totals for the group: they are
	// given to its first account.
	r := partResult{events: st.Events, intervals: obs.intervals}
	for i, acct := range pc.Accounts {
		a := Answer{Account: acct.ID, Inactive: obs.inactive[acct.ID]}
		if i == 0 {
			c := sum.Counters
			a.Invocations, a.ColdStarts, a.ENIsCreated = c.Invocations, c.ColdStarts, c.ENIsCreated
			for _, n := range c.Errors {
				a.Failed += n
			}
		}
		for _, v := range sum.VPCs {
			if v.Account == acct.ID {
				a.VPCs = append(a.VPCs, v)
				a.PeakENIs += v.PeakENIs
			}
		}
		for _, sn := range sum.Subnets {
			if sn.Account == acct.ID {
				a.Subnets = append(a.Subnets, sn)
				a.PeakIPs += sn.PeakIPs
			}
		}
		r.answers = append(r.answers, a)
	}
	return r, nil
}

// Hash is a digest of every answer (not the wall time), to check that runs with different
// worker counts agree exactly.
func (r Result) Hash() string {
	h := sha256.New()
	for _, a := range r.Answers {
		fmt.Fprintf(h, "%s %d %d %d %d %d %d %d\n", a.Account, a.PeakENIs, a.PeakIPs, a.Inactive,
			a.Invocations, a.Failed, a.ColdStarts, a.ENIsCreated)
		for _, v := range a.VPCs {
			fmt.Fprintf(h, " %s %d\n", v.VPC, v.PeakENIs)
		}
		for _, s := range a.Subnets {
			fmt.Fprintf(h, " %s %d\n", s.Subnet, s.PeakIPs)
		}
	}
	fmt.Fprintf(h, "events %d intervals %d\n", r.Events, r.Intervals)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Totals sums the answers over accounts.
func (r Result) Totals() Answer {
	var t Answer
	for _, a := range r.Answers {
		t.PeakENIs += a.PeakENIs
		t.PeakIPs += a.PeakIPs
		t.Inactive += a.Inactive
		t.Invocations += a.Invocations
		t.Failed += a.Failed
		t.ColdStarts += a.ColdStarts
		t.ENIsCreated += a.ENIsCreated
	}
	return t
}

// Distribution summarises a per-account quantity: min, median, p99 and max.
func Distribution(r Result, get func(Answer) int) (lo, med, p99, hi int) {
	v := make([]int, len(r.Answers))
	for i, a := range r.Answers {
		v[i] = get(a)
	}
	if len(v) == 0 {
		return
	}
	slices.Sort(v)
	return v[0], v[len(v)/2], v[min(len(v)-1, len(v)*99/100)], v[len(v)-1]
}
