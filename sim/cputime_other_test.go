//go:build !linux

package sim

// threadCPU is only implemented on Linux; elsewhere the benchmarks report wall time only.
func threadCPU() (int64, bool) { return 0, false }
