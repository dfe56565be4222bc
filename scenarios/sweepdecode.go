package scenarios

import (
	"gopkg.in/yaml.v3"
)

// decodeNode reads run.sweep: grid (a mapping of path → list of values) and/or list (a
// list of mappings of path → value). Values stay YAML nodes: a point is applied to the
// document and decoded again, so every sweep value is checked like a written one.
func (s *Sweep) decodeNode(d *decoder, n *yaml.Node, p string) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, p, "", "expected a mapping with grid and/or list, got %s", kindName(n))
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		fp := joinField(p, k.Value)
		d.pos[fp] = pos{v.Line, v.Column}
		switch k.Value {
		case "grid":
			if v.Kind != yaml.MappingNode {
				d.errorf(v, fp, "e.g. grid: {params.eni.createLatency.median: [30s, 75s, 3m]}", "expected a mapping of path → list of values, got %s", kindName(v))
				continue
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				pk, pv := resolve(v.Content[j]), resolve(v.Content[j+1])
				ap := joinField(fp, pk.Value)
				d.pos[ap] = pos{pk.Line, pk.Column}
				if pv.Kind != yaml.SequenceNode || len(pv.Content) == 0 {
					d.errorf(pv, ap, "write the values as a list, e.g. [30s, 75s]", "expected a non-empty list of values, got %s", kindName(pv))
					continue
				}
				ax := SweepAxis{Path: pk.Value}
				for _, e := range pv.Content {
					e = resolve(e)
					ax.Values = append(ax.Values, e)
					ax.Text = append(ax.Text, nodeText(e))
				}
				s.Grid = append(s.Grid, ax)
			}
		case "list":
			if v.Kind != yaml.SequenceNode {
				d.errorf(v, fp, "", "expected a list of points, got %s", kindName(v))
				continue
			}
			for j, e := range v.Content {
				e = resolve(e)
				ep := joinIndex(fp, j)
				if e.Kind != yaml.MappingNode || len(e.Content) == 0 {
					d.errorf(e, ep, "e.g. - {fleets.api.count: 1000}", "expected a mapping of path → value, got %s", kindName(e))
					continue
				}
				var a SweepAssign
				for k := 0; k+1 < len(e.Content); k += 2 {
					pk, pv := resolve(e.Content[k]), resolve(e.Content[k+1])
					d.pos[joinField(ep, pk.Value)] = pos{pk.Line, pk.Column}
					a.Paths = append(a.Paths, pk.Value)
					a.Values = append(a.Values, pv)
					a.Text = append(a.Text, nodeText(pv))
				}
				s.List = append(s.List, a)
			}
		default:
			d.errorf(k, fp, suggest(k.Value, []string{"grid", "list"}), "unknown field %q (sweep has grid, list)", k.Value)
		}
	}
}

// nodeText prints a value node on one line (for point labels and the hash).
func nodeText(n *yaml.Node) string {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode {
		return n.Value
	}
	out, err := yaml.Marshal(n)
	if err != nil {
		return "?"
	}
	// Flow style keeps it on one line.
	c := *n
	setFlow(&c)
	if b, err := yaml.Marshal(&c); err == nil {
		out = b
	}
	s := string(out)
	for len(s) > 0 && s[len(s)-1] == '\n' {
		s = s[:len(s)-1]
	}
	return s
}

// setFlow sets flow style on n and copies of its children (n.Content is replaced, never
// written through, so the original tree is untouched).
func setFlow(n *yaml.Node) {
	n.Style |= yaml.FlowStyle
	n.Content = append([]*yaml.Node(nil), n.Content...)
	for i, c := range n.Content {
		cc := *c
		setFlow(&cc)
		n.Content[i] = &cc
	}
}
