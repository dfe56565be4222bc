package orgmonth

import (
	"os"
	"strings"
	"testing"

	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/scenarios"
)

const idleFleet = "../../scenarios/library/idle-fleet.yaml"

// TestScenarioFidelityField: a fleet's `fidelity: aggregate` reaches the model's functions
// of that fleet only, and an unknown level is rejected naming the field.
func TestScenarioFidelityField(t *testing.T) {
	data, err := os.ReadFile(idleFleet)
	if err != nil {
		t.Fatal(err)
	}
	const anchor = "    workload: {rate: 1/h}\n"
	if !strings.Contains(string(data), anchor) {
		t.Fatalf("%s no longer has the always-on fleet's line %q", idleFleet, anchor)
	}
	agg := strings.Replace(string(data), anchor, "    fidelity: aggregate\n"+anchor, 1)
	sc, err := scenarios.Parse("agg.yaml", []byte(agg))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := sc.Model(scenarios.SweepPoint{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range cfg.Accounts[0].Functions {
		want := model.FidelityExact
		if strings.HasPrefix(f.Name, "always-on") {
			want = model.FidelityAggregate
		}
		if f.Fidelity != want {
			t.Fatalf("%s: fidelity %v, want %v", f.Name, f.Fidelity, want)
		}
		if want == model.FidelityAggregate {
			n++
		}
	}
	if n != 100 {
		t.Fatalf("%d aggregate functions, want the fleet's 100", n)
	}
	bad := strings.Replace(string(data), anchor, "    fidelity: aggregated\n"+anchor, 1)
	if _, err := scenarios.Parse("bad.yaml", []byte(bad)); err == nil || !strings.Contains(err.Error(), "fidelity") ||
		!strings.Contains(err.Error(), "aggregate") {
		t.Fatalf("fidelity: aggregated: err = %v, want the field named and the levels suggested", err)
	}
}

// TestIdleFleetScenarioAgrees runs the library's idle-fleet scenario (300 functions, 80 %
// of two fleets silent from day 1 to day 16, 17 days) at both levels and compares the
// answers, as TestAggregateAgreesWithExact does for generated organisations.
func TestIdleFleetScenarioAgrees(t *testing.T) {
	sc, err := scenarios.Load(idleFleet)
	if err != nil {
		t.Fatal(err)
	}
	set := sc.Settings()
	var ex, ag measures
	seeds := validationSeeds()
	for _, seed := range seeds {
		for _, fid := range []model.Fidelity{model.FidelityExact, model.FidelityAggregate} {
			cfg, err := sc.Model(scenarios.SweepPoint{})
			if err != nil {
				t.Fatal(err)
			}
			for i := range cfg.Accounts {
				for j := range cfg.Accounts[i].Functions {
					cfg.Accounts[i].Functions[j].Fidelity = fid
				}
			}
			res, err := Run(cfg, seed, set.Duration, 1)
			if err != nil {
				t.Fatal(err)
			}
			m := measuresOf(res)
			if fid == model.FidelityExact {
				ex.add(m)
			} else {
				ag.add(m)
			}
		}
	}
	compare(t, ex, ag, len(seeds))
}
