package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain lets a test run this package's main in a child process (ENISIM_TEST_MAIN=1), so
// shard tests start real concurrent processes with their own environments.
func TestMain(m *testing.M) {
	if os.Getenv("ENISIM_TEST_MAIN") == "1" {
		os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := realMain(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("accounts: [\n  {name: a, vpcz: []}\n]\nrun: {duration: -1s}\n"), 0o644))
	cases := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no command", nil, exitBadInput, "Usage"},
		{"unknown command", []string{"frobnicate"}, exitBadInput, "unknown command"},
		{"help", []string{"--help"}, exitOK, ""},
		{"run help", []string{"run", "--help"}, exitOK, ""},
		{"bad flag", []string{"run", "--nope", "default"}, exitBadInput, "unknown flag"},
		{"missing scenario", []string{"run"}, exitBadInput, "one SCENARIO"},
		{"unknown builtin", []string{"run", "no-such-scenario"}, exitBadInput, "built-in scenarios"},
		{"bad format", []string{"run", "default", "--format", "csv"}, exitBadInput, "csv"},
		{"invalid scenario", []string{"validate", bad}, exitBadInput, "bad.yaml:2"},
		{"version", []string{"version"}, exitOK, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := run(t, c.args...)
			assert.Equal(t, c.code, code, "stdout: %s\nstderr: %s", out, errs)
			assert.Contains(t, out+errs, c.msg)
		})
	}
}

func TestValidateReportsEveryError(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "two.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("accounts:\n  - name: a\n    vpcz: []\nrun:\n  duration: -1s\n"), 0o644))
	code, _, errs := run(t, "validate", bad)
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errs, "two.yaml:3")
	assert.Contains(t, errs, "two.yaml:5")
}

func TestRunWritesTablesAndRefusesToOverwrite(t *testing.T) {
	out := filepath.Join(t.TempDir(), "o")
	sc := filepath.Join("testdata", "tiny-sweep.yaml")
	// A sweep scenario is refused by run.
	code, _, errs := run(t, "run", sc, "-o", out)
	require.Equal(t, exitBadInput, code, errs)
	assert.Contains(t, errs, "enisim sweep")

	code, stdout, errs := run(t, "run", "vpc-private", "-o", out, "--duration", "1h")
	require.Equal(t, exitOK, code, errs)
	assert.Contains(t, stdout, "Hyperplane ENIs per VPC")
	assert.FileExists(t, filepath.Join(out, "summary.json"))
	assert.NoFileExists(t, filepath.Join(out, "_INCOMPLETE"))

	code, stdout, errs = run(t, "report", out)
	require.Equal(t, exitOK, code, errs)
	assert.Contains(t, stdout, "report.html")
	assert.FileExists(t, filepath.Join(out, "report", "report.html"))
	assert.FileExists(t, filepath.Join(out, "report", "enis_per_vpc.png"))
	code, _, _ = run(t, "report", t.TempDir())
	assert.Equal(t, exitBadInput, code, "an empty directory is bad input")

	code, _, errs = run(t, "run", "vpc-private", "-o", out)
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errs, "--force")
	code, _, errs = run(t, "run", "vpc-private", "-o", out, "--force", "--duration", "1h")
	assert.Equal(t, exitOK, code, errs)

	// --force never replaces a directory that is not enisim output.
	other := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(other, "thesis.tex"), []byte("x"), 0o644))
	code, _, errs = run(t, "run", "vpc-private", "-o", other, "--force")
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errs, "does not look like enisim output")
	assert.FileExists(t, filepath.Join(other, "thesis.tex"))
}

func TestRunStoppedByBoundIsIncomplete(t *testing.T) {
	out := filepath.Join(t.TempDir(), "o")
	code, _, errs := run(t, "run", "vpc-private", "-o", out, "--max-events", "1000")
	require.Equal(t, exitIncomplete, code, errs)
	assert.FileExists(t, filepath.Join(out, "_INCOMPLETE"))
	assert.FileExists(t, filepath.Join(out, "summary.json"))
}

func TestRunIsDeterministicAcrossWorkerCounts(t *testing.T) {
	a := filepath.Join(t.TempDir(), "a")
	b := filepath.Join(t.TempDir(), "b")
	code, _, errs := run(t, "run", "default", "-o", a, "--parallel", "1", "--format", "parquet", "--duration", "3h")
	require.Equal(t, exitOK, code, errs)
	code, _, errs = run(t, "run", "default", "-o", b, "--parallel", "4", "--format", "parquet", "--duration", "3h")
	require.Equal(t, exitOK, code, errs)
	assert.Equal(t, treeHashes(t, a), treeHashes(t, b))
}

