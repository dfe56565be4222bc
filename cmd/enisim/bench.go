package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"syscall"
	"time"

	"github.com/enisim/enisim/results"
	"github.com/enisim/enisim/runner"
	"github.com/enisim/enisim/sim"
)

// cmdBench measures this machine: the engine's hold model and one end-to-end scenario.
// The full suites with benchstat are `make bench` (see bench/README.md); this command is a
// quick check a user can run anywhere with only the binary.
func cmdBench(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench", "[flags]", "Measures the event engine (hold model) and an end-to-end scenario run on this machine.",
		"  enisim bench\n  enisim bench --scenario azure-trace --pending 1000000\n", stderr)
	scenario := fs.String("scenario", "default", "scenario for the end-to-end measurement (file or built-in name)")
	pending := fs.Int("pending", 100_000, "events pending in the hold model")
	ops := fs.Int("ops", 5_000_000, "hold operations to time")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *pending < 1 || *ops < 1 {
		return badInput("--pending and --ops must be positive")
	}
	fmt.Fprintf(stdout, "hold model, %d pending: %.3g operations/s\n", *pending, holdRate(*pending, *ops))

	sc, err := loadScenario(*scenario)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "enisim-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	units := runner.Units(sc)
	o, err := runner.RunUnit(sc, units[0], runner.Options{Dir: dir, Format: results.Arrow, Workers: 1, Version: version})
	if err != nil {
		return err
	}
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	inv := o.Summary.Invocations.Invocations
	fmt.Fprintf(stdout, "scenario %s (1 worker): %d events, %d invocations in %v: %.3g events/s, %.3g invocations/s; peak RSS %d MiB\n",
		sc.Name, o.Events(), inv, o.Wall.Round(time.Millisecond), float64(o.Events())/o.Wall.Seconds(), float64(inv)/o.Wall.Seconds(), ru.Maxrss/1024)
	return nil
}

// holdRate runs the classic hold model: n pending events; each operation takes the
// earliest and schedules one at now + Exp(1 s). It returns operations per second.
func holdRate(n, ops int) float64 {
	q := sim.NewQueue(n)
	r := rand.New(sim.Seed(1).Stream("bench/hold", 0))
	for i := 0; i < n; i++ {
		q.Schedule(sim.Event{At: sim.Time(r.ExpFloat64() * 1e9)})
	}
	start := time.Now()
	for i := 0; i < ops; i++ {
		ev, _ := q.Next()
		q.Schedule(sim.Event{At: ev.At + sim.Time(r.ExpFloat64()*1e9)})
	}
	return float64(ops) / time.Since(start).Seconds()
}
