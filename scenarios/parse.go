package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// library holds the built-in scenarios, so `enisim run default` works from any directory.
//
//go:embed library/*.yaml
var library embed.FS

// options say where a scenario's relative paths point.
type options struct {
	// files is the scenario's directory tree for empirical distributions (nil: none).
	files fs.FS
	// traceDir resolves relative trace paths, then its parents; "" means the working
	// directory and, for built-ins, its parents (so ../shared/traces works from anywhere
	// in the repository).
	traceDir      string
	searchParents bool
}

// BuiltinNames lists the embedded library's scenarios, sorted.
func BuiltinNames() []string {
	ents, err := fs.ReadDir(library, "library")
	if err != nil {
		panic(err) // the embedded directory exists at build time
	}
	var out []string
	for _, e := range ents {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// BuiltinSource returns a built-in scenario's YAML text.
func BuiltinSource(name string) ([]byte, error) {
	data, err := fs.ReadFile(library, "library/"+name+".yaml")
	if err != nil {
		hint := suggest(name, BuiltinNames())
		if hint != "" {
			hint = " (" + hint + ")"
		}
		return nil, fmt.Errorf("%w: no built-in scenario %q%s; built-ins: %s", ErrInvalid, name, hint, strings.Join(BuiltinNames(), ", "))
	}
	return data, nil
}

// Builtin parses and validates an embedded scenario. Relative trace paths in it are
// resolved against the working directory and its parents.
func Builtin(name string) (*Scenario, error) {
	data, err := BuiltinSource(name)
	if err != nil {
		return nil, err
	}
	sub, _ := fs.Sub(library, "library")
	return parse("builtin:"+name, name, data, options{files: sub, searchParents: true})
}

// Load reads a scenario file. A name that is not an existing file and has no path
// separator or .yaml extension is looked up in the built-in library ("default").
func Load(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && looksLikeName(path) {
			return Builtin(path)
		}
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	dir := filepath.Dir(path)
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open scenario directory: %w", err)
	}
	// os.Root refuses paths (and symlinks) that leave dir: empirical files are read from
	// the scenario's directory tree and nowhere else.
	return parse(path, scenarioName(path), data, options{files: root.FS(), traceDir: dir})
}

// Parse parses and validates scenario text. name is used in error positions and as the
// scenario's name; relative trace paths resolve against the working directory and
// empirical files are unavailable (use Load for a scenario that has a directory).
func Parse(name string, data []byte) (*Scenario, error) {
	return parse(name, scenarioName(name), data, options{})
}

func looksLikeName(p string) bool {
	return !strings.ContainsAny(p, `/\`) && !strings.HasSuffix(p, ".yaml") && !strings.HasSuffix(p, ".yml")
}

func scenarioName(p string) string {
	b := filepath.Base(p)
	b = strings.TrimSuffix(b, ".yaml")
	return strings.TrimSuffix(b, ".yml")
}

var yamlLine = regexp.MustCompile(`line (\d+)(?::(\d+))?: `)

func parse(file, name string, data []byte, o options) (s *Scenario, err error) {
	errs := &errList{file: file}
	var doc yaml.Node
	if uerr := unmarshalSafely(data, &doc); uerr != nil {
		msg := strings.TrimPrefix(uerr.Error(), "yaml: ")
		line, col := 1, 1
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			if m[2] != "" {
				col, _ = strconv.Atoi(m[2])
			}
			msg = strings.Replace(msg, m[0], "", 1)
		}
		errs.add(line, col, "", "", "YAML syntax: %s", msg)
		return nil, errs.err()
	}
	if len(doc.Content) == 0 {
		errs.add(1, 1, "", "start from `enisim validate default` or docs/scenarios.md", "empty scenario")
		return nil, errs.err()
	}
	s = &Scenario{Name: name, Source: file, src: data, opts: o, traces: map[string]*traceInfo{}}
	s.root = doc.Content[0]
	s.decodeValidate(s.root, errs, "")
	if len(errs.list) == 0 && s.Run.Sweep != nil {
		// Each point is the document with its assignments applied, decoded and
		// validated again: a bad sweep value is reported like a bad written value.
		for _, pt := range s.Sweep() {
			pointErrs := &errList{file: file}
			if _, perr := s.pointScenario(pt, pointErrs); perr != nil {
				errs.add(0, 0, "run.sweep", "", "%v", perr)
			}
			for _, e := range pointErrs.list {
				where := fmt.Sprintf("in sweep point %d (%s)", pt.Index, pt.Label())
				if e.Hint != "" {
					where = e.Hint + "; " + where
				}
				e.Hint = where
				errs.list = append(errs.list, e)
			}
		}
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return s, nil
}

// unmarshalSafely parses YAML; a panic inside the YAML library on hostile input becomes an
// error rather than a crash.
func unmarshalSafely(data []byte, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: cannot parse: %v", r)
		}
	}()
	return yaml.Unmarshal(data, n)
}

// decodeValidate decodes root into s and validates it, collecting every problem in errs.
func (s *Scenario) decodeValidate(root *yaml.Node, errs *errList, _ string) {
	d := &decoder{errs: errs, pos: map[string]pos{}, keys: map[string]pos{}, src: strings.Split(string(s.src), "\n"), files: s.opts.files}
	if resolve(root).Kind != yaml.MappingNode {
		d.errorf(resolve(root), "", "see docs/scenarios.md", "a scenario is a mapping of sections (accounts, fleets, run, …), got %s", kindName(resolve(root)))
		return
	}
	name, src := s.Name, s.Source
	*s = Scenario{Name: name, Source: src, root: s.root, src: s.src, opts: s.opts, traces: s.traces}
	d.decode(root, reflectValue(s), "")
	v := &validator{s: s, d: d}
	v.validate()
}
