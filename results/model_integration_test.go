package results_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/results"
	"github.com/enisim/enisim/scenarios"
	"github.com/enisim/enisim/sim"
)

// TestRealModelOutput runs the first 40 simulated minutes of the built-in mass-deploy
// scenario through the real model into a Run, then checks the tables against the
// vocabularies docs/results.md promises and the summary against the model's own exact
// peaks: sampled peaks can only be lower.
func TestRealModelOutput(t *testing.T) {
	sc, err := scenarios.Builtin("mass-deploy")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := sc.Model(sc.Sweep()[0])
	if err != nil {
		t.Fatal(err)
	}
	parts := cfg.Partitions()
	dir := t.TempDir()
	run, err := results.Create(results.Options{Dir: dir, Format: results.Arrow, Partitions: len(parts),
		Run: results.RunInfo{Scenario: sc.Name, ScenarioHash: sc.Hash(), Seed: 1}})
	if err != nil {
		t.Fatal(err)
	}
	const until = sim.Time(40 * time.Minute)
	var models []*model.Model
	for i, pc := range parts {
		m, err := model.New(pc, sim.Seed(1), run.Partition(i))
		if err != nil {
			t.Fatal(err)
		}
		q := sim.NewQueue(1024)
		if err := m.Start(q); err != nil {
			t.Fatal(err)
		}
		if _, err := sim.Run(q, m, sim.Bounds{Until: until}, nil); err != nil {
			t.Fatal(err)
		}
		m.Finish(until)
		models = append(models, m)
	}
	sum, err := run.Close(true)
	if err != nil {
		t.Fatal(err)
	}

	vocab := map[string]map[string]bool{
		"eni_events.event":        set("Requested", "Throttled", "Ready", "CreateFailed", "Reclaimed", "DeleteRequested", "Deleted", "Lingering"),
		"state_changes.to_state":  set("Pending", "Active", "Inactive", "Failed"),
		"operations.outcome":      set("Successful", "Failed", "Rejected"),
		"operations.iam_decision": set("Allow", "ImplicitDeny", "ExplicitDeny", ""),
	}
	seen := map[string]int{}
	for col, allowed := range vocab {
		table, name := splitCol(col)
		eachString(t, filepath.Join(dir, table+".arrow"), name, func(v string) {
			seen[col]++
			if !allowed[v] {
				t.Errorf("%s: undocumented value %q", col, v)
			}
		})
	}
	if seen["eni_events.event"] == 0 || seen["operations.outcome"] == 0 {
		t.Fatalf("the scenario produced no ENI events or operations: %v", seen)
	}

	exact := map[string]int{}
	for _, m := range models {
		for _, v := range m.Summary(1).VPCs {
			exact[v.Account+"/"+v.VPC] = v.PeakENIs
		}
	}
	if len(sum.VPCs) == 0 {
		t.Fatal("no VPC in the summary")
	}
	for _, v := range sum.VPCs {
		if e, ok := exact[v.Account+"/"+v.VPC]; !ok || v.PeakENIs > int64(e) || v.PeakENIs == 0 {
			t.Errorf("%s/%s: sampled peak %d, model's exact peak %d", v.Account, v.VPC, v.PeakENIs, e)
		}
	}
	if sum.Pending.Count == 0 || sum.ENIAPI.Requested == 0 {
		t.Errorf("summary saw no Pending operations or ENI requests: %+v %+v", sum.Pending, sum.ENIAPI)
	}
}

func set(vs ...string) map[string]bool {
	m := map[string]bool{}
	for _, v := range vs {
		m[v] = true
	}
	return m
}

func splitCol(c string) (string, string) {
	for i := range c {
		if c[i] == '.' {
			return c[:i], c[i+1:]
		}
	}
	return c, ""
}

func eachString(t *testing.T, path, col string, fn func(string)) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	err := results.ReadRecords(path, nil, 0, func(rec arrow.Record) error {
		idx := rec.Schema().FieldIndices(col)
		if len(idx) != 1 {
			t.Fatalf("%s: column %s missing", path, col)
		}
		a := rec.Column(idx[0]).(*array.String)
		for i := 0; i < a.Len(); i++ {
			fn(a.Value(i))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
