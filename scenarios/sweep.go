package scenarios

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// SweepPoint is one point of a scenario's sweep: the assignments that turn the written
// scenario into this point. A scenario without a sweep has one point with none.
type SweepPoint struct {
	Index  int
	Assign []Assignment
	nodes  []*yaml.Node
}

// Assignment sets the value at a path, e.g. params.eni.createLatency.median=75s.
type Assignment struct {
	Path  string
	Value string
}

func (a Assignment) String() string { return a.Path + "=" + a.Value }

// Label prints the point's assignments, comma-separated ("base" for none).
func (p SweepPoint) Label() string {
	if len(p.Assign) == 0 {
		return "base"
	}
	parts := make([]string, len(p.Assign))
	for i, a := range p.Assign {
		parts[i] = a.String()
	}
	return strings.Join(parts, ",")
}

// Sweep lists the sweep's points in canonical order: first the grid, its axes sorted by
// path and the last axis varying fastest, each axis's values in written order; then the
// list's points in written order. Without a sweep it is the single base point.
func (s *Scenario) Sweep() []SweepPoint {
	sw := s.Run.Sweep
	if sw == nil || len(sw.Grid) == 0 && len(sw.List) == 0 {
		return []SweepPoint{{}}
	}
	var out []SweepPoint
	if len(sw.Grid) > 0 {
		axes := slices.Clone(sw.Grid)
		slices.SortStableFunc(axes, func(a, b SweepAxis) int { return strings.Compare(a.Path, b.Path) })
		idx := make([]int, len(axes))
		for len(out) < maxSweepPoints {
			pt := SweepPoint{Index: len(out)}
			for k, ax := range axes {
				pt.Assign = append(pt.Assign, Assignment{ax.Path, ax.Text[idx[k]]})
				pt.nodes = append(pt.nodes, ax.Values[idx[k]])
			}
			out = append(out, pt)
			k := len(axes) - 1
			for ; k >= 0; k-- {
				idx[k]++
				if idx[k] < len(axes[k].Values) {
					break
				}
				idx[k] = 0
			}
			if k < 0 {
				break
			}
		}
	}
	for _, a := range sw.List {
		if len(out) >= maxSweepPoints {
			break
		}
		pt := SweepPoint{Index: len(out)}
		for k := range a.Paths {
			pt.Assign = append(pt.Assign, Assignment{a.Paths[k], a.Text[k]})
			pt.nodes = append(pt.nodes, a.Values[k])
		}
		out = append(out, pt)
	}
	return out
}

// pointScenario is the scenario at one sweep point, decoded and validated again.
func (s *Scenario) pointScenario(pt SweepPoint, errs *errList) (*Scenario, error) {
	if len(pt.Assign) == 0 {
		return s, nil
	}
	root := cloneNode(s.root, map[*yaml.Node]*yaml.Node{})
	for k, a := range pt.Assign {
		if err := setPath(root, a.Path, pt.nodes[k]); err != nil {
			return nil, fmt.Errorf("sweep point %s: %v", pt.Label(), err)
		}
	}
	// The point is a scenario without a sweep of its own.
	removeKey(resolve(root), "run", "sweep")
	p := &Scenario{Name: s.Name, Source: s.Source, src: s.src, opts: s.opts, traces: s.traces, root: root}
	p.decodeValidate(root, errs, pt.Label())
	return p, nil
}

func removeKey(m *yaml.Node, section, key string) {
	sec := mapGet(m, section)
	if sec == nil {
		return
	}
	sec = resolve(sec)
	for i := 0; i+1 < len(sec.Content); i += 2 {
		if sec.Content[i].Value == key {
			sec.Content = append(sec.Content[:i:i], sec.Content[i+2:]...)
			return
		}
	}
}

