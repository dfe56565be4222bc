package traces

import (
	"path/filepath"
	"testing"

	"github.com/enisim/enisim/sim"
)

// BenchmarkAzure2019Day: arrivals/s generated over the 1000-function day (11.6 M
// invocations), with and without per-arrival duration draws. One op = one arrival.
func BenchmarkAzure2019Day(b *testing.B) {
	dir := sharedTraces(b)
	d, err := OpenAzure2019(filepath.Join(dir, "azure2019", "1000"))
	if err != nil {
		b.Fatal(err)
	}
	for _, withDur := range []bool{false, true} {
		name := "counts-only"
		var durs []sim.Dist
		if withDur {
			name, durs = "with-durations", d.Durations
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			it := d.Arrivals(1, durs)
			for b.Loop() {
				if _, ok := it.Next(); !ok {
					it = d.Arrivals(1, durs)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "arrivals/s")
		})
	}
}

func BenchmarkOpenAzure2019(b *testing.B) {
	dir := sharedTraces(b)
	for b.Loop() {
		if _, err := OpenAzure2019(filepath.Join(dir, "azure2019", "1000")); err != nil {
			b.Fatal(err)
		}
	}
}
