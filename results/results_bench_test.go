package results

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/sim"
)

// benchRows feeds one table's record type to a Sink, row i of b.N.
var benchRows = []struct {
	table string
	feed  func(s *Sink, i int)
}{
	{"eni_samples", func(s *Sink, i int) {
		s.ENISample(model.ENISample{At: sim.Time(i) * sim.Time(time.Second), Account: "acct-0001", VPC: "vpc-0a1b2c",
			Subnet: subnets[i%len(subnets)], SGSet: "sg-0123,sg-4567", ENIs: i % 50, ENIsReady: i % 45, Connections: i % 9000,
			VPCENIs: 200 + i%50, VPCQuota: 500, References: 3})
	}},
	{"subnet_samples", func(s *Sink, i int) {
		s.SubnetSample(model.SubnetSample{At: sim.Time(i) * sim.Time(time.Second), Account: "acct-0001", VPC: "vpc-0a1b2c",
			Subnet: subnets[i%len(subnets)], IPsUsed: i % 4000, IPsUsable: 4091})
	}},
	{"operations", func(s *Sink, i int) {
		at := sim.Time(i) * sim.Time(time.Second)
		s.Operation(model.Operation{Start: at, End: at + sim.Time(90*time.Second), Account: "acct-0001", Principal: "role/deployer",
			Op: "UpdateFunctionConfiguration", Function: fns[i%len(fns)], IAMDecision: "Allow", IAMStatement: "AllowDeploy",
			Outcome: "Successful", AttachedOnly: i%2 == 0, NewENIs: i % 3})
	}},
	{"eni_events", func(s *Sink, i int) {
		s.ENIEvent(model.ENIEvent{At: sim.Time(i) * sim.Time(time.Second), Account: "acct-0001", VPC: "vpc-0a1b2c",
			Subnet: subnets[i%len(subnets)], SGSet: "sg-0123,sg-4567", ENI: "eni-0123456789abcdef", Event: "Ready", Duration: 85 * time.Second})
	}},
	{"intervals", func(s *Sink, i int) {
		at := sim.Time(i) * sim.Time(time.Minute)
		s.Interval(model.IntervalStats{Start: at, End: at + sim.Time(time.Minute), Account: "acct-0001", Function: fns[i%len(fns)],
			VPC: "vpc-0a1b2c", Invocations: 100, ColdStarts: 2, ConnReused: 90, ConnNew: 10, LatencySum: 5 * time.Second,
			LatencyP50: 40 * time.Millisecond, LatencyP99: 900 * time.Millisecond, ConcurrentPeak: 4, EnvironmentsAlive: 4})
	}},
	{"invocations", func(s *Sink, i int) {
		s.Invocation(model.Invocation{At: sim.Time(i) * sim.Time(time.Millisecond), Account: "acct-0001", Function: fns[i%len(fns)],
			VPC: "vpc-0a1b2c", ColdStart: time.Duration(i%7) * time.Millisecond, ConnSetup: 20 * time.Millisecond,
			Operation: 45 * time.Millisecond, Reconnect: i%5 == 0})
	}},
}

var (
	subnets = []string{"subnet-0aaa", "subnet-0bbb", "subnet-0ccc"}
	fns     = func() []string {
		f := make([]string, 64)
		for i := range f {
			f[i] = fmt.Sprintf("orders-api-%02d", i)
		}
		return f
	}()
)

// BenchmarkWrite measures rows/s per table and format, including the final flush, footer,
// fsync and rename (go test -run '^$' -bench Write ./results/).
func BenchmarkWrite(b *testing.B) {
	for _, f := range []Format{Arrow, Parquet} {
		for _, br := range benchRows {
			b.Run(f.String()+"/"+br.table, func(b *testing.B) {
				b.ReportAllocs()
				r, err := Create(Options{Dir: b.TempDir(), Format: f, Run: RunInfo{RunID: "bench", Scenario: "bench"}})
				if err != nil {
					b.Fatal(err)
				}
				s := r.Partition(0)
				cpu0 := cpuSeconds()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					br.feed(s, i)
				}
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
				// The machine is shared: rows per CPU-second of this process is the steadier figure.
				b.ReportMetric(float64(b.N)/(cpuSeconds()-cpu0), "rows/cpu-s")
				if _, err := r.Close(true); err != nil {
					b.Fatal(err)
				}
			})
		}
	}
}

// cpuSeconds is the user+system CPU time of this process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
