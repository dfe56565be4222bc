// Package soak holds the long-run memory benchmark of issue 7: about 10^9 events through
// the full model with a discarding observer, sampling the heap as it goes, to show that
// memory stays flat (no per-event or per-invocation growth: interval aggregates,
// environments, connections, ENIs and the event queue are all recycled).
//
// Run (one iteration; several minutes on one core):
//
//	nice go test ./bench/soak -run '^$' -bench Soak -benchtime 1x -timeout 2h -soak.events 1e9
//
// It is a benchmark, not a test, so `make test` never runs it.
package soak

import (
	"flag"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/model/dataplane"
	"github.com/enisim/enisim/model/iam"
	"github.com/enisim/enisim/sim"
)

var (
	soakEvents = flag.Float64("soak.events", 1e9, "events to run through the model")
	soakEvery  = flag.Float64("soak.every", 1e7, "heap sampling interval in events")
	soakVerb   = flag.Bool("soak.v", false, "log every heap sample")
)

// horizon bounds simulated time; the event budget ends the run long before it.
const horizon = 400 * 24 * time.Hour

// fleet is a steady fleet that still exercises every recycling path: 1,000 VPC functions
// with diurnal Poisson workloads over two orders of magnitude of rate (low-rate ones
// let their environments expire and re-create them), kept-alive and per-invocation
// connections (idle drops past 350 s, resets), one-minute interval records, periodic
// VPC switchovers of 50 functions (ENIs created, old ones deleted), code updates and
// version publications, and a one-hour idle reclaim for a group of functions that go
// quiet (Inactive, then restored on the next invocation).
func fleet() *model.Config {
	p := model.DefaultParams()
	p.IdleReclaim = time.Hour
	vpcPol := iam.AWSLambdaVPCAccessExecutionRole()
	const n = 1000
	fns := make([]model.Function, n)
	cfgA := model.VPCConfig{SubnetIds: []string{"a1", "a2"}, SecurityGroupIds: []string{"sg-a"}}
	cfgB := model.VPCConfig{SubnetIds: []string{"b1", "b2"}, SecurityGroupIds: []string{"sg-b"}}
	for i := range fns {
		rate := 0.1 * float64(1+i%200) / 10 // 0.01 … 2 /s, mean ≈ 1/s
		if i%100 == 0 {
			rate = 50
		}
		f := model.Function{Name: fmt.Sprintf("fn-%04d", i), Role: "exec", Deployed: true, VPC: cfgA,
			Targets: []dataplane.Target{{Name: "db", RTT: sim.Const(time.Millisecond), TLS: dataplane.TLS13,
				Operation: sim.Const(2 * time.Millisecond), Ops: 1}},
			Workload: model.Workload{Rate: rate, Service: sim.Exp(30 * time.Millisecond),
				Diurnal: model.Diurnal{Period: 24 * time.Hour, Amplitude: 0.8, Phase: time.Duration(i) * time.Minute}}}
		if i%2 == 1 {
			f.ConnMode = dataplane.PerInvocation
		}
		if i%10 == 7 {
			// Quiet for 3 h of every 12 h: reclaimed after 1 h, restored afterwards.
			for d := time.Duration(0); d < horizon; d += 12 * time.Hour {
				f.Workload.Quiet = append(f.Workload.Quiet, model.Window{Start: d + 6*time.Hour, End: d + 9*time.Hour})
			}
		}
		fns[i] = f
	}
	var tl []model.TimelineOp
	for k, at := 0, 2*time.Hour; at < horizon; k, at = k+1, at+3*time.Hour {
		group := make([]int, 50)
		for j := range group {
			group[j] = (k*50 + j*13) % n
		}
		to := cfgB
		if k%2 == 1 {
			to = cfgA
		}
		tl = append(tl,
			model.TimelineOp{At: at, Kind: model.OpUpdateFunctionConfiguration, Functions: group, Stagger: 10 * time.Minute, VPC: &to},
			model.TimelineOp{At: at + time.Hour, Kind: model.OpUpdateFunctionCode, Functions: group[:10]},
			model.TimelineOp{At: at + 90*time.Minute, Kind: model.OpPublishVersion, Functions: group[10:12]})
	}
	return &model.Config{
		Params:      p,
		SampleEvery: time.Minute,
		Accounts: []model.Account{{
			ID:          "111111111111",
			Concurrency: 100000,
			VPCs: []model.VPC{{ID: "vpc-a", IPv4CIDR: "10.0.0.0/16", NATGateways: 1},
				{ID: "vpc-b", IPv4CIDR: "10.1.0.0/16"}},
			Subnets: []model.Subnet{
				{ID: "a1", VPC: "vpc-a", AZ: "use1-az1", CIDR: "10.0.1.0/24"},
				{ID: "a2", VPC: "vpc-a", AZ: "use1-az2", CIDR: "10.0.2.0/24"},
				{ID: "b1", VPC: "vpc-b", AZ: "use1-az1", CIDR: "10.1.1.0/24"},
				{ID: "b2", VPC: "vpc-b", AZ: "use1-az2", CIDR: "10.1.2.0/24"},
			},
			SecurityGroups: []model.SecurityGroup{{ID: "sg-a", VPC: "vpc-a"}, {ID: "sg-b", VPC: "vpc-b"}},
			Roles:          []model.Role{{Name: "exec", Policies: []*iam.Policy{vpcPol}}},
			Functions:      fns,
		}},
		Timeline: tl,
	}
}