func TestResolveShard(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	cases := []struct {
		name   string
		flag   string
		count  int
		env    func(string) string
		want   shardSpec
		errMsg string
	}{
		{"unsharded", "", 0, env(), shardSpec{0, 1}, ""},
		{"flag", "2/5", 0, env(), shardSpec{2, 5}, ""},
		{"kubernetes", "", 4, env("JOB_COMPLETION_INDEX", "3"), shardSpec{3, 4}, ""},
		{"slurm", "", 0, env("SLURM_ARRAY_TASK_ID", "1", "ENISIM_SHARDS", "3"), shardSpec{1, 3}, ""},
		{"aws batch", "", 0, env("AWS_BATCH_JOB_ARRAY_INDEX", "6", "AWS_BATCH_JOB_ARRAY_SIZE", "8"), shardSpec{6, 8}, ""},
		{"generic", "", 0, env("ENISIM_SHARD", "0", "ENISIM_SHARDS", "2"), shardSpec{0, 2}, ""},
		{"index without count", "", 0, env("JOB_COMPLETION_INDEX", "3"), shardSpec{}, "ENISIM_SHARDS"},
		{"count without index", "", 4, env(), shardSpec{}, "no index"},
		{"conflicting index", "1/4", 0, env("SLURM_ARRAY_TASK_ID", "2"), shardSpec{}, "set only one"},
		{"conflicting count", "1/4", 5, env(), shardSpec{}, "--shards says 5"},
		{"index too big", "4/4", 0, env(), shardSpec{}, "not below"},
		{"malformed", "x", 0, env(), shardSpec{}, "INDEX/COUNT"},
		{"bad env", "", 2, env("JOB_COMPLETION_INDEX", "one"), shardSpec{}, "JOB_COMPLETION_INDEX"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := resolveShard(c.flag, c.count, c.env)
			if c.errMsg != "" {
				require.Error(t, err)
				assert.Equal(t, exitBadInput, exitCode(err))
				assert.Contains(t, err.Error(), c.errMsg)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
}

// TestShardedSweepEqualsSingleProcess runs the tiny sweep as one process, and as N shard
// processes started concurrently with each scheduler's environment variables, and checks
// the union of the shards' files equals the single run's, file by file and byte by byte.
func TestShardedSweepEqualsSingleProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts several processes")
	}
	sc, err := filepath.Abs(filepath.Join("testdata", "tiny-sweep.yaml"))
	require.NoError(t, err)
	single := filepath.Join(t.TempDir(), "single")
	code, _, errs := run(t, "sweep", sc, "-o", single)
	require.Equal(t, exitOK, code, errs)
	want := treeHashes(t, single)
	require.NotEmpty(t, want)

	cases := []struct {
		name string
		n    int
		env  func(i, n int) []string
	}{
		{"one shard", 1, func(i, n int) []string {
			return []string{fmt.Sprintf("ENISIM_SHARD=%d", i), fmt.Sprintf("ENISIM_SHARDS=%d", n)}
		}},
		{"kubernetes x3", 3, func(i, n int) []string {
			return []string{fmt.Sprintf("JOB_COMPLETION_INDEX=%d", i), fmt.Sprintf("ENISIM_SHARDS=%d", n)}
		}},
		{"slurm x3", 3, func(i, n int) []string {
			return []string{fmt.Sprintf("SLURM_ARRAY_TASK_ID=%d", i), fmt.Sprintf("ENISIM_SHARDS=%d", n)}
		}},
		{"aws batch, more shards than units", 6, func(i, n int) []string {
			return []string{fmt.Sprintf("AWS_BATCH_JOB_ARRAY_INDEX=%d", i), fmt.Sprintf("AWS_BATCH_JOB_ARRAY_SIZE=%d", n)}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "sharded")
			var procs []*exec.Cmd
			var outs []*bytes.Buffer
			for i := 0; i < c.n; i++ {
				cmd := exec.Command(os.Args[0], "sweep", sc, "-o", dir, "--parallel", "1")
				cmd.Env = append(os.Environ(), append(c.env(i, c.n), "ENISIM_TEST_MAIN=1")...)
				var b bytes.Buffer
				cmd.Stdout, cmd.Stderr = &b, &b
				require.NoError(t, cmd.Start())
				procs, outs = append(procs, cmd), append(outs, &b)
			}
			for i, p := range procs {
				require.NoError(t, p.Wait(), "shard %d: %s", i, outs[i])
			}
			assert.Equal(t, want, treeHashes(t, dir))
			code, out, errs := run(t, "sweep", "status", dir, "--shards", fmt.Sprint(c.n))
			assert.Equal(t, exitOK, code, errs)
			assert.Contains(t, out, "4 of 4 units complete")
		})
	}
}

// TestSweepRerunCompletesMissingUnits removes one unit's marker, as a shard killed mid-unit
// would leave it, and checks status names it and a re-run restores the identical dataset.
func TestSweepRerunCompletesMissingUnits(t *testing.T) {
	sc := filepath.Join("testdata", "tiny-sweep.yaml")
	dir := filepath.Join(t.TempDir(), "s")
	code, _, errs := run(t, "sweep", sc, "-o", dir, "--parallel", "1")
	require.Equal(t, exitOK, code, errs)
	want := treeHashes(t, dir)

	meta := filepath.Join(dir, "summary", "sweep=0001", "rep=00")
	require.NoError(t, os.WriteFile(filepath.Join(meta, "_INCOMPLETE"), []byte("killed\n"), 0o644))
	// A half-written temporary file, as a killed writer leaves one.
	partial := filepath.Join(dir, "runs", "sweep=0001", "rep=00", "part=00", ".tmp-data.parquet-123")
	require.NoError(t, os.WriteFile(partial, []byte("PAR1 half"), 0o644))

	code, out, _ := run(t, "sweep", "status", dir, "--shards", "3")
	assert.Equal(t, exitIncomplete, code)
	assert.Contains(t, out, "missing unit 2")
	assert.Contains(t, out, "resubmit shard indices: 2")

	code, _, errs = run(t, "sweep", sc, "-o", dir, "--shard", "2/3")
	require.Equal(t, exitOK, code, errs)
	assert.Equal(t, want, treeHashes(t, dir))
	assert.NoFileExists(t, partial)
}

// treeHashes maps every file under dir (by relative path) to its sha256: every byte counts.
func treeHashes(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		h := sha256.Sum256(b)
		out[rel] = hex.EncodeToString(h[:])
		return nil
	})
	require.NoError(t, err)
	t.Logf("%d files under %s", len(out), dir)
	return out
}
