package scenarios

import (
	"fmt"
	"io/fs"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// pos is a 1-based line and column in the scenario file.
type pos struct{ Line, Col int }

// decoder turns a yaml.Node tree into the scenario's Go types by reflection. Unlike
// yaml.v3's own Decode it keeps going after a problem, so every unknown field, wrong type
// and bad unit in a file is reported at once with its position and field path, and it
// remembers where each field was written so that validation can point at it too.
type decoder struct {
	errs *errList
	pos  map[string]pos // field path → position of its value
	keys map[string]pos // field path → position of its key (for "unknown field" and duplicates)
	src  []string       // the file's lines, to map positions inside block scalars
	// files holds the scenario's directory tree (nil for input given as bytes without one):
	// empirical distributions read from it and from nowhere else.
	files fs.FS
}

// nodeDecoder is implemented by types with their own syntax (units, distributions,
// policies, unions); decodeNode reports problems through d and leaves the zero value.
type nodeDecoder interface {
	decodeNode(d *decoder, n *yaml.Node, path string)
}

var nodeDecoderType = reflect.TypeFor[nodeDecoder]()

func (d *decoder) errorf(n *yaml.Node, path, hint, format string, args ...any) {
	line, col := 0, 0
	if n != nil {
		line, col = n.Line, n.Column
	}
	d.errs.add(line, col, path, hint, format, args...)
}

// at reports a problem at the recorded position of path (or of its closest recorded
// parent, so a missing field is reported where its section starts).
func (d *decoder) at(path, hint, format string, args ...any) {
	p := d.lookup(path)
	d.errs.add(p.Line, p.Col, path, hint, format, args...)
}

func (d *decoder) lookup(path string) pos {
	for p := path; ; {
		if q, ok := d.pos[p]; ok {
			return q
		}
		if p == "" {
			return pos{}
		}
		p = parentPath(p)
	}
}

// parentPath strips the last ".field" or "[i]" from a path.
func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

func joinField(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func joinIndex(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

// decode fills v (addressable) from n, recording problems under path.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	n = resolve(n)
	if n == nil {
		return
	}
	d.pos[path] = pos{n.Line, n.Column}
	if v.CanAddr() && v.Addr().Type().Implements(nodeDecoderType) {
		if isNull(n) {
			return
		}
		v.Addr().Interface().(nodeDecoder).decodeNode(d, n, path)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if isNull(n) {
			return
		}
		e := reflect.New(v.Type().Elem())
		d.decode(n, e.Elem(), path)
		v.Set(e)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		if isNull(n) {
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.errorf(n, path, "", "expected a list, got %s", kindName(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, c := range n.Content {
			d.decode(c, s.Index(i), joinIndex(path, i))
		}
		v.Set(s)
	case reflect.String:
		if s, ok := d.scalar(n, path, "a string"); ok {
			v.SetString(s)
		}
	case reflect.Bool:
		s, ok := d.scalar(n, path, "true or false")
		if !ok {
			return
		}
		switch s {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			d.errorf(n, path, "", "expected true or false, got %q", s)
		}
	case reflect.Int, reflect.Int64, reflect.Int32:
		s, ok := d.scalar(n, path, "an integer")
		if !ok {
			return
		}
		i, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 10, 64)
		if err != nil || v.OverflowInt(i) {
			d.errorf(n, path, "", "expected an integer, got %q", s)
			return
		}
		v.SetInt(i)
	case reflect.Uint64:
		s, ok := d.scalar(n, path, "a non-negative integer")
		if !ok {
			return
		}
		u, err := strconv.ParseUint(strings.ReplaceAll(s, "_", ""), 10, 64)
		if err != nil {
			d.errorf(n, path, "", "expected a non-negative integer, got %q", s)
			return
		}
		v.SetUint(u)
	case reflect.Float64:
		s, ok := d.scalar(n, path, "a number")
		if !ok {
			return
		}
		f, err := parseNumber(s)
		if err != nil {
			d.errorf(n, path, "", "expected a number, got %q", s)
			return
		}
		v.SetFloat(f)
	default:
		// A programming error in the scenario types, not bad input.
		panic(fmt.Sprintf("scenarios: cannot decode into %s at %s", v.Type(), path))
	}
}

// parseNumber reads a finite number; "5%" is 0.05.
func parseNumber(s string) (float64, error) {
	pct := strings.HasSuffix(s, "%")
	f, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil || f != f || f > 1e300 || f < -1e300 {
		return 0, fmt.Errorf("not a number")
	}
	if pct {
		f /= 100
	}
	return f, nil
}

// scalar returns n's text when n is a scalar, reporting what was expected otherwise.
func (d *decoder) scalar(n *yaml.Node, path, want string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.errorf(n, path, "", "expected %s, got %s", want, kindName(n))
		return "", false
	}
	return n.Value, true
}

// fieldInfo describes one YAML key of a struct type.
type fieldInfo struct {
	name  string
	index int
}

var fieldCache sync.Map // reflect.Type → []fieldInfo

func fieldsOf(t reflect.Type) []fieldInfo {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]fieldInfo)
	}
	var fs []fieldInfo
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("yaml")
		if tag == "" || tag == "-" || !sf.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		fs = append(fs, fieldInfo{name: name, index: i})
	}
	fieldCache.Store(t, fs)
	return fs
}

func fieldNames(fs []fieldInfo) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.name
	}
	return out
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "", "expected a mapping with fields %s, got %s", strings.Join(fieldNames(fieldsOf(v.Type())), ", "), kindName(n))
		return
	}
	fs := fieldsOf(v.Type())
	seen := map[string]bool{}
	var meant []string // fields that unknown keys look like typos of
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := resolve(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, path, "", "a field name must be a plain word, got %s", kindName(k))
			continue
		}
		if k.Value == "<<" {
			d.errorf(k, path, "repeat the fields or use an alias of the whole mapping", "merge keys (<<) are not supported")
			continue
		}
		fp := joinField(path, k.Value)
		var f *fieldInfo
		for j := range fs {
			if fs[j].name == k.Value {
				f = &fs[j]
				break
			}
		}
		if f == nil {
			d.errorf(k, fp, suggest(k.Value, fieldNames(fs)), "unknown field %q (%s has %s)", k.Value, describe(path), strings.Join(fieldNames(fs), ", "))
			if c := closest(k.Value, fieldNames(fs)); c != "" {
				meant = append(meant, c)
			}
			continue
		}
		if seen[k.Value] {
			d.errorf(k, fp, "remove one of them", "field %q is given twice", k.Value)
			continue
		}
		seen[k.Value] = true
		d.keys[fp] = pos{k.Line, k.Column}
		d.decode(val, v.Field(f.index), fp)
	}
	// "cuont: 10" is one mistake: the count it meant is not also "missing". A field that
	// is written as well keeps its own checks.
	for _, c := range meant {
		if !seen[c] {
			d.errs.markBad(joinField(path, c))
		}
	}
}

func describe(path string) string {
	if path == "" {
		return "a scenario"
	}
	return "this section"
}
