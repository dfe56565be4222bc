package main

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Limits (issue 7): huge sizes are refused with an estimate before allocation; output
// paths derived from scenario names or sweep labels stay inside the output directory; a
// scenario reads empirical files only from its own directory tree and traces only where
// its documented path rule points (docs/scenarios.md).

// limitsScenario is a small valid scenario: 15 functions, 10 minutes. FLEETCOUNT and
// EXTRA are replaced by the tests.
const limitsScenario = `accounts:
  - name: acct
    vpcs:
      - name: vpc-1
        cidr: 10.0.0.0/16
        subnets:
          - {name: a, az: us-east-1a, cidr: 10.0.1.0/24, route: private}
          - {name: b, az: us-east-1b, cidr: 10.0.2.0/24, route: private}
        securityGroups: [sg-1, sg-2]
roles:
  - name: role
    managed: [AWSLambdaVPCAccessExecutionRole]
fleets:
  - name: api
    count: FLEETCOUNT
    namePattern: api-{i:02}
    role: role
    vpcConfig: {SubnetIds: [a, b], SecurityGroupIds: [sg-1]}
    workload:
      rate: 1/s
  - name: jobs
    count: 5
    namePattern: jobs-{i:02}
    role: role
    vpcConfig: {SubnetIds: [a], SecurityGroupIds: [sg-2]}
    workload:
      rate: 10/min
EXTRA
run:
  duration: 10m
  seed: 42
  sampleEvery: 5m
`

func scenarioText(count, extra string) string {
	s := strings.Replace(limitsScenario, "FLEETCOUNT", count, 1)
	return strings.Replace(s, "EXTRA\n", extra, 1)
}

// inDir runs realMain with dir as the working directory.
func inDir(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	t.Chdir(dir)
	return run(t, args...)
}

// childLimited runs this package's main in a child process whose address space is capped
// at 3 GiB, so a command that tries to allocate without bound dies instead of taking the
// machine; a panic or an out-of-memory death shows in its output.
func childLimited(t *testing.T, dir string, args ...string) (int, string) {
	t.Helper()
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	cmd := exec.Command("sh", "-c", "ulimit -v 3145728 && exec \"$0\" "+strings.Join(quoted, " "), os.Args[0])
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "ENISIM_TEST_MAIN=1")
	var b bytes.Buffer
	cmd.Stdout, cmd.Stderr = &b, &b
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if len(out) > 2000 {
		out = out[:2000] + "…" // a crash's first goroutine says enough
	}
	return code, out
}

// A scenario of 10^8 functions (about 490 GiB) is refused by validate, run and sweep with
// its memory estimate, exit 2, before anything is allocated for it or written.
func TestHugeScenarioRefusedBeforeAllocating(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "huge.yaml"), []byte(scenarioText("100000000", "")), 0o644))
	conc := strings.Replace(scenarioText("10", ""), "  - name: acct\n", "  - name: acct\n    concurrency: 9000000000000000000\n", 1)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "conc.yaml"), []byte(conc), 0o644))
	for _, args := range [][]string{
		{"validate", "huge.yaml"}, {"run", "huge.yaml", "-o", "out"}, {"sweep", "huge.yaml", "-o", "out"},
		{"run", "conc.yaml", "-o", "out"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var m0, m1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m0)
			code, _, errs := inDir(t, dir, args...)
			runtime.ReadMemStats(&m1)
			assert.Equal(t, exitBadInput, code, errs)
			assert.Regexp(t, `would need about [0-9.]+ GiB of memory.*more than run.memoryLimit`, errs)
			assert.NoDirExists(t, filepath.Join(dir, "out"))
			// Parsing and estimating cost a few MB; the scenario itself would be ~490 GiB.
			if alloc := m1.TotalAlloc - m0.TotalAlloc; alloc > 64<<20 {
				t.Fatalf("refusing the scenario allocated %d MiB", alloc>>20)
			}
		})
	}
}

// Sizes at the edges of the integer range must be refused like any other huge size, not
// overflow the estimate (a bug this test found, docs/robustness.md); they run in a child
// process with capped memory.
func TestHugeSizesAtIntegerLimits(t *testing.T) {
	dir := t.TempDir()
	cases := []struct{ name, text string }{
		// count · 5.3 KB overflows int64: the estimate passes the limit and
		// scenarios.(*Scenario).toModel panics in make([]model.Function, 0, n).
		{"count-maxint64", scenarioText("9223372036854775807", "")},
		// Replications are not in the estimate: 10^12 units are listed by runner.Units
		// before anything runs.
		{"replications", strings.Replace(scenarioText("10", ""), "  seed: 42\n", "  seed: 42\n  replications: 1000000000000\n", 1)},
	}
	for _, c := range cases {
		require.NoError(t, os.WriteFile(filepath.Join(dir, c.name+".yaml"), []byte(c.text), 0o644))
		t.Run(c.name, func(t *testing.T) {
			code, out := childLimited(t, dir, "run", c.name+".yaml", "-o", "out")
			assert.NotContains(t, out, "panic:")
			assert.NotContains(t, out, "out of memory")
			assert.Equal(t, exitBadInput, code, out)
			assert.Contains(t, out, "memory")
		})
	}
}

