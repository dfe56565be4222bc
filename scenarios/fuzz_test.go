package scenarios

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// Every FuzzParse input is parsed, validated and (when small enough) converted. Why the
// bounds below: profiling showed Parse costs about 0.25 ms for the 700-byte base scenario
// and 1–3 ms for a 3–5 KB library file (half of it in the YAML library), and conversion is
// linear in the number of functions (then about 5–8 µs each, 1.1 µs since Functions is
// sized up front: 0.11 s for count: 100000; the mutator turned "count: 20" into
// "count: 2000000", which took 47 s). With the library files as
// seeds, the fuzzer spent its first minute minimising one 5 KB seed at ~1 ms per try
// (minimisation runs are not counted), so it reported 16 execs in 20 s. The library is
// checked by TestLibrary and the golden files instead; the seeds here are small. Run it
// with -fuzzminimizetime 3s: minimising a new input takes thousands of executions, which
// the fuzzer does not count, and the default 60 s budget makes it look stalled.
const (
	// fuzzMaxInput skips inputs larger than this: the mutator grows inputs, and a large
	// one costs milliseconds without reaching new code.
	fuzzMaxInput = 2048
	// fuzzMaxFunctions bounds the scenarios converted with Model.
	fuzzMaxFunctions = 2000
	// fuzzMaxPoints bounds the sweep points converted per input.
	fuzzMaxPoints = 8
)

// fuzzRich is a compact seed touching most sections: a timeline, a principal with a
// policy, connections, a workload with every modifier, faults, params and a sweep.
const fuzzRich = `accounts:
  - name: p
    concurrency: 50
    vpcs:
      - name: v
        cidr: 10.0.0.0/16
        subnets:
          - {name: a, az: z1, cidr: 10.0.1.0/24, route: nat, endpoints: [s3]}
          - {name: b, az: z2, cidr: 10.0.2.0/24, route: public}
        securityGroups: [g]
roles:
  - {name: r, managed: [AWSLambdaVPCAccessExecutionRole]}
principals:
  - name: d
    policies:
      - name: x
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"lambda:SubnetIds":["a"]}}}]}'
fleets:
  - name: f
    count: 3
    start: absent
    role: r
    vpcConfig: {SubnetIds: [a], SecurityGroupIds: [g]}
    connections: {mode: per-invocation, targets: [{name: t, kind: s3, tls: "1.3"}, {name: i, kind: internet}]}
    workload:
      rate: 2/min
      spread: {kind: pareto, shape: 1.5}
      diurnal: {period: 1d, amplitude: 0.5, peak: 14h}
      bursts: [{at: 1h, for: 5m, factor: 10}]
      quiet: [{fraction: 25%, from: 2h, to: 3h}]
      service: lognormal{median=1s,p99=5s}
timeline:
  - {at: 1m, op: CreateFunction, by: d, functions: f, over: 1m}
  - {at: 1h, op: UpdateFunctionConfiguration, functions: {fleet: f, fraction: 0.5}, memory: 2GB}
  - {at: 2h, op: DeleteRolePolicy, role: r, policyName: AWSLambdaVPCAccessExecutionRole}
  - {at: 3h, op: SetQuota, quota: vpcENIs, vpc: v, value: 2}
faults:
  - eniCreateFailure: {probability: 0.1}
  - subnetIPLoss: {at: 1h, subnet: a, ips: 10}
params:
  eni:
    createLatency: exp{mean=1m}
    idleReclaimAfter: 1d
run:
  duration: 4h
  sweep:
    grid: {fleets.f.count: [1, 2]}
`

// FuzzParse: no input makes Parse panic, every failure is an *Errors wrapping ErrInvalid,
// and a scenario that parses converts (every sweep point, when small enough) without an
// error other than ErrInvalid. Seeds are base, fuzzRich and testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add([]byte(base))
	f.Add([]byte(fuzzRich))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > fuzzMaxInput {
			return
		}
		s, err := Parse("fuzz.yaml", data)
		if err != nil {
			var es *Errors
			if !errors.As(err, &es) || !errors.Is(err, ErrInvalid) || len(es.List) == 0 {
				t.Fatalf("error is not a non-empty *Errors: %T %v", err, err)
			}
			return
		}
		_ = s.Hash()
		for k, pt := range s.Sweep() {
			if k == fuzzMaxPoints {
				break
			}
			// Model(pt) is pointScenario + toModel; split here to look at the count first.
			errs := &errList{file: s.Source}
			p, err := s.pointScenario(pt, errs)
			if err != nil || errs.err() != nil {
				t.Fatalf("point %s was validated by Parse but fails now: %v %v", pt.Label(), err, errs.err())
			}
			if functionCount(p) > fuzzMaxFunctions {
				continue
			}
			if _, err := p.toModel(0, false); err != nil && !errors.Is(err, ErrInvalid) {
				t.Fatalf("Model(%s): %v", pt.Label(), err)
			}
		}
	})
}

