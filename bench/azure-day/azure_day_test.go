// Package azureday benchmarks enisim end to end on the real 1,000-function Azure Functions
// 2019 day (11.6 million invocations, ../shared/traces/azure2019) mapped onto one account's
// 20 (subnet, SG) combinations by the built-in azure-trace scenario: the full model (ENIs,
// environments, connections, keepalive) on one core. See bench/README.md.
package azureday

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/enisim/enisim/bench/internal/e2e"
	"github.com/enisim/enisim/results"
	"github.com/enisim/enisim/runner"
	"github.com/enisim/enisim/scenarios"
)

const trace = "../../../shared/traces/azure2019/1000_inv.csv"

func needTrace(b *testing.B) {
	if _, err := os.Stat(trace); err != nil {
		b.Skip("../shared/traces not found: the Azure 2019 trace is read from ../shared/traces beside the repository")
	}
}

// BenchmarkAzureDayModel: the model alone (observations discarded), one core. The trace is
// read and converted outside the timer; each iteration replays the whole day.
func BenchmarkAzureDayModel(b *testing.B) {
	needTrace(b)
	sc, err := scenarios.Builtin("azure-trace")
	if err != nil {
		b.Fatal(err)
	}
	st := sc.Settings()
	b.ReportAllocs()
	var events uint64
	var inv int64
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		cfg, err := sc.Model(sc.Sweep()[0]) // arrival sources are single-use
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		b.StartTimer()
		t0 := time.Now()
		e, n, err := e2e.Simulate(cfg, st.Seed, st.Duration)
		if err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(t0)
		events += e
		inv += n
	}
	if want := int64(11_639_447) * int64(b.N); inv != want {
		b.Fatalf("model counted %d invocations, the trace holds %d", inv, want)
	}
	b.ReportMetric(float64(events)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(inv)/elapsed.Seconds(), "invocations/s")
	b.ReportMetric(e2e.PeakRSSMiB(), "peak-RSS-MiB")
}

// BenchmarkAzureDayRun: what `enisim run azure-trace --parallel 1` does — model plus Arrow
// tables and the summary — so the difference to BenchmarkAzureDayModel is the output cost.
func BenchmarkAzureDayRun(b *testing.B) {
	needTrace(b)
	sc, err := scenarios.Builtin("azure-trace")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var events uint64
	var inv int64
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		dir := filepath.Join(b.TempDir(), "out")
		t0 := time.Now()
		o, err := runner.RunUnit(sc, runner.Units(sc)[0], runner.Options{Dir: dir, Format: results.Arrow, Workers: 1})
		if err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(t0)
		events += o.Events()
		inv += o.Summary.Invocations.Invocations
	}
	b.ReportMetric(float64(events)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(inv)/elapsed.Seconds(), "invocations/s")
	b.ReportMetric(e2e.PeakRSSMiB(), "peak-RSS-MiB")
}

// BenchmarkAzureDaySlice runs the model (observations discarded) over the first 1 or 3
// simulated hours: the instruction-count method of docs/design/performance.md runs each
// under cachegrind and takes the difference, which cancels reading the trace.
func BenchmarkAzureDaySlice(b *testing.B) {
	needTrace(b)
	for _, hours := range []int{1, 3} {
		b.Run(fmt.Sprintf("%dh", hours), func(b *testing.B) {
			sc, err := scenarios.Builtin("azure-trace")
			if err != nil {
				b.Fatal(err)
			}
			for i := 0; i < b.N; i++ {
				cfg, err := sc.Model(sc.Sweep()[0])
				if err != nil {
					b.Fatal(err)
				}
				_, n, err := e2e.Simulate(cfg, sc.Settings().Seed, time.Duration(hours)*time.Hour)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(n), "invocations")
			}
		})
	}
}
