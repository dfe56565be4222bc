package main

import (
	"bytes"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/enisim/enisim/scenarios"
)

// FuzzArgs feeds random command lines (arguments separated by newlines) to realMain in
// an empty working directory. It must never panic, must exit with 0, 1, 2 or 3, and must
// create nothing outside that directory.
//
// The fuzzer may not start real work: run and sweep would simulate (and bench would time
// the engine) for minutes, and -o lets a user write anywhere — which is their right, not
// a bug. So every argument is confined to one path component ("/" → "_", ".." → "__"),
// run/sweep arguments never name a built-in scenario (the working directory holds no
// scenario file, so every such run stops at loading it, after flag parsing), and bench
// gets --pending=0, which it refuses before timing anything. validate, report, version,
// help and unknown commands get the arguments unchanged otherwise.
//
//	go test ./cmd/enisim -run '^$' -fuzz FuzzArgs -fuzztime 30s
func FuzzArgs(f *testing.F) {
	for _, s := range []string{
		"", "--help", "help", "--version", "version", "frobnicate",
		"validate", "validate\ndefault", "validate\nvpc-private\nazure-trace\nmass-deploy", "validate\nno-such.yaml",
		"validate\n--help", "validate\n--nope",
		"run", "run\n--help", "run\ndefault\n--format\ncsv", "run\ndefault\n--duration\n-1h", "run\ndefault\n--parallel\n-3",
		"run\ndefault\n--seed\n18446744073709551616", "run\ndefault\n--max-events\n1\n-o\nout", "run\ndefault\n--duration=1e9h",
		"sweep\ndefault\n--shard\n3/2", "sweep\ndefault\n--shards\n0", "sweep\nstatus", "sweep\nstatus\nout", "sweep\n--shard=a/b\nx.yaml",
		"report", "report\n.", "report\nnothing-here", "report\n.\n-o\nr",
		"bench\n--ops\n-1", "bench\n--scenario\nnope",
		"run\n--\n--help", "validate\n-", "run\n-o", "run\n-o=",
	} {
		f.Add(s)
	}
	pkgDir, err := os.Getwd()
	if err != nil {
		f.Fatal(err)
	}
	before := dirNames(f, pkgDir)
	builtins := scenarios.BuiltinNames()
	f.Fuzz(func(t *testing.T, line string) {
		if len(line) > 4096 {
			return
		}
		var args []string
		if line != "" {
			args = strings.Split(line, "\n")
		}
		args = confineArgs(args, builtins)
		base := t.TempDir()
		work := base + "/work"
		if err := os.Mkdir(work, 0o755); err != nil {
			t.Fatal(err)
		}
		t.Chdir(work)
		var out, errb bytes.Buffer
		code := realMain(slices.Clone(args), &out, &errb)
		switch code {
		case exitOK, exitRuntime, exitBadInput, exitIncomplete:
		default:
			t.Fatalf("enisim %q exited %d\nstderr: %s", args, code, errb.String())
		}
		if code != exitOK && errb.Len() == 0 {
			t.Fatalf("enisim %q exited %d without saying why", args, code)
		}
		if names := dirNames(t, base); !slices.Equal(names, []string{"work"}) {
			t.Fatalf("enisim %q created %v next to its working directory", args, names)
		}
		if after := dirNames(t, pkgDir); !slices.Equal(after, before) {
			t.Fatalf("enisim %q changed the package directory: %v → %v", args, before, after)
		}
	})
}

// confineArgs makes a fuzzed command line safe to run (see FuzzArgs).
func confineArgs(args, builtins []string) []string {
	out := make([]string, 0, len(args)+1)
	for _, a := range args {
		a = strings.ReplaceAll(a, "/", "_")
		a = strings.ReplaceAll(a, "..", "__")
		out = append(out, a)
	}
	if len(out) == 0 {
		return out
	}
	switch out[0] {
	case "run", "sweep":
		for i := 1; i < len(out); i++ {
			// A built-in name, alone or as a flag value (--scenario=…, -o=…).
			_, v, ok := strings.Cut(out[i], "=")
			if slices.Contains(builtins, out[i]) || ok && slices.Contains(builtins, v) {
				out[i] = "not-" + out[i]
			}
		}
	case "bench":
		rest := slices.DeleteFunc(out[1:], func(a string) bool { return strings.Contains(a, "pending") })
		out = append([]string{"bench", "--pending=0"}, rest...)
	}
	return out
}

func dirNames(tb testing.TB, dir string) []string {
	tb.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	names := make([]string, len(es))
	for i, e := range es {
		names[i] = e.Name()
	}
	return names
}

// FuzzResolveShard checks the shard specification from --shard, --shards and the
// scheduler's environment: never a panic; either bad input (exit 2) or a shard with
// 0 ≤ Index < Count; and a well-formed --shard I/N alone is taken as given.
//
//	go test ./cmd/enisim -run '^$' -fuzz FuzzResolveShard -fuzztime 30s
func FuzzResolveShard(f *testing.F) {
	f.Add("", 0, "")
	f.Add("0/4", 0, "")
	f.Add("3/4", 4, "ENISIM_SHARDS=4")
	f.Add("4/4", 0, "")
	f.Add("-1/4", 0, "")
	f.Add("1/0", 0, "")
	f.Add("a/b", 0, "")
	f.Add("", 8, "JOB_COMPLETION_INDEX=7")
	f.Add("", 0, "SLURM_ARRAY_TASK_ID=2\nENISIM_SHARDS=3")
	f.Add("", 0, "AWS_BATCH_JOB_ARRAY_INDEX=1\nAWS_BATCH_JOB_ARRAY_SIZE=2")
	f.Add("", 0, "ENISIM_SHARD=1\nJOB_COMPLETION_INDEX=2\nENISIM_SHARDS=4")
	f.Add("9223372036854775807/-9223372036854775808", -1, "ENISIM_SHARDS=99999999999999999999")
	f.Fuzz(func(t *testing.T, flag string, count int, envText string) {
		env := map[string]string{}
		for _, kv := range strings.Split(envText, "\n") {
			if k, v, ok := strings.Cut(kv, "="); ok {
				env[k] = v
			}
		}
		spec, err := resolveShard(flag, count, func(k string) string { return env[k] })
		if len(env) == 0 && count == 0 && flag != "" {
			// --shard I/N alone: accepted exactly when both are integers with 0 ≤ I < N.
			a, b, _ := strings.Cut(flag, "/")
			i, err1 := strconv.Atoi(a)
			n, err2 := strconv.Atoi(b)
			valid := strings.Contains(flag, "/") && err1 == nil && err2 == nil && i >= 0 && i < n
			if valid != (err == nil) || valid && spec != (shardSpec{i, n}) {
				t.Fatalf("resolveShard(%q) = %+v, %v; want {%d %d} accepted: %v", flag, spec, err, i, n, valid)
			}
		}
		if err != nil {
			if exitCode(err) != exitBadInput {
				t.Fatalf("resolveShard(%q, %d, %q): %v is not bad input", flag, count, envText, err)
			}
			return
		}
		if spec.Count < 1 || spec.Index < 0 || spec.Index >= spec.Count {
			t.Fatalf("resolveShard(%q, %d, %q) = %+v: not a shard", flag, count, envText, spec)
		}
	})
}