func mapGet(m *yaml.Node, key string) *yaml.Node {
	m = resolve(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// cloneNode deep-copies a node tree (aliases become copies of their anchors, so a sweep
// assignment through one never changes another place).
func cloneNode(n *yaml.Node, memo map[*yaml.Node]*yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	n = resolve(n)
	if c, ok := memo[n]; ok {
		return cloneNode2(c)
	}
	c := *n
	c.Anchor = ""
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, k := range n.Content {
		c.Content[i] = cloneNode(k, memo)
	}
	memo[n] = &c
	return &c
}

func cloneNode2(n *yaml.Node) *yaml.Node { return cloneNode(n, map[*yaml.Node]*yaml.Node{}) }

// splitPath splits "fleets.api.count" or "fleets[0].count" into segments.
func splitPath(p string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(p, ".") {
		for part != "" {
			open := strings.IndexByte(part, '[')
			if open < 0 {
				out = append(out, part)
				break
			}
			if open > 0 {
				out = append(out, part[:open])
			}
			end := strings.IndexByte(part, ']')
			if end < open {
				return nil, fmt.Errorf("path %q: unclosed [", p)
			}
			out = append(out, part[open+1:end])
			part = part[end+1:]
		}
		if part == "" && len(out) == 0 {
			return nil, fmt.Errorf("path %q has an empty segment", p)
		}
	}
	for _, s := range out {
		if s == "" {
			return nil, fmt.Errorf("path %q has an empty segment", p)
		}
	}
	return out, nil
}

// checkSweepPath reports whether a path can be assigned in the document.
func checkSweepPath(root *yaml.Node, p string) error {
	if root == nil {
		return nil
	}
	if strings.HasPrefix(p, "run.sweep") {
		return fmt.Errorf("a sweep cannot change the sweep itself")
	}
	c := cloneNode(root, map[*yaml.Node]*yaml.Node{})
	return setPath(c, p, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: ""})
}

// setPath puts val at path in the document, creating missing mappings (a parameter not
// written in the file takes its default first, so params.eni.createLatency.median changes
// only the median of the default lognormal). Sequences of named items are addressed by
// name (fleets.api) or index (fleets.0, fleets[0]); a distribution's parameters are
// addressed directly (createLatency.median), whatever form it was written in.
func setPath(root *yaml.Node, p string, val *yaml.Node) error {
	segs, err := splitPath(p)
	if err != nil {
		return err
	}
	cur := resolve(root)
	for i, seg := range segs {
		last := i == len(segs)-1
		prefix := strings.Join(segs[:i], ".")
		switch cur.Kind {
		case yaml.MappingNode:
			// Step into a distribution's parameters: {lognormal: {median: …}}.
			if isDistMapping(cur) && !isDistKindKey(seg) {
				kind := cur.Content[0].Value
				body := resolve(cur.Content[1])
				if body.Kind == yaml.ScalarNode {
					body = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: body.Line, Column: body.Column,
						Content: []*yaml.Node{scalarAt(distParamNames(kind)[0], body), body}}
					cur.Content[1] = body
				}
				if !contains(distParamNames(kind), seg) {
					return fmt.Errorf("path %q: %s has no parameter %q (it has %s)", p, kind, seg, strings.Join(distParamNames(kind), ", "))
				}
				cur = body
			}
			var child *yaml.Node
			idx := -1
			for k := 0; k+1 < len(cur.Content); k += 2 {
				if cur.Content[k].Value == seg {
					child, idx = cur.Content[k+1], k+1
					break
				}
			}
			if last {
				if idx >= 0 {
					cur.Content[idx] = val
				} else {
					cur.Content = append(cur.Content, scalarAt(seg, val), val)
				}
				return nil
			}
			if child == nil {
				full := prefix + "." + seg
				if prefix == "" {
					full = seg
				}
				if def, ok := defaultDistText(full); ok {
					child = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: def, Line: val.Line, Column: val.Column}
				} else {
					child = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: val.Line, Column: val.Column}
				}
				cur.Content = append(cur.Content, scalarAt(seg, val), child)
				idx = len(cur.Content) - 1
			}
			child = resolve(child)
			if child.Kind == yaml.ScalarNode && child.Tag != "!!null" {
				// A distribution in its one-line form: address its parameters.
				m, err := parseDistText(child)
				if err != nil {
					return fmt.Errorf("path %q: %s is a single value, it has no %q", p, strings.Join(segs[:i+1], "."), segs[i+1])
				}
				child = m
			}
			if child.Kind == yaml.ScalarNode {
				child = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: val.Line, Column: val.Column}
			}
			cur.Content[idx] = child
			cur = child
		case yaml.SequenceNode:
			var child *yaml.Node
			if n, err := strconv.Atoi(seg); err == nil {
				if n < 0 || n >= len(cur.Content) {
					return fmt.Errorf("path %q: index %d is out of range (%s has %d items)", p, n, prefix, len(cur.Content))
				}
				child = cur.Content[n]
				if last {
					cur.Content[n] = val
					return nil
				}
			} else {
				var names []string
				for _, e := range cur.Content {
					nm := mapGet(e, "name")
					if nm == nil {
						continue
					}
					names = append(names, resolve(nm).Value)
					if resolve(nm).Value == seg {
						child = e
						break
					}
				}
				if child == nil {
					hint := suggest(seg, names)
					if hint != "" {
						hint = " (" + hint + ")"
					}
					return fmt.Errorf("path %q: %s has no item named %q%s", p, prefix, seg, hint)
				}
				if last {
					return fmt.Errorf("path %q ends at a whole item; name one of its fields", p)
				}
			}
			cur = resolve(child)
		default:
			return fmt.Errorf("path %q: %s is a single value, it has no %q", p, prefix, seg)
		}
	}
	return nil
}

func scalarAt(v string, at *yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v, Line: at.Line, Column: at.Column}
}

func isDistKindKey(s string) bool { _, ok := distParams[s]; return ok }

func isDistMapping(n *yaml.Node) bool {
	return n.Kind == yaml.MappingNode && len(n.Content) == 2 && isDistKindKey(resolve(n.Content[0]).Value)
}
