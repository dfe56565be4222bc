// Command enisim runs what-if scenarios of AWS Lambda's Hyperplane ENI lifecycle.
//
//	enisim run SCENARIO [-o DIR] [--seed N] [--format arrow|parquet] [--parallel N] [--force]
//	enisim validate SCENARIO
//	enisim sweep SCENARIO [-o DIR] [--shard I/N]
//	enisim report DIR
//	enisim bench
//	enisim version
//
// It wires scenarios → model → sim → results and holds no domain logic.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// version is set at build time with -ldflags "-X main.version=…"; "dev" otherwise.
var version = "dev"

type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

func commands() map[string]command {
	cs := []command{
		{"run", "run a scenario and write its tables and summary", cmdRun},
		{"validate", "check a scenario file and report every error at once", cmdValidate},
		{"sweep", "run every sweep point × replication of a scenario (optionally one shard of them)", cmdSweep},
		{"report", "render charts and an HTML page from a results directory", cmdReport},
		{"bench", "measure the engine and an end-to-end scenario on this machine", cmdBench},
		{"version", "print the enisim version", cmdVersion},
	}
	m := make(map[string]command, len(cs))
	for _, c := range cs {
		m[c.name] = c
	}
	return m
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "enisim — a discrete-event simulator of AWS Lambda's Hyperplane ENI lifecycle")
	fmt.Fprintln(w, "\nUsage: enisim COMMAND [flags] [args]\n\nCommands:")
	cs := commands()
	names := make([]string, 0, len(cs))
	for n := range cs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, cs[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'enisim COMMAND --help' for a command's flags and examples.")
	fmt.Fprintln(w, "\nExit codes: 0 success, 1 runtime failure, 2 bad input or usage, 3 run stopped by its bounds or interrupted.")
}

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

func realMain(args []string, stdout, stderr io.Writer) int {
	stdout, stderr = &lockedWriter{w: stdout}, &lockedWriter{w: stderr}
	if len(args) == 0 {
		usage(stderr)
		return exitBadInput
	}
	switch args[0] {
	case "-h", "--help", "help":
		usage(stdout)
		return exitOK
	case "--version":
		args[0] = "version"
	}
	c, ok := commands()[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "enisim: unknown command %q\n\n", args[0])
		usage(stderr)
		return exitBadInput
	}
	err := c.run(args[1:], stdout, stderr)
	if err != nil && err != errHelp {
		msg := err.Error()
		if !strings.HasSuffix(msg, "\n") {
			msg += "\n"
		}
		fmt.Fprint(stderr, "enisim "+c.name+": "+msg)
	}
	if err == errHelp {
		return exitOK
	}
	return exitCode(err)
}

func cmdVersion(args []string, stdout, stderr io.Writer) error {
	fmt.Fprintln(stdout, "enisim", version)
	return nil
}
