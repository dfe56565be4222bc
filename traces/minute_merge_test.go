package traces

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/enisim/enisim/sim"
)

// TestMinuteArrivalsMergeOrder: the merged stream is exactly every function's own arrivals
// (each generated alone from a one-function Subset with its key) sorted by (time,
// function) — the order the per-minute heap of packed keys and the sorted minutes must
// reproduce, alone and mixed — including
// exact ties (functions given the same stream key draw the same times), functions
// without arrivals, functions active in scattered minutes, and the day's last minute.
func TestMinuteArrivalsMergeOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const nfn = 40
	rows := make([]map[int]uint32, nfn)
	for fn := range rows {
		rows[fn] = map[int]uint32{}
		switch fn % 4 {
		case 0: // busy in a few consecutive minutes
			for m := 10; m < 14; m++ {
				rows[fn][m] = uint32(1 + r.IntN(300))
			}
		case 1: // scattered, including the first and the last minute
			for range 6 {
				rows[fn][r.IntN(MinutesPerDay)] = uint32(1 + r.IntN(5))
			}
			rows[fn][0], rows[fn][MinutesPerDay-1] = 2, 3
		case 2: // none
		case 3:
			rows[fn][12] = 1
		}
	}
	// Pairs of functions share a stream key, so where their counts agree their arrival
	// times coincide and only the function index orders them.
	keys := make([]uint64, nfn)
	for fn := range keys {
		keys[fn] = uint64(fn / 2)
	}
	for fn := 1; fn < nfn; fn += 2 {
		rows[fn] = rows[fn-1]
	}
	table, err := ReadAzure2019Invocations(strings.NewReader(invFile(rows...)), "merge_inv.csv")
	if err != nil {
		t.Fatal(err)
	}
	durs := make([]sim.Dist, nfn)
	for fn := range durs {
		durs[fn] = sim.Empirical([]float64{0.001 * float64(fn+1), 0.5, 2})
	}
	const seed = sim.Seed(9)
	var want []Arrival
	for fn := range nfn {
		one, err := table.Subset([]int{fn})
		if err != nil {
			t.Fatal(err)
		}
		got, err := Collect(one.ArrivalsKeyed(seed, durs[fn:fn+1], keys[fn:fn+1]))
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range got {
			a.Func = int32(fn)
			want = append(want, a)
		}
	}
	slices.SortFunc(want, func(a, b Arrival) int {
		return cmp.Or(cmp.Compare(a.At, b.At), cmp.Compare(a.Func, b.Func))
	})
	ties := 0
	for i := 1; i < len(want); i++ {
		if want[i].At == want[i-1].At {
			ties++
		}
	}
	if ties == 0 {
		t.Fatal("the table produced no tied arrival times: the test does not exercise ties")
	}
	// Minutes are sorted whole up to sortCap arrivals and merged in the heap above it:
	// every minute sorted (the default), every minute merged (0), and both in one run (the
	// busy minutes 10-13 hold ~1,500 arrivals, the scattered ones a few).
	for _, sortCap := range []int{defaultSortCap, 0, 100} {
		it := table.ArrivalsKeyed(seed, durs, keys)
		it.sortCap = sortCap
		got, err := Collect(it)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(got)) != table.Total() || len(got) != len(want) {
			t.Fatalf("sortCap %d: %d arrivals merged, %d generated one function at a time, table total %d", sortCap, len(got), len(want), table.Total())
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("sortCap %d: arrival %d: merged %+v, want %+v (%d ties)", sortCap, i, got[i], want[i], ties)
			}
		}
	}
}