// snapshot lists every path under root (relative, sorted).
func snapshot(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out = append(out, rel)
		return nil
	}))
	slices.Sort(out)
	return out
}

// created lists the paths under root that are not in before.
func created(t *testing.T, root string, before []string) []string {
	var out []string
	for _, p := range snapshot(t, root) {
		if !slices.Contains(before, p) {
			out = append(out, p)
		}
	}
	return out
}

// The default output directory is out/NAME, NAME from the scenario file's name: odd file
// names (spaces, dots, non-ASCII, a leading dash) keep every file under out/, and names
// that are only dots ("..yaml", "...yaml") become out/scenario.
func TestOutputPathsFromScenarioNamesStayInOut(t *testing.T) {
	names := []string{"a b.yaml", "a..b.yaml", "ünï-名.yaml", "-dash.yaml", "..yaml", "x.y.z.yaml", "...yaml"}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			work := filepath.Join(root, "work")
			require.NoError(t, os.MkdirAll(filepath.Join(root, "sc"), 0o755))
			require.NoError(t, os.Mkdir(work, 0o755))
			sc := filepath.Join(root, "sc", name)
			require.NoError(t, os.WriteFile(sc, []byte(scenarioText("10", "")), 0o644))
			before := snapshot(t, root)
			code, _, errs := inDir(t, work, "run", sc)
			require.Equal(t, exitOK, code, errs)
			made := created(t, root, before)
			require.NotEmpty(t, made)
			for _, p := range made {
				if p != filepath.Join("work", "out") && !strings.HasPrefix(p, filepath.Join("work", "out")+string(filepath.Separator)) {
					t.Fatalf("run %q wrote %s, outside work/out", name, p)
				}
			}
			assert.FileExists(t, filepath.Join(work, "out", outName(strings.TrimSuffix(name, ".yaml")), "summary.json"))
		})
	}
}

// Sweep labels carry the assigned values ("1/s", "../../../escape/x"): they are data, not
// paths. The Hive layout of sweep and the flat layout of run write only under -o.
func TestSweepLabelsAndLayoutsStayInsideOutputDir(t *testing.T) {
	root := t.TempDir()
	work := filepath.Join(root, "work")
	require.NoError(t, os.Mkdir(work, 0o755))
	sweep := scenarioText("10", "") + "  sweep:\n    grid:\n      fleets.api.workload.rate: [1/s, 30/min]\n" +
		"    list:\n      - {description: \"../../../escape/x\"}\n"
	require.NoError(t, os.WriteFile(filepath.Join(work, "sw.yaml"), []byte(sweep), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(work, "one.yaml"), []byte(scenarioText("10", "description: \"../x/../../y\"\n")), 0o644))
	for _, args := range [][]string{
		{"sweep", "sw.yaml", "-o", "o-hive", "--parallel", "1"},
		{"run", "one.yaml", "-o", "o-flat", "--parallel", "1"},
	} {
		out := args[3]
		t.Run(args[0], func(t *testing.T) {
			before := snapshot(t, root)
			code, _, errs := inDir(t, work, args...)
			require.Equal(t, exitOK, code, errs)
			made := created(t, root, before)
			require.NotEmpty(t, made)
			for _, p := range made {
				if !strings.HasPrefix(p, filepath.Join("work", out)) {
					t.Fatalf("%s wrote %s, outside work/%s", args[0], p, out)
				}
			}
			if args[0] == "run" {
				assert.FileExists(t, filepath.Join(work, out, "summary.json"))
			} else {
				assert.DirExists(t, filepath.Join(work, out, "summary", "sweep=0002"))
			}
		})
	}
	// The Hive layout names directories by sweep index, never by label.
	dirs, err := filepath.Glob(filepath.Join(work, "o-hive", "runs", "*"))
	require.NoError(t, err)
	var names []string
	for _, d := range dirs {
		names = append(names, filepath.Base(d))
	}
	assert.Equal(t, []string{"sweep=0000", "sweep=0001", "sweep=0002"}, names)
}

// Empirical distribution files are read only from the scenario's directory tree:
// absolute paths, .. and symlinks leaving it are refused as bad input, naming the field.
func TestEmpiricalFilesConfinedToScenarioDir(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "sub")
	require.NoError(t, os.Mkdir(sub, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "times.txt"), []byte("60s\n75s\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(sub, "in.txt"), []byte("60s\n75s\n"), 0o644))
	require.NoError(t, os.Symlink(filepath.Join("..", "times.txt"), filepath.Join(sub, "link.txt")))
	emp := func(file string) string {
		return scenarioText("10", "params:\n  eni:\n    createLatency: \"empirical{file: "+file+"}\"\n")
	}
	cases := []struct {
		file string
		ok   bool
	}{
		{"in.txt", true},
		{"../../../../../../etc/passwd", false},
		{"/etc/passwd", false},
		{filepath.Join(root, "times.txt"), false},
		{"../times.txt", false},
		{"link.txt", false},
		{"./../sub/../../times.txt", false},
	}
	for i, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			sc := filepath.Join(sub, "e"+string(rune('0'+i))+".yaml")
			require.NoError(t, os.WriteFile(sc, []byte(emp(c.file)), 0o644))
			code, _, errs := run(t, "validate", sc)
			if c.ok {
				assert.Equal(t, exitOK, code, errs)
				return
			}
			assert.Equal(t, exitBadInput, code, errs)
			assert.Contains(t, errs, "params.eni.createLatency.file")
			assert.NotContains(t, errs, "root:", "the refused file's content must not be echoed")
		})
	}
}

