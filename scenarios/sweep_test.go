package scenarios

import (
	"math"
	"strings"
	"testing"
	"time"
)

// TestSweepOrderAndPoints: grid axes are sorted by path with the last varying fastest,
// list points follow, and each point's Model sees its assignments (a distribution
// parameter not written in the file starts from its default).
func TestSweepOrderAndPoints(t *testing.T) {
	src := strings.Replace(base, "  duration: 1h\n", `  duration: 1h
  sweep:
    grid:
      params.eni.createLatency.median: [30s, 3m]
      fleets.api.count: [5, 7]
    list:
      - {fleets.api.memory: 2GB}
`, 1)
	s, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	pts := s.Sweep()
	var got []string
	for _, p := range pts {
		got = append(got, p.Label())
	}
	want := []string{
		"fleets.api.count=5,params.eni.createLatency.median=30s",
		"fleets.api.count=5,params.eni.createLatency.median=3m",
		"fleets.api.count=7,params.eni.createLatency.median=30s",
		"fleets.api.count=7,params.eni.createLatency.median=3m",
		"fleets.api.memory=2GB",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("points:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	cfg, err := s.Model(pts[3])
	if err != nil {
		t.Fatal(err)
	}
	if n := len(cfg.Accounts[0].Functions); n != 7 {
		t.Errorf("functions = %d, want 7", n)
	}
	// Median 3m; the p99 stays the default's (4m).
	if got := cfg.Params.ENICreate; got.Kind.String() != "lognormal" || absf(math.Exp(got.A)-180) > 1e-6 {
		t.Errorf("ENICreate = %+v, want lognormal with median 180s", got)
	}
	cfg, err = s.Model(pts[4])
	if err != nil {
		t.Fatal(err)
	}
	if m := cfg.Accounts[0].Functions[0].MemoryMB; m != 2048 || len(cfg.Accounts[0].Functions) != 10 {
		t.Errorf("memory %d with %d functions, want 2048 with 10", m, len(cfg.Accounts[0].Functions))
	}
}

// TestHashCanonical: comments, key order and formatting do not change the hash; a value does.
func TestHashCanonical(t *testing.T) {
	a, err := Parse("a.yaml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	reordered := "# a comment\n" + strings.Replace(base, "    count: 10\n    role: r\n", "    role: r\n    count: 10\n", 1)
	b, err := Parse("b.yaml", []byte(reordered))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse("a.yaml", []byte(strings.Replace(base, "count: 10", "count: 11", 1)))
	if err != nil {
		t.Fatal(err)
	}
	b.Name = a.Name
	if a.Hash() != b.Hash() {
		t.Error("reordering keys and adding a comment changed the hash")
	}
	if a.Hash() == c.Hash() {
		t.Error("changing count did not change the hash")
	}
}

// TestUnits pins the unit syntax.
func TestUnits(t *testing.T) {
	durs := map[string]time.Duration{"90s": 90 * time.Second, "10m": 10 * time.Minute, "14d": 14 * 24 * time.Hour, "1h30m": 90 * time.Minute, "250ms": 250 * time.Millisecond, "2w": 14 * 24 * time.Hour, "0": 0}
	for s, want := range durs {
		if got, err := parseDuration(s); err != nil || got != want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"90", "5 parsecs", "", "m"} {
		if _, err := parseDuration(s); err == nil {
			t.Errorf("parseDuration(%q) accepted", s)
		}
	}
	rates := map[string]float64{"2/min": 2.0 / 60, "50/s": 50, "1000/h": 1000.0 / 3600, "1/5m": 1.0 / 300, "3/d": 3.0 / 86400}
	for s, want := range rates {
		if got, err := parseRate(s); err != nil || absf(got-want) > 1e-12 {
			t.Errorf("parseRate(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	sizes := map[string]int64{"512": 512, "512MB": 512, "2GB": 2048, "1.5GB": 1536}
	for s, want := range sizes {
		if got, err := parseSizeMB(s); err != nil || got != want {
			t.Errorf("parseSizeMB(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
}

func absf(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
