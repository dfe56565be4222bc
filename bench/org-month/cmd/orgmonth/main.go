// Command orgmonth runs issue 6's org-month benchmark (bench/org-month): a generated
// organisation at the aggregate fidelity level, with 1 and 2 workers by default. It prints
// wall time, peak RSS, events/s, the per-account answers summarised, checks that every
// worker count gives the same answers (hash) and reports the speed-up.
//
//	go run ./bench/org-month/cmd/orgmonth -accounts 1000 -functions 1000 -days 30 -workers 1,2
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	orgmonth "github.com/enisim/enisim/bench/org-month"
	"github.com/enisim/enisim/model"
)

func main() {
	spec := orgmonth.OrgMonth()
	flag.IntVar(&spec.Accounts, "accounts", spec.Accounts, "accounts")
	flag.IntVar(&spec.Functions, "functions", spec.Functions, "functions per account")
	flag.IntVar(&spec.Days, "days", spec.Days, "simulated days")
	flag.DurationVar(&spec.SampleEvery, "step", spec.SampleEvery, "sampling interval = aggregate step")
	exact := flag.Bool("exact", false, "simulate at the exact level instead (small sizes only)")
	workers := flag.String("workers", "1,2", "comma-separated worker counts to run")
	seed := flag.Uint64("seed", 1, "run seed")
	csvPath := flag.String("csv", "", "write the per-account answers of the first run to this CSV file")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "orgmonth: -cpuprofile:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if *exact {
		spec.Fidelity = model.FidelityExact
	}
	if err := run(spec, *workers, *seed, *csvPath); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "orgmonth:", err)
		os.Exit(1)
	}
}

func run(spec orgmonth.Spec, workerList string, seed uint64, csvPath string) error {
	var ws []int
	for _, f := range strings.Split(workerList, ",") {
		w, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || w < 1 {
			return fmt.Errorf("-workers: %q is not a positive integer", f)
		}
		ws = append(ws, w)
	}
	t0 := time.Now()
	cfg := orgmonth.Build(spec)
	fmt.Printf("org-month: %d accounts × %d functions, %d days, step %v, fidelity %v, seed %d, GOMAXPROCS %d\n",
		spec.Accounts, spec.Functions, spec.Days, spec.SampleEvery, spec.Fidelity, seed, runtime.GOMAXPROCS(0))
	fmt.Printf("config built in %v, peak RSS %.0f MiB\n", time.Since(t0).Round(time.Millisecond), peakRSSMiB())
	var first orgmonth.Result
	for i, w := range ws {
		load := loadAvg()
		cpu0 := cpuSeconds()
		res, err := orgmonth.Run(cfg, seed, spec.Horizon(), w)
		if err != nil {
			return err
		}
		cpu := cpuSeconds() - cpu0
		fmt.Printf("workers %d: wall %v, CPU %.1f s (%.2f cores of the machine on average), %d events (%.2f M events/s wall, %.2f µs CPU/event), %d invocations simulated (%.2f G/s), %d interval records, peak RSS %.0f MiB, load avg before %s, hash %s\n",
			w, res.Wall.Round(time.Millisecond), cpu, cpu/res.Wall.Seconds(), res.Events, float64(res.Events)/res.Wall.Seconds()/1e6,
			cpu/float64(res.Events)*1e6, res.Invocations, float64(res.Invocations)/res.Wall.Seconds()/1e9, res.Intervals, peakRSSMiB(), load, res.Hash())
		if i == 0 {
			first = res
			summarise(res)
			if csvPath != "" {
				if err := writeCSV(csvPath, res); err != nil {
					return err
				}
			}
			continue
		}
		if res.Hash() != first.Hash() {
			return fmt.Errorf("workers %d: answers differ from workers %d (hash %s vs %s)", w, ws[0], res.Hash(), first.Hash())
		}
		fmt.Printf("workers %d vs %d: identical answers, speed-up %.2f×\n", w, ws[0], first.Wall.Seconds()/res.Wall.Seconds())
	}
	return nil
}

func summarise(r orgmonth.Result) {
	t := r.Totals()
	fmt.Printf("totals: invocations %d, failed %d, cold starts %d, ENIs created %d, Inactive transitions %d\n",
		t.Invocations, t.Failed, t.ColdStarts, t.ENIsCreated, t.Inactive)
	for _, q := range []struct {
		name string
		get  func(orgmonth.Answer) int
	}{
		{"peak ENIs per account", func(a orgmonth.Answer) int { return a.PeakENIs }},
		{"peak IPs per account", func(a orgmonth.Answer) int { return a.PeakIPs }},
		{"Inactive transitions per account", func(a orgmonth.Answer) int { return a.Inactive }},
	} {
		lo, med, p99, hi := orgmonth.Distribution(r, q.get)
		fmt.Printf("%-34s min %d  median %d  p99 %d  max %d\n", q.name, lo, med, p99, hi)
	}
}

func writeCSV(path string, r orgmonth.Result) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"account", "peak_enis", "peak_ips", "inactive_transitions", "invocations", "failed", "cold_starts", "enis_created"})
	for _, a := range r.Answers {
		_ = w.Write([]string{a.Account, strconv.Itoa(a.PeakENIs), strconv.Itoa(a.PeakIPs), strconv.Itoa(a.Inactive),
			strconv.FormatInt(a.Invocations, 10), strconv.FormatInt(a.Failed, 10), strconv.FormatInt(a.ColdStarts, 10),
			strconv.FormatInt(a.ENIsCreated, 10)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func peakRSSMiB() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Maxrss) / 1024
}

// cpuSeconds is the process's user + system CPU time so far: on a shared machine it
// shows what the run cost apart from waiting for a core.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}
