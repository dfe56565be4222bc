package scenarios

import (
	"testing"

	"github.com/enisim/enisim/model"
)

func TestSmokeDefault(t *testing.T) {
	s, err := Builtin("default")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := s.Model(s.Sweep()[0])
	if err != nil {
		t.Fatal(err)
	}
	_, err = model.New(cfg, 1, nil)
	t.Log("model.New:", err, len(cfg.Accounts[0].Functions), s.Hash())
	if err != nil {
		t.Fatal(err)
	}
}
