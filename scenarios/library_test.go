package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/enisim/enisim/model"
)

// traceAvailable reports whether the shared traces are next to the repository.
func traceAvailable(t *testing.T) bool {
	_, err := os.Stat(filepath.Join("..", "..", "shared", "traces", "azure2019", "1000_inv.csv"))
	return err == nil
}

// TestLibrary parses and validates every built-in scenario, and converts every sweep
// point into a model.Config that model.New accepts.
func TestLibrary(t *testing.T) {
	names := BuiltinNames()
	want := []string{"azure-trace", "default", "eni-churn", "guardrails", "idle-fleet", "keepalive-vs-reconnect", "legacy-vs-hyperplane", "mass-deploy", "nat-burst", "old-versions", "permission-removed", "vpc-private", "vpc-privatepublic", "vpc-switchover"}
	if len(names) != len(want) {
		t.Fatalf("BuiltinNames = %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("BuiltinNames = %v, want %v", names, want)
		}
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			if name == "azure-trace" && !traceAvailable(t) {
				t.Skip("../shared/traces/azure2019/1000_inv.csv is absent: the azure-trace scenario needs the shared Azure traces")
			}
			s, err := Builtin(name)
			if err != nil {
				t.Fatal(err)
			}
			if s.Description == "" {
				t.Error("no description")
			}
			for _, pt := range s.Sweep() {
				cfg, err := s.Model(pt)
				if err != nil {
					t.Fatalf("point %s: %v", pt.Label(), err)
				}
				if _, err := model.New(cfg, 1, nil); err != nil {
					t.Fatalf("point %s: model.New: %v", pt.Label(), err)
				}
			}
		})
	}
}

func TestBuiltinUnknown(t *testing.T) {
	_, err := Builtin("defualt")
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	if want := `did you mean default?`; !contains2(err.Error(), want) {
		t.Fatalf("err = %v, want a suggestion %q", err, want)
	}
}

func contains2(s, sub string) bool { return len(s) >= len(sub) && (s == sub || indexOf(s, sub) >= 0) }

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
