package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apache/arrow/go/v15/arrow"

	"github.com/enisim/enisim/results"
)

// startChild runs this package's main in a child process (see TestMain).
func startChild(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "ENISIM_TEST_MAIN=1")
	var b bytes.Buffer
	cmd.Stdout, cmd.Stderr = &b, &b
	require.NoError(t, cmd.Start())
	return cmd, &b
}

// waitForFile polls until path exists (the child has started writing) or the child ends.
func waitForFile(t *testing.T, path string, cmd *exec.Cmd) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s never appeared", path)
}

// TestInterruptWritesReadableIncompleteTables sends SIGINT to a long run: it must exit 3,
// leave its tables readable and marked incomplete, and no temporary file behind.
func TestInterruptWritesReadableIncompleteTables(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	out := filepath.Join(t.TempDir(), "o")
	cmd, log := startChild(t, "run", "default", "-o", out, "--duration", "2400h", "--parallel", "1")
	waitForFile(t, filepath.Join(out, results.IncompleteMarker), cmd)
	time.Sleep(300 * time.Millisecond) // let it simulate a little
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	err := cmd.Wait()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, "output: %s", log)
	assert.Equal(t, exitIncomplete, ee.ExitCode(), "output: %s", log)
	assert.Contains(t, log.String(), "interrupted")
	assert.FileExists(t, filepath.Join(out, results.IncompleteMarker))
	assert.FileExists(t, filepath.Join(out, results.SummaryFile))
	entries, err := os.ReadDir(out)
	require.NoError(t, err)
	tables := 0
	for _, e := range entries {
		assert.False(t, strings.HasPrefix(e.Name(), ".tmp"), "temporary file left: %s", e.Name())
		if filepath.Ext(e.Name()) == ".arrow" {
			tables++
			n := 0
			require.NoError(t, results.ReadRecords(filepath.Join(out, e.Name()), nil, 0, func(r arrow.Record) error {
				n += int(r.NumRows())
				return nil
			}), e.Name())
		}
	}
	assert.Greater(t, tables, 3, "the tables observed until the interrupt are written")
}

// TestKilledShardRerunCompletesDataset kills a sweep shard with SIGKILL mid-run (no chance
// to clean up) and checks that re-running it yields exactly the single-process dataset.
func TestKilledShardRerunCompletesDataset(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	sc := filepath.Join("testdata", "tiny-sweep.yaml")
	single := filepath.Join(t.TempDir(), "single")
	code, _, errs := run(t, "sweep", sc, "-o", single, "--parallel", "1")
	require.Equal(t, exitOK, code, errs)
	want := treeHashes(t, single)

	dir := filepath.Join(t.TempDir(), "killed")
	cmd, _ := startChild(t, "sweep", sc, "-o", dir, "--parallel", "1")
	waitForFile(t, filepath.Join(dir, "summary", "sweep=0000", "rep=00", results.IncompleteMarker), cmd)
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()

	code, out, errs := run(t, "sweep", sc, "-o", dir, "--parallel", "1")
	require.Equal(t, exitOK, code, out+errs)
	assert.Equal(t, want, treeHashes(t, dir))
}
