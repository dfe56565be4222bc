package scenarios

import (
	"fmt"
	"os"
	"time"

	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/sim"
	"github.com/enisim/enisim/traces"
)

// traceFleet adds a trace fleet's functions to their accounts and sets the accounts'
// Arrivals. Each trace function goes to an account chosen by hashing its accountBy key
// (default owner) and to a VPC combination chosen by hashing its combinationBy key
// (default app), so all functions of one app share one (subnets, SGs) combination.
func (s *Scenario) traceFleet(cfg *model.Config, fi int, seed sim.Seed, place *fleetPlace, acct map[string]int) error {
	f := &s.Fleets[fi]
	t := f.Trace
	var info *traceInfo
	for _, ti := range s.traces {
		if ti.Digest == t.Digest {
			info = ti
		}
	}
	if info == nil {
		return fmt.Errorf("%w: fleet %q: trace %s was not validated", ErrInvalid, f.Name, t.Path)
	}
	n := len(info.Funcs)
	if f.Count > 0 && f.Count < n {
		n = f.Count
	}
	var accts []int
	for _, a := range t.Mapping.Accounts {
		accts = append(accts, acct[a])
	}
	if len(accts) == 0 {
		accts = []int{acct[f.Account]}
	}
	combos := t.Mapping.Combinations
	if len(combos) == 0 && f.VPCConfig != nil {
		combos = []VPCConfig{*f.VPCConfig}
	}
	keyOf := func(by string, tf traceFunc) string {
		switch by {
		case "function":
			return tf.Owner + "/" + tf.App + "/" + tf.Function
		case "app":
			return tf.Owner + "/" + tf.App
		}
		return tf.Owner
	}
	accountBy, comboBy := t.Mapping.AccountBy, t.Mapping.CombinationBy
	if accountBy == "" {
		accountBy = "owner"
	}
	if comboBy == "" {
		comboBy = "app"
	}
	// dest[i] is trace function i's (account, function index); -1 when beyond Count.
	type dest struct{ acct, fn int32 }
	dests := make([]dest, len(info.Funcs))
	for i := range dests {
		dests[i] = dest{-1, -1}
	}
	for i := 0; i < n; i++ {
		tf := info.Funcs[i]
		ai := accts[hashKey(seed, "account", keyOf(accountBy, tf))%uint64(len(accts))]
		a := &cfg.Accounts[ai]
		fn := s.function(f, i, a)
		if len(combos) > 0 {
			c := combos[hashKey(seed, "combination", keyOf(comboBy, tf))%uint64(len(combos))]
			fn.VPC = modelVPC(&c)
			fn.Targets, fn.NeedsInternet = nil, false
			connections(&fn, f.Connections, a)
		}
		dests[i] = dest{int32(ai), int32(len(a.Functions))}
		place.local[ai] = append(place.local[ai], i)
		place.global[ai] = append(place.global[ai], len(a.Functions))
		a.Functions = append(a.Functions, fn)
	}
	if t.Format != "azure2019" {
		return fmt.Errorf("%w: fleet %q: replaying %s traces is not supported yet (azure2019 is)", ErrInvalid, f.Name, t.Format)
	}
	file, err := os.Open(info.Path)
	if err != nil {
		return fmt.Errorf("trace %s: %w", info.Path, err)
	}
	defer file.Close()
	table, err := traces.ReadAzure2019Invocations(file, info.Path)
	if err != nil {
		return fmt.Errorf("trace %s: %w", info.Path, err)
	}
	if len(table.Functions) != len(info.Funcs) {
		return fmt.Errorf("trace %s changed since it was validated (%d functions, was %d)", info.Path, len(table.Functions), len(info.Funcs))
	}
	// One stream per account over the same table and seed: each yields the whole day's
	// arrivals and keeps those of its own functions, so accounts stay independent.
	for _, ai := range uniqueInts(accts) {
		remap := make([]int32, len(dests))
		for i, d := range dests {
			remap[i] = -1
			if int(d.acct) == ai {
				remap[i] = d.fn
			}
		}
		cfg.Accounts[ai].Arrivals = &traceArrivals{it: table.Arrivals(seed.Derive("scenario.trace/"+f.Name, 0), nil), remap: remap}
	}
	return nil
}

func uniqueInts(xs []int) []int {
	var out []int
	seen := map[int]bool{}
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// traceArrivals adapts a traces.Arrivals stream to one account's model.Arrivals.
type traceArrivals struct {
	it    traces.Arrivals
	remap []int32
}

func (a *traceArrivals) Next() (sim.Time, int32, time.Duration, bool) {
	for {
		ar, ok := a.it.Next()
		if !ok {
			return 0, 0, 0, false
		}
		if fn := a.remap[ar.Func]; fn >= 0 {
			return ar.At, fn, ar.Duration, true
		}
	}
}
