package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/sim"
)

// opRecorder keeps the model's Operation records and ignores the rest.
type opRecorder struct{ ops []model.Operation }

func (r *opRecorder) ENISample(model.ENISample)       {}
func (r *opRecorder) SubnetSample(model.SubnetSample) {}
func (r *opRecorder) StateChange(model.StateChange)   {}
func (r *opRecorder) Operation(o model.Operation)     { r.ops = append(r.ops, o) }
func (r *opRecorder) ENIEvent(model.ENIEvent)         {}
func (r *opRecorder) Interval(model.IntervalStats)    {}
func (r *opRecorder) Invocation(model.Invocation)     {}

// TestGuardrailsOutcome runs the guardrails scenario: the compliant fleet's
// CreateFunction calls are allowed by AllowApprovedSubnets and succeed, the sandbox
// fleet's are implicitly denied (a subnet outside the approved list) and the VPC-less
// fleet's are denied by DenyWithoutVpc.
func TestGuardrailsOutcome(t *testing.T) {
	s, err := Builtin("guardrails")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := s.Model(SweepPoint{})
	if err != nil {
		t.Fatal(err)
	}
	rec := &opRecorder{}
	m, err := model.New(cfg, 1, rec)
	if err != nil {
		t.Fatal(err)
	}
	q := sim.NewQueue(1024)
	if err := m.Start(q); err != nil {
		t.Fatal(err)
	}
	st, err := sim.Run(q, m, sim.Bounds{Until: sim.Time(30 * time.Minute)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m.Finish(st.End)
	want := map[string]struct{ decision, statement, outcome string }{
		"compliant": {"Allow", "AllowApprovedSubnets", "Successful"},
		"sandbox":   {"ImplicitDeny", "", "Rejected"},
		"no-vpc":    {"ExplicitDeny", "DenyWithoutVpc", "Rejected"},
	}
	seen := map[string]int{}
	for _, o := range rec.ops {
		fleet := o.Function[:strings.LastIndexByte(o.Function, '-')]
		w, ok := want[fleet]
		if !ok || o.Op != "CreateFunction" {
			t.Fatalf("unexpected operation %+v", o)
		}
		if o.IAMDecision != w.decision || o.IAMStatement != w.statement || o.Outcome != w.outcome {
			t.Errorf("%s: %s by %q → %s, want %s by %q → %s", o.Function, o.IAMDecision, o.IAMStatement, o.Outcome, w.decision, w.statement, w.outcome)
		}
		seen[fleet]++
	}
	for f := range want {
		if seen[f] != 20 {
			t.Errorf("fleet %s: %d CreateFunction records, want 20", f, seen[f])
		}
	}
}
