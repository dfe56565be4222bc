package sim

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// PHOLD (Fujimoto 1990): lps logical processes start with one event each; handling an
// event at an LP schedules one new event at a uniformly chosen LP after Exp(mean) plus a
// fixed lookahead. Each LP draws from its own stream, keyed by its index. This runs
// through Run and a Handler, so it measures the whole event loop, not only the queue.
//
// The partitioned variant splits the LPs into independent partitions, each with its own
// Queue, run side by side with Parallel; events stay inside their partition (there is no
// cross-partition messaging in sim). It shows how far independent partitions (accounts,
// replications, sweep points) scale on this machine.

const (
	pholdLPs       = 10_000
	pholdMean      = time.Second
	pholdLookahead = 100 * time.Millisecond
)

type phold struct {
	first, n int // the LPs of this partition: first..first+n-1
	rngs     []*rand.Rand
	handled  []uint64
}

func newPhold(b testing.TB, q *Queue, seed Seed, first, n int) *phold {
	p := &phold{first: first, n: n, rngs: make([]*rand.Rand, n), handled: make([]uint64, n)}
	for i := range p.rngs {
		p.rngs[i] = rand.New(seed.Stream("lp", uint64(first+i)))
		if _, err := q.Schedule(Event{At: Time(p.rngs[i].ExpFloat64() * float64(pholdMean)), Obj: uint32(first + i)}); err != nil {
			b.Fatal(err)
		}
	}
	return p
}

func (p *phold) Handle(ev Event, s Scheduler) {
	lp := int(ev.Obj) - p.first
	p.handled[lp]++
	r := p.rngs[lp]
	to := p.first + r.IntN(p.n)
	d := Time(r.ExpFloat64()*float64(pholdMean)) + Time(pholdLookahead)
	s.Schedule(Event{At: ev.At + d, Obj: uint32(to)})
}

func BenchmarkPHOLD(b *testing.B) {
	for _, parts := range []int{1, 2} {
		b.Run(fmt.Sprintf("partitions=%d/lps=%d", parts, pholdLPs), func(b *testing.B) {
			queues := make([]*Queue, parts)
			models := make([]*phold, parts)
			per := pholdLPs / parts
			for i := range queues {
				queues[i] = NewQueue(per)
				models[i] = newPhold(b, queues[i], Seed(1), i*per, per)
			}
			b.ReportAllocs()
			b.ResetTimer()
			errs := Parallel(parts, parts, func(i int) error {
				// Each partition handles its share of the b.N events.
				events := uint64(b.N / parts)
				if i < b.N%parts {
					events++
				}
				if events == 0 {
					return nil
				}
				_, err := Run(queues[i], models[i], Bounds{MaxEvents: events}, nil)
				return err
			})
			b.StopTimer()
			for _, err := range errs {
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