// Trace paths follow docs/scenarios.md: relative to the scenario file's directory (not
// the working directory); .. and absolute paths are allowed, because the user names the
// trace explicitly (the built-in azure-trace reads ../shared/traces). A file that is not a
// trace of the declared format is refused as bad input with its position, without echoing
// its content.
func TestTracePathsFollowTheDocumentedRule(t *testing.T) {
	root := t.TempDir()
	sc, cwd := filepath.Join(root, "sc"), filepath.Join(root, "cwd")
	require.NoError(t, os.Mkdir(sc, 0o755))
	require.NoError(t, os.Mkdir(cwd, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(sc, "t.csv"), []byte("function,timestamp\nf,1\nf,2\n"), 0o644))
	// A same-named file in the working directory that is not a trace: it must not be read.
	require.NoError(t, os.WriteFile(filepath.Join(cwd, "t.csv"), []byte("secret-content\n"), 0o644))
	trace := func(path string) string {
		return scenarioText("10", "  - name: tr\n    namePattern: tr-{i}\n    role: role\n"+
			"    vpcConfig: {SubnetIds: [a], SecurityGroupIds: [sg-1]}\n    trace: {format: csv, path: "+path+"}\n")
	}
	write := func(name, path string) string {
		p := filepath.Join(sc, name)
		require.NoError(t, os.WriteFile(p, []byte(trace(path)), 0o644))
		return p
	}
	// Relative: the scenario's directory, whatever the working directory.
	code, out, errs := inDir(t, cwd, "validate", write("rel.yaml", "t.csv"))
	assert.Equal(t, exitOK, code, errs)
	assert.Contains(t, out, "ok")
	// .. is relative to the scenario's directory too: ../cwd/t.csv is the non-trace file.
	code, _, errs = inDir(t, cwd, "validate", write("up.yaml", "../cwd/t.csv"))
	assert.Equal(t, exitBadInput, code, errs)
	assert.Contains(t, errs, "fleets[2].trace.path")
	assert.NotContains(t, errs, "secret-content")
	// Absolute: taken as given; a non-trace file is refused without echoing it.
	code, _, errs = inDir(t, cwd, "validate", write("abs.yaml", filepath.Join(cwd, "t.csv")))
	assert.Equal(t, exitBadInput, code, errs)
	assert.NotContains(t, errs, "secret-content")
	// A missing trace is bad input naming the resolved path, not a crash.
	code, _, errs = inDir(t, cwd, "validate", write("missing.yaml", "nope.csv"))
	assert.Equal(t, exitBadInput, code, errs)
	assert.Contains(t, errs, filepath.Join(sc, "nope.csv"))
}

// A sampling interval of 1 ns over 10 minutes means 6·10^11 sampling events and rows for
// every combination, subnet and active function: the run never ends and writes gigabytes
// per second. It is refused at validation like any other huge size (it was accepted
// until this test found it, docs/robustness.md).
func TestTinySampleIntervalRefused(t *testing.T) {
	dir := t.TempDir()
	text := strings.Replace(scenarioText("10", ""), "sampleEvery: 5m", "sampleEvery: 1ns", 1)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tiny.yaml"), []byte(text), 0o644))
	code, _, errs := inDir(t, dir, "validate", "tiny.yaml")
	assert.Equal(t, exitBadInput, code, errs)
	assert.Contains(t, errs, "run.sampleEvery")
}

// Parameters beyond the model's 32-bit counters must be refused as bad input. Today a VPC
// ENI quota or IPs per ENI of 3·10^9 passes validation, wraps in the model's int32 fields
// and the run ended with "model invariant broken" (exit 1) until this test found it.
func TestOverflowingParamsRefused(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"quotas:\n    vpcENIs: 3000000000", "eni:\n    ipsPerENI: 3000000000"} {
		t.Run(strings.Fields(p)[1], func(t *testing.T) {
			text := strings.Replace(scenarioText("10", ""), "run:\n", "params:\n  "+p+"\nrun:\n", 1)
			require.NoError(t, os.WriteFile(filepath.Join(dir, "p.yaml"), []byte(text), 0o644))
			code, _, errs := inDir(t, dir, "run", "p.yaml", "-o", "out", "--force")
			assert.Equal(t, exitBadInput, code, errs)
			assert.NotContains(t, errs, "invariant")
		})
	}
}
