package dataplane

import (
	"math/rand/v2"
	"testing"
	"time"
)

// Merge (which visits only the bucket groups the other histogram used) gives the same
// histogram as adding every value to one, whatever groups each side used.
func TestHistogramMergeEqualsAddingAll(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 50; trial++ {
		var all, merged Histogram
		for part := 0; part < 1+r.IntN(5); part++ {
			var h Histogram
			// Each part draws from its own range, so parts use different groups.
			scale := time.Duration(1) << r.IntN(40)
			for i := r.IntN(200); i > 0; i-- {
				d := time.Duration(r.Int64N(int64(scale) + 1))
				h.Add(d)
				all.Add(d)
			}
			merged.Merge(&h)
		}
		if merged != all {
			t.Fatalf("trial %d: merged histogram differs from adding every value (n %d vs %d)", trial, merged.n, all.n)
		}
	}
}