// discard is an Observer that drops everything (the model's cost only).
type discard struct{ intervals, ops int }

func (*discard) ENISample(model.ENISample)       {}
func (*discard) SubnetSample(model.SubnetSample) {}
func (*discard) StateChange(model.StateChange)   {}
func (d *discard) Operation(model.Operation)     { d.ops++ }
func (*discard) ENIEvent(model.ENIEvent)         {}
func (d *discard) Interval(model.IntervalStats)  { d.intervals++ }
func (*discard) Invocation(model.Invocation)     {}

type sample struct {
	events uint64
	heap   uint64
}

// slope is the least-squares slope of heap bytes against events.
func slope(s []sample) float64 {
	var mx, my float64
	for _, p := range s {
		mx += float64(p.events)
		my += float64(p.heap)
	}
	n := float64(len(s))
	mx, my = mx/n, my/n
	var sxy, sxx float64
	for _, p := range s {
		dx := float64(p.events) - mx
		sxy += dx * (float64(p.heap) - my)
		sxx += dx * dx
	}
	if sxx == 0 {
		return 0
	}
	return sxy / sxx
}

// BenchmarkSoak runs -soak.events events per iteration and reports the peak HeapInuse,
// the heap after warm-up, and the slope of HeapInuse over the run's second half in bytes
// per 10^8 events (flat memory: a slope that is a small fraction of the heap). It fails
// if the heap grows by more than 10 % per 10^8 events over that half.
func BenchmarkSoak(b *testing.B) {
	total, every := uint64(*soakEvents), uint64(*soakEvery)
	if every == 0 || total < 4*every {
		b.Fatalf("-soak.events (%v) must be at least 4 × -soak.every (%v)", *soakEvents, *soakEvery)
	}
	for b.Loop() {
		obs := &discard{}
		m, err := model.New(fleet(), 1, obs)
		if err != nil {
			b.Fatal(err)
		}
		q := sim.NewQueue(1 << 16)
		if err := m.Start(q); err != nil {
			b.Fatal(err)
		}
		var samples []sample
		var done uint64
		var peak uint64
		var ms runtime.MemStats
		start := time.Now()
		var end sim.Time
		for done < total {
			st, err := sim.Run(q, m, sim.Bounds{Until: sim.Time(horizon), MaxEvents: every}, nil)
			if err != nil {
				b.Fatal(err)
			}
			done += st.Events
			end = st.End
			// HeapInuse without a forced GC would measure the collector's pacing; a GC per
			// 10^7 events costs well under 1 % of the run.
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			samples = append(samples, sample{done, ms.HeapInuse})
			if *soakVerb {
				// Printed, not logged: the testing package keeps only 10 lines of a
				// benchmark's log.
				fmt.Printf("events=%d sim=%v heapInuse=%d queue=%d\n", done, time.Duration(end), ms.HeapInuse, q.Len())
			}
			if st.Events < every {
				b.Fatalf("the run stopped after %d events at %v: raise the horizon", done, time.Duration(end))
			}
		}
		m.Finish(end)
		wall := time.Since(start)
		half := samples[len(samples)/2:]
		sl := slope(half) * 1e8
		warm := half[0].heap
		b.ReportMetric(float64(done), "events")
		b.ReportMetric(float64(done)/wall.Seconds(), "events/s")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(warm)/(1<<20), "heap-at-half-MiB")
		b.ReportMetric(sl, "B/1e8-events")
		b.ReportMetric(time.Duration(end).Hours(), "sim-hours")
		c := m.Counters()
		fmt.Printf("%d events in %v wall, %.1f simulated hours, %d invocations, %d interval records, %d operations; HeapInuse first %d, at half %d, last %d, peak %d; slope over the second half %.0f B per 1e8 events\n",
			done, wall.Round(time.Second), time.Duration(end).Hours(), c.Invocations, obs.intervals, obs.ops,
			samples[0].heap, warm, samples[len(samples)-1].heap, peak, sl)
		if sl > 0.1*float64(warm) {
			b.Fatalf("heap grows by %.0f B per 1e8 events (%.1f %% of %d B): memory is not flat", sl, 100*sl/float64(warm), warm)
		}
	}
}
