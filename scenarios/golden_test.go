package scenarios

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/enisim/enisim/model"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.json from the current parser")

// goldenScenarios cover most sections: default (connections, workloads with spread and
// diurnal, timeline, params), guardrails (principals, IAM policies, absent fleets) and
// keepalive-vs-reconnect (a sweep).
var goldenScenarios = []string{"default", "guardrails", "keepalive-vs-reconnect"}

// goldenModel summarises a converted model.Config in types of this file, with only what
// the scenario decides (not model.Params, whose defaults belong to the model package), so
// that the golden files change when parsing or conversion does.
type goldenModel struct {
	Accounts []goldenAccount
	Timeline []goldenOp
	Faults   model.Faults
	Legacy   bool
}

type goldenAccount struct {
	ID             string
	Concurrency    int
	VPCs           []model.VPC
	Subnets        []model.Subnet
	SecurityGroups int
	Roles          []string
	Principals     []string
	Functions      int
	// FirstFunctions are the first three functions.
	FirstFunctions []goldenFunction
}

type goldenFunction struct {
	Name          string
	MemoryMB      int
	Role          string
	VPC           model.VPCConfig
	Deployed      bool
	Versions      int
	ConnMode      int
	Targets       []string
	NeedsInternet bool
	ProbeInterval string
	// Rate is printed with 6 significant digits: spreads go through math.Exp and Erfinv,
	// whose last bits may differ between architectures.
	Rate    string
	Service string
	Diurnal string
	Bursts  int
	Quiet   int
}

type goldenOp struct {
	At        string
	Kind      model.OpKind
	Account   string
	Principal string
	Functions int
	Stagger   string
	VPC       *model.VPCConfig `json:",omitempty"`
	MemoryMB  int              `json:",omitempty"`
	Role      string           `json:",omitempty"`
	Policy    string           `json:",omitempty"`
	Value     int              `json:",omitempty"`
}

func summarise(cfg *model.Config) goldenModel {
	g := goldenModel{Faults: cfg.Faults, Legacy: cfg.Legacy}
	for _, a := range cfg.Accounts {
		ga := goldenAccount{ID: a.ID, Concurrency: a.Concurrency, VPCs: a.VPCs, Subnets: a.Subnets, SecurityGroups: len(a.SecurityGroups), Functions: len(a.Functions)}
		for _, r := range a.Roles {
			ga.Roles = append(ga.Roles, r.Name)
		}
		for _, p := range a.Principals {
			ga.Principals = append(ga.Principals, p.Name)
		}
		for _, f := range a.Functions[:min(3, len(a.Functions))] {
			gf := goldenFunction{Name: f.Name, MemoryMB: f.MemoryMB, Role: f.Role, VPC: f.VPC, Deployed: f.Deployed, Versions: f.Versions,
				ConnMode: int(f.ConnMode), NeedsInternet: f.NeedsInternet, ProbeInterval: f.ProbeInterval.String(),
				Rate: strconv.FormatFloat(f.Workload.Rate, 'g', 6, 64), Service: distText(f.Workload.Service),
				Diurnal: fmt.Sprintf("%v×%g+%v", f.Workload.Diurnal.Period, f.Workload.Diurnal.Amplitude, f.Workload.Diurnal.Phase),
				Bursts:  len(f.Workload.Bursts), Quiet: len(f.Workload.Quiet)}
			for _, t := range f.Targets {
				gf.Targets = append(gf.Targets, fmt.Sprintf("%s rtt=%s tls=%v ops=%d", t.Name, distText(t.RTT), t.TLS, t.Ops))
			}
			ga.FirstFunctions = append(ga.FirstFunctions, gf)
		}
		g.Accounts = append(g.Accounts, ga)
	}
	for _, op := range cfg.Timeline {
		g.Timeline = append(g.Timeline, goldenOp{At: op.At.String(), Kind: op.Kind, Account: cfg.Accounts[op.Account].ID, Principal: op.Principal,
			Functions: len(op.Functions), Stagger: op.Stagger.String(), VPC: op.VPC, MemoryMB: op.MemoryMB, Role: op.Role, Policy: op.PolicyName, Value: op.Value})
	}
	return g
}

// TestGolden compares the decoded scenario and its converted model (first sweep point)
// of a few library scenarios with testdata/golden/NAME.json, so that a change in parsing,
// defaults or conversion shows up as a reviewable diff. Regenerate with
// `go test ./scenarios -run TestGolden -update` and review the diff.
func TestGolden(t *testing.T) {
	for _, name := range goldenScenarios {
		t.Run(name, func(t *testing.T) {
			s, err := Builtin(name)
			if err != nil {
				t.Fatal(err)
			}
			pts := s.Sweep()
			cfg, err := s.Model(pts[0])
			if err != nil {
				t.Fatal(err)
			}
			var labels []string
			for _, pt := range pts {
				labels = append(labels, pt.Label())
			}
			got, err := json.MarshalIndent(struct {
				Scenario    *Scenario
				SweepPoints []string
				Settings    Settings
				Model       goldenModel
			}{s, labels, s.Settings(), summarise(cfg)}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "golden", name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./scenarios -run TestGolden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the parser's output; if the change is intended, run go test ./scenarios -run TestGolden -update and review the diff:\n%s", path, firstDiff(want, got))
			}
		})
	}
}

// firstDiff shows the first differing line with its neighbours.
func firstDiff(want, got []byte) string {
	wl, gl := bytes.Split(want, []byte("\n")), bytes.Split(got, []byte("\n"))
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g []byte
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if !bytes.Equal(w, g) {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + string(w) + "\n  got:  " + string(g)
		}
	}
	return ""
}
