//go:build unix

package overhead

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user + system) of the whole process so far: with -cpu 1 that is
// the simulation, the writers and the garbage collector, and it leaves out time spent
// waiting for a core, which on the shared 2-core machine swings wall-clock figures by tens
// of percent.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
