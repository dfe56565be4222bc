package results

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the generated column reference in docs/results.md")

const (
	docsPath     = "../docs/results.md"
	columnsBegin = "<!-- columns:begin (generated from results.Tables: go test ./results -run TestDocsColumns -update) -->"
	columnsEnd   = "<!-- columns:end -->"
)

// columnsMarkdown renders every table and column of Tables as the docs show them.
func columnsMarkdown() string {
	var b strings.Builder
	for _, t := range Tables {
		fmt.Fprintf(&b, "\n### `%s`\n\n%s.\n\n| column | type | unit | meaning |\n|---|---|---|---|\n", t.Name, t.Doc)
		for _, c := range t.Columns {
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", c.Name, c.Type, c.Unit, c.Doc)
		}
	}
	return b.String()
}

// TestDocsColumns keeps the column reference in docs/results.md identical to Tables.
func TestDocsColumns(t *testing.T) {
	doc, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(doc, []byte(columnsBegin))
	j := bytes.Index(doc, []byte(columnsEnd))
	if i < 0 || j < i {
		t.Fatalf("%s: column markers missing", docsPath)
	}
	gen := columnsMarkdown() + "\n"
	cur := string(doc[i+len(columnsBegin) : j])
	if cur == gen {
		return
	}
	if !*update {
		t.Fatalf("%s: column reference is stale; run go test ./results -run TestDocsColumns -update", docsPath)
	}
	out := string(doc[:i+len(columnsBegin)]) + gen + string(doc[j:])
	if err := os.WriteFile(docsPath, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
}
