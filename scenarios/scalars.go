package scenarios

import (
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// decodeNode methods of the unit types: each reads one scalar and reports a bad one at
// its position with the expected form.

func (x *Duration) decodeNode(d *decoder, n *yaml.Node, p string) {
	if v, ok := decodeNonNegative(d, n, p, "a span such as 90s, 10m or 14d", "", parseDuration); ok {
		*x = Duration(v)
	}
}

func (x *Rate) decodeNode(d *decoder, n *yaml.Node, p string) {
	if v, ok := decodeNonNegative(d, n, p, "a rate such as 2/min", "write e.g. 2/min, 50/s or 1000/h", parseRate); ok {
		*x = Rate(v)
	}
}

func (x *Size) decodeNode(d *decoder, n *yaml.Node, p string) {
	if v, ok := decodeNonNegative(d, n, p, "a size such as 512MB", "", parseSizeMB); ok {
		*x = Size(v)
	}
}

// decodeNonNegative reads one scalar with parse and reports, at the node's position, a
// non-scalar (expecting want), a parse error (with the fix hint) or a negative value.
func decodeNonNegative[T ~int64 | ~float64](d *decoder, n *yaml.Node, p, want, hint string, parse func(string) (T, error)) (T, bool) {
	s, ok := d.scalar(n, p, want)
	if !ok {
		return 0, false
	}
	v, err := parse(s)
	if err != nil {
		d.errorf(n, p, hint, "%v", err)
		return 0, false
	}
	if v < 0 {
		d.errorf(n, p, "", "must not be negative, got %s", s)
		return 0, false
	}
	return v, true
}

func (x *Bytes) decodeNode(d *decoder, n *yaml.Node, p string) {
	s, ok := d.scalar(n, p, "a size such as 20KB")
	if !ok {
		return
	}
	t := strings.TrimSpace(s)
	mult := 1.0
	for _, u := range []struct {
		s string
		m float64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}} {
		if strings.HasSuffix(t, u.s) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.s)), u.m
			break
		}
	}
	f, err := parseNumber(t)
	if err != nil || f < 0 || f*mult > 1<<50 {
		d.errorf(n, p, "", "%q is not a non-negative size (want e.g. 512, 20KB, 1.5MB)", s)
		return
	}
	*x = Bytes(f * mult)
}

func (x *CIDR) decodeNode(d *decoder, n *yaml.Node, p string) {
	s, ok := d.scalar(n, p, "a CIDR block such as 10.0.0.0/16")
	if !ok {
		return
	}
	v, err := parseCIDR(s)
	if err != nil {
		d.errorf(n, p, "", "%v", err)
		return
	}
	x.Prefix = v
}

func reflectValue(ptr any) reflect.Value { return reflect.ValueOf(ptr).Elem() }
