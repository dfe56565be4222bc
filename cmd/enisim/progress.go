package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/enisim/enisim/runner"
)

func workers(n int) int {
	if n > 0 {
		return n
	}
	return runtime.NumCPU()
}

// isTerminal reports whether w is a character device (a terminal), without a dependency.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// showProgress displays a run's progress until the returned function is called: a bar with
// simulated time, events/s and ETA on a terminal (mpb prints nothing elsewhere), plain
// lines every 10 s otherwise so CI logs stay readable. Short runs print nothing.
func showProgress(p *runner.Progress, stderr io.Writer) func() {
	done := make(chan struct{})
	finished := make(chan struct{})
	start := time.Now()
	tty := isTerminal(stderr)
	go func() {
		defer close(finished)
		var bar *mpb.Bar
		var pr *mpb.Progress
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		lastLine := start
		for {
			select {
			case <-done:
				if bar != nil {
					bar.SetCurrent(bar.Current())
					bar.Abort(false)
					pr.Wait()
				}
				return
			case now := <-tick.C:
				end := p.End.Load()
				sim := p.SimNanos.Load() / max(p.PartsTotal.Load(), 1)
				el := now.Sub(start)
				evs := float64(p.Events.Load()) / el.Seconds()
				if tty && el > time.Second {
					if bar == nil {
						pr = mpb.New(mpb.WithOutput(stderr), mpb.WithWidth(40))
						bar = pr.AddBar(max(end/int64(time.Second), 1),
							mpb.PrependDecorators(decor.Name("simulated "), decor.Any(func(decor.Statistics) string {
								return fmt.Sprintf("%v/%v", time.Duration(p.SimNanos.Load()/max(p.PartsTotal.Load(), 1)).Truncate(time.Minute), time.Duration(end))
							})),
							mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
								return fmt.Sprintf(" %.2g events/s ", float64(p.Events.Load())/time.Since(start).Seconds())
							}), decor.EwmaETA(decor.ET_STYLE_GO, 30)))
					}
					bar.EwmaSetCurrent(sim/int64(time.Second), 200*time.Millisecond)
				} else if !tty && now.Sub(lastLine) >= 10*time.Second {
					lastLine = now
					fmt.Fprintf(stderr, "enisim: simulated %v of %v, %d/%d partitions done, %.3g events/s, %v elapsed\n",
						time.Duration(sim).Truncate(time.Second), time.Duration(end), p.PartsDone.Load(), p.PartsTotal.Load(), evs, el.Truncate(time.Second))
				}
			}
		}
	}()
	return func() { close(done); <-finished }
}
