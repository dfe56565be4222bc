//go:build linux

package sim

import "syscall"

// rusageThread is Linux's RUSAGE_THREAD: resource usage of the calling thread only.
const rusageThread = 1

// threadCPU returns the CPU time the calling OS thread has used, in nanoseconds. The
// benchmarks report it beside wall time because this machine's two cores are shared:
// wall time then includes time spent waiting for a core, CPU time does not.
func threadCPU() (int64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0, false
	}
	return ru.Utime.Nano() + ru.Stime.Nano(), true
}
