package azureday

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/scenarios"
	"github.com/enisim/enisim/sim"
)

// hasher is a model.Observer that folds every record into a sha256, in the order the
// model emits them. fmt prints maps (IntervalStats.Errors) with sorted keys, so the text
// of a record is deterministic.
type hasher struct {
	h hash.Hash
	n int64
}

func (o *hasher) rec(kind string, r any) {
	o.n++
	fmt.Fprintf(o.h, "%s %+v\n", kind, r)
}

func (o *hasher) ENISample(r model.ENISample)       { o.rec("eni-sample", r) }
func (o *hasher) SubnetSample(r model.SubnetSample) { o.rec("subnet-sample", r) }
func (o *hasher) StateChange(r model.StateChange)   { o.rec("state", r) }
func (o *hasher) Operation(r model.Operation)       { o.rec("op", r) }
func (o *hasher) ENIEvent(r model.ENIEvent)         { o.rec("eni", r) }

// Interval hashes the record as it printed before IntervalStats gained its Latency
// histogram pointer (an address the model reuses; the histogram's content is what
// LatencyP50/P99 summarise), so the hashes recorded at 2c3eb80 still apply.
func (o *hasher) Interval(r model.IntervalStats) {
	r.Latency = nil
	o.n++
	fmt.Fprintf(o.h, "%s %s\n", "interval", strings.Replace(fmt.Sprintf("%+v", r), " Latency:<nil>", "", 1))
}
func (o *hasher) Invocation(r model.Invocation) { o.rec("inv", r) }

// azureDayHash runs the azure-trace scenario's model up to the simulated time until with
// every invocation reported (PerInvocation = 1: that draws no random number, so it
// changes nothing else) and returns the sha256 of all observations, their number and the
// invocations counted.
func azureDayHash(t testing.TB, until time.Duration) (string, int64, int64) {
	sc, err := scenarios.Builtin("azure-trace")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := sc.Model(sc.Sweep()[0])
	if err != nil {
		t.Fatal(err)
	}
	cfg.PerInvocation = 1
	o := &hasher{h: sha256.New()}
	var inv int64
	for _, pc := range cfg.Partitions() {
		m, err := model.New(pc, sim.Seed(sc.Settings().Seed), o)
		if err != nil {
			t.Fatal(err)
		}
		q := sim.NewQueue(1 << 16)
		if err := m.Start(q); err != nil {
			t.Fatal(err)
		}
		if _, err := sim.Run(q, m, sim.Bounds{Until: sim.Time(until)}, nil); err != nil {
			t.Fatal(err)
		}
		m.Finish(sim.Time(until))
		inv += m.Counters().Invocations
	}
	return hex.EncodeToString(o.h.Sum(nil)), o.n, inv
}

// TestAzureDayObservationsUnchanged pins the observations (every invocation, interval,
// sample, ENI event) of the Azure 2019 day through the full model, so speed work on the
// hot path can show it changed no result bit for bit. The first ten simulated minutes run
// by default (a few seconds, also under -race); ENISIM_AZURE_DAY_FULL=1 runs the whole day as well (about a minute). The
// hashes were recorded at commit 2c3eb80, before the issue 6 hot-path work; a change
// that means to alter results must re-record them and say why.
func TestAzureDayObservationsUnchanged(t *testing.T) {
	if _, err := os.Stat(trace); err != nil {
		t.Skip("../shared/traces not found: the Azure 2019 trace is read from ../shared/traces beside the repository")
	}
	cases := []struct {
		until      time.Duration
		hash       string
		records    int64
		invocation int64
	}{
		{10 * time.Minute, "f80fe9eddc6cc68fed0c742dad8c9f84f4966a4d6e0f13c020ee8744081c5d7a", 333_341, 332_920},
	}
	if os.Getenv("ENISIM_AZURE_DAY_FULL") == "1" {
		cases = append(cases, struct {
			until      time.Duration
			hash       string
			records    int64
			invocation int64
		}{24 * time.Hour, "87b9794dff10252b91ad0d9bdf02c0fc9636fadb2d3d8f50e48760198297e81f", 11_595_448, 11_639_447})
	}
	for _, c := range cases {
		h, n, inv := azureDayHash(t, c.until)
		if h != c.hash || n != c.records || inv != c.invocation {
			t.Errorf("first %v of the Azure day: sha256 %s over %d records, %d invocations; recorded %s over %d records, %d invocations",
				c.until, h, n, inv, c.hash, c.records, c.invocation)
		}
	}
}
