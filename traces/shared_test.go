package traces

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedTraces returns the directory of the project's shared traces (../shared/traces from
// the repository root), skipping the test when it is absent.
func sharedTraces(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join("..", "..", "shared", "traces")
	if _, err := os.Stat(filepath.Join(dir, "azure2019", "1000_inv.csv")); err != nil {
		tb.Skip("../shared/traces not found: ", err)
	}
	return dir
}
