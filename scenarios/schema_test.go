package scenarios

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"sort"
	"testing"

	"gopkg.in/yaml.v3"
)

type schemaNode struct {
	Properties map[string]*schemaNode `json:"properties"`
	Items      *schemaNode            `json:"items"`
	OneOf      []*schemaNode          `json:"oneOf"`
}

// TestSchemaMatchesTypes: docs/scenario.schema.json names exactly the YAML fields of the
// Go types, recursively, so the editor schema cannot drift from the parser; and every
// library file's keys are allowed by it.
func TestSchemaMatchesTypes(t *testing.T) {
	data, err := os.ReadFile("../docs/scenario.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var root schemaNode
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	var walk func(path string, typ reflect.Type, n *schemaNode)
	walk = func(path string, typ reflect.Type, n *schemaNode) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
			if n.Items != nil {
				n = n.Items
			}
		}
		if typ.Kind() != reflect.Struct || reflect.PointerTo(typ).Implements(nodeDecoderType) && typ != reflect.TypeFor[Selector]() {
			return
		}
		if typ == reflect.TypeFor[Selector]() {
			for _, o := range n.OneOf {
				if o.Properties != nil {
					n = o
				}
			}
		}
		var fields []string
		for _, f := range fieldsOf(typ) {
			fields = append(fields, f.name)
			sub, ok := n.Properties[f.name]
			if !ok {
				t.Errorf("schema lacks %s.%s", path, f.name)
				continue
			}
			walk(joinField(path, f.name), typ.Field(f.index).Type, sub)
		}
		var props []string
		for k := range n.Properties {
			props = append(props, k)
		}
		sort.Strings(props)
		for _, p := range props {
			if !slices.Contains(fields, p) {
				t.Errorf("schema has %s.%s, which the parser rejects", path, p)
			}
		}
	}
	walk("", reflect.TypeFor[Scenario](), &root)

	for _, name := range BuiltinNames() {
		src, _ := BuiltinSource(name)
		var doc yaml.Node
		if err := yaml.Unmarshal(src, &doc); err != nil {
			t.Fatal(err)
		}
		m := doc.Content[0]
		for i := 0; i < len(m.Content); i += 2 {
			if _, ok := root.Properties[m.Content[i].Value]; !ok {
				t.Errorf("%s: top-level key %q is not in the schema", name, m.Content[i].Value)
			}
		}
	}
}
