package scenarios

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"math"
	"path"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/enisim/enisim/sim"
)

// Dist is a distribution of spans, as a model parameter. It is written
//
//	10s                                   a constant (also const{10s} or {const: 10s})
//	exp{mean: 10m}                        exponential ({exp: {mean: 10m}}, exp{10m})
//	lognormal{median: 75s, p99: 5m}       lognormal by median and 99th percentile
//	lognormal{median: 75s, sigma: 0.6}    lognormal by median and σ of the log
//	weibull{scale: 1m, shape: 1.5}
//	pareto{scale: 1s, shape: 1.2}
//	uniform{min: 1s, max: 3s}
//	empirical{file: create-times.txt}     one span per line, drawn uniformly
//	empirical{values: [60s, 75s, 106s]}
//
// In the one-line form "key=value" works as well as "key: value"; a one-line form that
// contains ": " must be quoted in YAML, or written as a mapping ({lognormal: {…}}).
type Dist struct {
	sim.Dist
	// Spec is the canonical one-line form, e.g. "lognormal{median: 1m15s, p99: 5m0s}".
	Spec string `json:"spec"`
}

// distParams lists each kind's parameters and whether each is a span (else a number).
var distParams = map[string][]struct {
	name string
	span bool
}{
	"const":     {{"value", true}},
	"exp":       {{"mean", true}},
	"lognormal": {{"median", true}, {"p99", true}, {"sigma", false}},
	"weibull":   {{"scale", true}, {"shape", false}},
	"pareto":    {{"scale", true}, {"shape", false}},
	"uniform":   {{"min", true}, {"max", true}},
	"empirical": {{"file", false}, {"values", false}},
}

var distKinds = []string{"const", "exp", "lognormal", "weibull", "pareto", "uniform", "empirical"}

func distParamNames(kind string) []string {
	var out []string
	for _, p := range distParams[kind] {
		out = append(out, p.name)
	}
	return out
}

func (x *Dist) decodeNode(d *decoder, n *yaml.Node, p string) {
	m, ok := distMapping(d, n, p)
	if !ok {
		return
	}
	x.fromMapping(d, m, p)
}

// distMapping turns any written form into the mapping form {kind: {param: value}}, whose
// nodes carry the original position. Sweeps use it to address distribution parameters.
func distMapping(d *decoder, n *yaml.Node, p string) (*yaml.Node, bool) {
	n = resolve(n)
	switch n.Kind {
	case yaml.MappingNode:
		return n, true
	case yaml.ScalarNode:
		m, err := parseDistText(n)
		if err != nil {
			d.errorf(n, p, "write e.g. 10s, exp{mean: 10m} or lognormal{median: 75s, p99: 5m}", "%v", err)
			return nil, false
		}
		return m, true
	}
	d.errorf(n, p, "", "expected a distribution such as lognormal{median: 75s, p99: 5m}, got %s", kindName(n))
	return nil, false
}

// parseDistText parses the one-line form into the mapping form.
func parseDistText(n *yaml.Node) (*yaml.Node, error) {
	s := strings.TrimSpace(n.Value)
	at := func(v string) *yaml.Node {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v, Line: n.Line, Column: n.Column}
	}
	mapping := func(kids ...*yaml.Node) *yaml.Node {
		return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: kids, Line: n.Line, Column: n.Column}
	}
	open := strings.IndexByte(s, '{')
	if open < 0 {
		// A bare span is a constant.
		if _, err := parseDuration(s); err != nil {
			if _, ok := distParams[s]; ok {
				return nil, fmt.Errorf("distribution %q needs its parameters in braces, e.g. %s{…}", s, s)
			}
			return nil, fmt.Errorf("%q is neither a span nor a distribution", s)
		}
		return mapping(at("const"), at(s)), nil
	}
	if !strings.HasSuffix(s, "}") {
		return nil, fmt.Errorf("%q: missing closing brace", s)
	}
	kind := strings.TrimSpace(s[:open])
	body := strings.TrimSpace(s[open+1 : len(s)-1])
	params := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line, Column: n.Column}
	if body == "" {
		return mapping(at(kind), params), nil
	}
	parts := splitTopLevel(body)
	if len(parts) == 1 && !strings.ContainsAny(parts[0], ":=") {
		// const{10s}, exp{10m}: the one parameter without its name.
		return mapping(at(kind), at(strings.TrimSpace(parts[0]))), nil
	}
	for _, part := range parts {
		k, v, ok := strings.Cut(part, "=")
		if !ok || strings.Contains(k, ":") {
			k, v, ok = strings.Cut(part, ":")
		}
		if !ok {
			return nil, fmt.Errorf("%q: parameter %q has no value (write name: value)", s, strings.TrimSpace(part))
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		var vn *yaml.Node
		if strings.HasPrefix(v, "[") && strings.HasSuffix(v, "]") {
			vn = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: n.Line, Column: n.Column}
			for _, e := range strings.Split(v[1:len(v)-1], ",") {
				if e = strings.TrimSpace(e); e != "" {
					vn.Content = append(vn.Content, at(e))
				}
			}
		} else {
			vn = at(strings.Trim(v, `"'`))
		}
		params.Content = append(params.Content, at(k), vn)
	}
	return mapping(at(kind), params), nil
}

