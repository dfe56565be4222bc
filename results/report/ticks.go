package report

import (
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// durationSteps are the tick spacings (seconds) a time axis may use: round numbers of
// seconds, minutes, hours and days, so labels read "30m", "6h", "2d".
var durationSteps = []float64{
	0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
	1, 2, 5, 10, 15, 30,
	60, 120, 300, 600, 900, 1800,
	3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600,
	86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400, 91 * 86400, 182 * 86400, 364 * 86400,
}

// DurationTicker places ticks for an axis in seconds at round durations and labels them in
// the largest unit that fits ("500ms", "45s", "30m", "6h", "1d12h"). At most about Max
// labelled ticks (default 7), with unlabelled minor ticks halfway.
type DurationTicker struct{ Max int }

// Ticks implements plot.Ticker.
func (d DurationTicker) Ticks(min, max float64) []plot.Tick {
	n := d.Max
	if n <= 0 {
		n = 7
	}
	if !(max > min) {
		return []plot.Tick{{Value: min, Label: FormatDuration(min)}}
	}
	step := durationSteps[len(durationSteps)-1]
	for _, s := range durationSteps {
		if (max-min)/s <= float64(n) {
			step = s
			break
		}
	}
	var ticks []plot.Tick
	first := math.Ceil(min/step) * step
	for i := 0; ; i++ {
		v := first + float64(i)*step
		if v > max+step*1e-9 {
			break
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: FormatDuration(v)})
		if m := v + step/2; m <= max {
			ticks = append(ticks, plot.Tick{Value: m})
		}
	}
	if first-step/2 >= min {
		ticks = append([]plot.Tick{{Value: first - step/2}}, ticks...)
	}
	return ticks
}

// FormatDuration prints s seconds in the largest unit that fits, dropping zero parts.
func FormatDuration(s float64) string {
	if s < 0 {
		return "-" + FormatDuration(-s)
	}
	switch {
	case s == 0:
		return "0"
	case s < 1:
		return trimFloat(s*1000) + "ms"
	case s < 60:
		return trimFloat(s) + "s"
	case s < 3600:
		m, sec := int(s)/60, int(math.Round(s))%60
		if sec == 0 {
			return fmt.Sprintf("%dm", m)
		}
		return fmt.Sprintf("%dm%02ds", m, sec)
	case s < 86400:
		h, m := int(s)/3600, int(s)%3600/60
		if m == 0 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh%02dm", h, m)
	}
	d, h := int(s)/86400, int(s)%86400/3600
	if h == 0 {
		return fmt.Sprintf("%dd", d)
	}
	return fmt.Sprintf("%dd%02dh", d, h)
}

func trimFloat(v float64) string {
	s := fmt.Sprintf("%.3g", v)
	return s
}

// logDurationTicker labels a logarithmic axis in seconds at powers of ten, as durations.
type logDurationTicker struct{}

func (logDurationTicker) Ticks(min, max float64) []plot.Tick {
	if min <= 0 {
		min = 1e-6
	}
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(min)); e <= math.Ceil(math.Log10(max)); e++ {
		base := math.Pow(10, e)
		if base >= min && base <= max {
			ticks = append(ticks, plot.Tick{Value: base, Label: FormatDuration(base)})
		}
		for k := 2.0; k < 10; k++ {
			if v := k * base; v >= min && v <= max {
				t := plot.Tick{Value: v}
				if k == 2 || k == 5 { // 1-2-5 labels: a narrow range still gets several
					t.Label = FormatDuration(v)
				}
				ticks = append(ticks, t)
			}
		}
	}
	return ticks
}

// countTicker is plot.DefaultTicks with labels as plain numbers ("500", "2.5k" is not
// used: counts are read against limits such as 500 or 65000, exactly).
type countTicker struct{}

func (countTicker) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'f', -1, 64)
		}
	}
	return ticks
}
