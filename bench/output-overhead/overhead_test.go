// Package overhead measures what writing results costs (issue 5: under 10% of run time for
// the default scenario): the same run with observations discarded, and with Arrow or
// Parquet tables and the summary written, on one worker. The ratio of the two is the
// output overhead; see bench/README.md.
package overhead

import (
	"io/fs"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/enisim/enisim/bench/internal/e2e"
	"github.com/enisim/enisim/results"
	"github.com/enisim/enisim/runner"
	"github.com/enisim/enisim/scenarios"
)

func BenchmarkDefault(b *testing.B) {
	sc, err := scenarios.Builtin("default")
	if err != nil {
		b.Fatal(err)
	}
	st := sc.Settings()
	b.Run("model", func(b *testing.B) {
		b.ReportAllocs()
		var events uint64
		var elapsed, cpu time.Duration
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			cfg, err := sc.Model(sc.Sweep()[0])
			if err != nil {
				b.Fatal(err)
			}
			runtime.GC()
			b.StartTimer()
			t0, c0 := time.Now(), processCPU()
			e, _, err := e2e.Simulate(cfg, st.Seed, st.Duration)
			if err != nil {
				b.Fatal(err)
			}
			elapsed += time.Since(t0)
			cpu += processCPU() - c0
			events += e
		}
		b.ReportMetric(float64(events)/elapsed.Seconds(), "events/s")
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	})
	for _, f := range []results.Format{results.Arrow, results.Parquet} {
		b.Run("run-"+f.String(), func(b *testing.B) {
			b.ReportAllocs()
			var events uint64
			var elapsed, cpu time.Duration
			var size int64
			for i := 0; i < b.N; i++ {
				dir := filepath.Join(b.TempDir(), "out")
				t0, c0 := time.Now(), processCPU()
				o, err := runner.RunUnit(sc, runner.Units(sc)[0], runner.Options{Dir: dir, Format: f, Workers: 1})
				if err != nil {
					b.Fatal(err)
				}
				elapsed += time.Since(t0)
				cpu += processCPU() - c0
				events += o.Events()
				b.StopTimer()
				size += dirSize(b, dir)
				b.StartTimer()
			}
			b.ReportMetric(float64(events)/elapsed.Seconds(), "events/s")
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
			// Output size shows what an encoding setting trades for speed.
			b.ReportMetric(float64(size)/float64(b.N), "out-bytes/op")
		})
	}
}

// dirSize is the total size of the regular files under dir.
func dirSize(b *testing.B, dir string) int64 {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		n += fi.Size()
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}