// splitTopLevel splits on commas outside brackets and quotes.
func splitTopLevel(s string) []string {
	var out []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == ',' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func (x *Dist) fromMapping(d *decoder, m *yaml.Node, p string) {
	if len(m.Content) != 2 {
		d.errorf(m, p, "write e.g. {lognormal: {median: 75s, p99: 5m}}", "a distribution is one kind with its parameters, got %d keys", len(m.Content)/2)
		return
	}
	kn, body := resolve(m.Content[0]), resolve(m.Content[1])
	kind := kn.Value
	if _, ok := distParams[kind]; !ok {
		d.errorf(kn, p, suggest(kind, distKinds), "unknown distribution %q (want one of %s)", kind, strings.Join(distKinds, ", "))
		return
	}
	vals := map[string]*yaml.Node{}
	switch {
	case body.Kind == yaml.ScalarNode && (kind == "const" || kind == "exp"):
		vals[distParamNames(kind)[0]] = body
	case body.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(body.Content); i += 2 {
			k := resolve(body.Content[i])
			if !contains(distParamNames(kind), k.Value) {
				d.errorf(k, joinField(p, k.Value), suggest(k.Value, distParamNames(kind)), "unknown parameter %q of %s (want %s)", k.Value, kind, strings.Join(distParamNames(kind), ", "))
				continue
			}
			vals[k.Value] = resolve(body.Content[i+1])
		}
	default:
		d.errorf(body, p, "", "expected the parameters of %s (%s), got %s", kind, strings.Join(distParamNames(kind), ", "), kindName(body))
		return
	}
	bad := false
	span := func(name string, required bool) float64 {
		v, ok := vals[name]
		if !ok {
			if required {
				d.errorf(m, p, "", "%s needs %s", kind, name)
				bad = true
			}
			return math.NaN()
		}
		pp := joinField(p, name)
		dur, err := parseDuration(v.Value)
		if v.Kind != yaml.ScalarNode || err != nil {
			d.errorf(v, pp, "", "%s: expected a span such as 75s, got %s", name, kindName(v))
			bad = true
			return math.NaN()
		}
		if dur < 0 {
			d.errorf(v, pp, "", "%s must not be negative, got %s", name, v.Value)
			bad = true
		}
		return dur.Seconds()
	}
	number := func(name string, required bool) float64 {
		v, ok := vals[name]
		if !ok {
			if required {
				d.errorf(m, p, "", "%s needs %s", kind, name)
				bad = true
			}
			return math.NaN()
		}
		f, err := parseNumber(v.Value)
		if v.Kind != yaml.ScalarNode || err != nil {
			d.errorf(v, joinField(p, name), "", "%s: expected a number, got %s", name, kindName(v))
			bad = true
			return math.NaN()
		}
		return f
	}
	positive := func(name string, v float64, strict bool) {
		if math.IsNaN(v) {
			return
		}
		if v < 0 || strict && v == 0 {
			want := "must not be negative"
			if strict {
				want = "must be positive"
			}
			d.errorf(vals[name], joinField(p, name), "", "%s %s, got %s", name, want, vals[name].Value)
			bad = true
		}
	}
	var sd sim.Dist
	switch kind {
	case "const":
		v := span("value", true)
		sd = sim.Dist{Kind: sim.DistConst, A: v}
		x.Spec = fmt.Sprintf("const{%s}", secs(v))
	case "exp":
		v := span("mean", true)
		positive("mean", v, true)
		sd = sim.Dist{Kind: sim.DistExp, A: v}
		x.Spec = fmt.Sprintf("exp{mean: %s}", secs(v))
	case "lognormal":
		med := span("median", true)
		positive("median", med, true)
		_, hasP99 := vals["p99"]
		_, hasSigma := vals["sigma"]
		switch {
		case hasP99 == hasSigma:
			d.errorf(m, p, "e.g. lognormal{median: 75s, p99: 5m}", "lognormal needs exactly one of p99 and sigma")
			bad = true
		case hasP99:
			p99 := span("p99", true)
			if !bad && p99 < med {
				d.errorf(vals["p99"], joinField(p, "p99"), "", "p99 (%s) must not be below the median (%s)", vals["p99"].Value, vals["median"].Value)
				bad = true
			}
			if !bad {
				sd = sim.LogNormalMedianP99(time.Duration(med*1e9), time.Duration(p99*1e9))
				x.Spec = fmt.Sprintf("lognormal{median: %s, p99: %s}", secs(med), secs(p99))
			}
		default:
			sigma := number("sigma", true)
			positive("sigma", sigma, false)
			if !bad {
				sd = sim.Dist{Kind: sim.DistLogNormal, A: math.Log(med), B: sigma}
				x.Spec = fmt.Sprintf("lognormal{median: %s, sigma: %g}", secs(med), sigma)
			}
		}
	case "weibull", "pareto":
		scale := span("scale", true)
		positive("scale", scale, true)
		shape := number("shape", true)
		positive("shape", shape, true)
		k := sim.DistWeibull
		if kind == "pareto" {
			k = sim.DistPareto
		}
		sd = sim.Dist{Kind: k, A: scale, B: shape}
		x.Spec = fmt.Sprintf("%s{scale: %s, shape: %g}", kind, secs(scale), shape)
	case "uniform":
		lo, hi := span("min", true), span("max", true)
		if !bad && hi < lo {
			d.errorf(vals["max"], joinField(p, "max"), "", "max (%s) must not be below min (%s)", vals["max"].Value, vals["min"].Value)
			bad = true
		}
		sd = sim.Dist{Kind: sim.DistUniform, A: lo, B: hi}
		x.Spec = fmt.Sprintf("uniform{min: %s, max: %s}", secs(lo), secs(hi))
	case "empirical":
		fn, vs := vals["file"], vals["values"]
		var samples []float64
		switch {
		case (fn == nil) == (vs == nil):
			d.errorf(m, p, "e.g. empirical{file: create-times.txt}", "empirical needs exactly one of file and values")
			bad = true
		case fn != nil:
			samples = d.readSamples(fn, joinField(p, "file"))
			x.Spec = fmt.Sprintf("empirical{file: %s}", fn.Value)
		default:
			if vs.Kind != yaml.SequenceNode {
				d.errorf(vs, joinField(p, "values"), "", "expected a list of spans, got %s", kindName(vs))
				bad = true
				break
			}
			for i, e := range vs.Content {
				e = resolve(e)
				dur, err := parseDuration(e.Value)
				if e.Kind != yaml.ScalarNode || err != nil || dur < 0 {
					d.errorf(e, joinIndex(joinField(p, "values"), i), "", "expected a non-negative span such as 75s, got %s", kindName(e))
					bad = true
					continue
				}
				samples = append(samples, dur.Seconds())
			}
			x.Spec = "empirical{values: [" + joinSecs(samples) + "]}"
		}
		if samples == nil {
			bad = true
		}
		sd = sim.Empirical(samples)
	}
	if bad {
		return
	}
	if err := sd.Validate(); err != nil {
		d.errorf(m, p, "", "%v", err)
		return
	}
	x.Dist = sd
}

// readSamples reads an empirical distribution's file: one span per line (75s, 1m40s) or
// a number of seconds; the first comma-separated column is used; blank lines and lines
// starting with # are skipped. The file must be inside the scenario's directory tree.
func (d *decoder) readSamples(n *yaml.Node, p string) []float64 {
	name := n.Value
	if d.files == nil {
		d.errorf(n, p, "load the scenario from a file so relative paths have a directory", "empirical file %q cannot be read: this scenario has no directory", name)
		return nil
	}
	clean := path.Clean(strings.ReplaceAll(name, `\`, "/"))
	if path.IsAbs(clean) || !fs.ValidPath(clean) {
		d.errorf(n, p, "copy the file next to the scenario", "empirical file %q must be a relative path inside the scenario's directory", name)
		return nil
	}
	data, err := fs.ReadFile(d.files, clean)
	if err != nil {
		d.errorf(n, p, "", "empirical file %q: %v", name, unwrapPathError(err))
		return nil
	}
	var out []float64
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		t := strings.TrimSpace(sc.Text())
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		t, _, _ = strings.Cut(t, ",")
		t = strings.TrimSpace(t)
		v, err := strconv.ParseFloat(t, 64)
		if err != nil {
			dur, derr := parseDuration(t)
			if derr != nil {
				if line == 1 {
					continue // a header row
				}
				d.errorf(n, p, "", "empirical file %q line %d: %q is not a span or a number of seconds", name, line, t)
				return nil
			}
			v = dur.Seconds()
		}
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			d.errorf(n, p, "", "empirical file %q line %d: %q must be finite and non-negative", name, line, t)
			return nil
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		d.errorf(n, p, "", "empirical file %q holds no samples", name)
		return nil
	}
	return out
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

func secs(s float64) string {
	if math.IsNaN(s) {
		return "?"
	}
	return formatDuration(time.Duration(math.Round(s * 1e9)))
}

func joinSecs(v []float64) string {
	parts := make([]string, len(v))
	for i, s := range v {
		parts[i] = secs(s)
	}
	return strings.Join(parts, ", ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