// functionCount is the number of functions a scenario's fleets declare (a trace fleet
// counts its count, or 0 when it takes the whole trace).
func functionCount(s *Scenario) int {
	n := 0
	for _, f := range s.Fleets {
		n += f.Count
	}
	return n
}

// FuzzUnits: the unit parsers never panic, and what they accept is consistent:
// a duration prints and parses back to itself (to float rounding), a rate is finite
// and non-negative for a non-negative count, a memory size is within its bound, a CIDR
// has no host bits, and an accepted distribution validates and samples finite,
// non-negative values.
func FuzzUnits(f *testing.F) {
	for _, s := range []string{"90s", "10min", "1h30m", "14d", "2w", "250ms", "0", "-5m", "1.5µs",
		"2/min", "50/s", "1/8m", "3/d", "512", "512MB", "2GB", "1.5TB", "10.0.1.0/24",
		"2600:1f18::/56", "exp{mean: 10m}", "lognormal{median=75s,p99=5m}", "lognormal{median: 75s, sigma: 0.6}",
		"weibull{scale: 1m, shape: 1.5}", "pareto{scale=1s,shape=1.2}", "uniform{min: 1s, max: 3s}",
		"empirical{values: [60s, 75s, 106s]}", "const{10s}", "20KB", "1.5MiB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := parseDuration(s); err == nil {
			back, err := parseDuration(formatDuration(d))
			if err != nil {
				t.Fatalf("parseDuration(%q) = %v, which prints as %q and does not parse back: %v", s, d, formatDuration(d), err)
			}
			if diff := math.Abs(float64(back - d)); diff > 2+math.Abs(float64(d))*1e-14 {
				t.Fatalf("parseDuration(%q) = %v, printed %q, parsed back %v", s, d, formatDuration(d), back)
			}
		}
		if r, err := parseRate(s); err == nil {
			if math.IsNaN(r) || math.IsInf(r, 0) {
				t.Fatalf("parseRate(%q) = %v", s, r)
			}
			if r < 0 && !strings.Contains(s, "-") {
				t.Fatalf("parseRate(%q) = %v < 0 without a minus sign", s, r)
			}
		}
		if mb, err := parseSizeMB(s); err == nil && (mb < 0 || mb > 1<<40) {
			t.Fatalf("parseSizeMB(%q) = %d", s, mb)
		}
		if p, err := parseCIDR(s); err == nil && p.Masked() != p {
			t.Fatalf("parseCIDR(%q) = %v has host bits", s, p)
		}
		// Distributions and data sizes go through their YAML decoders, as in a file.
		n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Line: 1, Column: 1}
		d := &decoder{errs: &errList{file: "fuzz"}, pos: map[string]pos{}, keys: map[string]pos{}}
		var x Dist
		x.decodeNode(d, n, "dist")
		if len(d.errs.list) == 0 {
			if err := x.Dist.Validate(); err != nil {
				t.Fatalf("distribution %q accepted but invalid: %v", s, err)
			}
			src := rand.NewPCG(1, 2)
			for range 8 {
				v := x.Dist.Sample(src)
				if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
					t.Fatalf("distribution %q sampled %v", s, v)
				}
				_ = x.Dist.Duration(src)
			}
		}
		d.errs.list = nil
		var b Bytes
		b.decodeNode(d, n, "bytes")
		if len(d.errs.list) == 0 && (b < 0 || b > 1<<50) {
			t.Fatalf("data size %q = %d", s, b)
		}
	})
}

// TestFuzzSeeds: the in-code seeds are valid scenarios within the fuzz input bound, so
// the fuzzer starts from inputs that reach conversion.
func TestFuzzSeeds(t *testing.T) {
	for name, src := range map[string]string{"base": base, "fuzzRich": fuzzRich} {
		if len(src) > fuzzMaxInput {
			t.Errorf("%s: %d bytes, above fuzzMaxInput %d", name, len(src), fuzzMaxInput)
		}
		s, err := Parse(name+".yaml", []byte(src))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, pt := range s.Sweep() {
			if _, err := s.Model(pt); err != nil {
				t.Fatalf("%s point %s: %v", name, pt.Label(), err)
			}
		}
	}
}
