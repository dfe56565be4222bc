package report

import (
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// sweepMetrics are the figures drawn against the sweep point: both are a percentage of a
// limit, so they share the Y axis, and together they say whether a sweep runs out of ENI
// quota or of subnet addresses first.
var sweepMetrics = []string{"Peak VPC ENI quota use", "Peak subnet IP use"}

// errPoints is a mean per sweep point with its confidence half-width as error bars.
type errPoints struct {
	plotter.XYs
	half []float64
}

func (e errPoints) YError(i int) (float64, float64) { return e.half[i], e.half[i] }

// sweepChart draws, per sweep point, the mean over replications of each sweep metric with
// its 95% confidence interval as error bars. nil when there is a single sweep point.
func sweepChart(rows []sweepRow) (*chart, error) {
	if len(rows) < 2 {
		return nil, nil
	}
	p := newPlot("Peak use of limits per sweep point (mean, 95% CI over replications)", "sweep point", "% of limit")
	p.Y.Tick.Marker = countTicker{}
	c := &chart{name: "sweep", title: p.Title.Text, plot: p}
	yMax := 1.0
	for k, name := range sweepMetrics {
		mi := -1
		for i, m := range metrics {
			if m.Name == name {
				mi = i
			}
		}
		if mi < 0 {
			return nil, fmt.Errorf("report: sweep metric %q unknown", name)
		}
		var ep errPoints
		for _, r := range rows {
			e := r.Estimates[mi]
			h := e.HalfWidth
			if math.IsNaN(h) {
				h = 0 // a single replication: no interval to draw
			}
			// Offset the two metrics slightly so their error bars do not overlap.
			ep.XYs = append(ep.XYs, plotter.XY{X: float64(r.Sweep) + 0.06*float64(2*k-1), Y: e.Mean})
			ep.half = append(ep.half, h)
			yMax = math.Max(yMax, e.Mean+h)
		}
		line, points, err := plotter.NewLinePoints(ep.XYs)
		if err != nil {
			return nil, err
		}
		col := plotutil.Color(k)
		line.Color, line.Width = col, vg.Points(1.5)
		points.Color, points.Shape = col, plotutil.Shape(k)
		bars, err := plotter.NewYErrorBars(ep)
		if err != nil {
			return nil, err
		}
		bars.Color = col
		p.Add(line, points, bars)
		c.legend = append(c.legend, legendEntry{name, line})
	}
	first, last := float64(rows[0].Sweep), float64(rows[len(rows)-1].Sweep)
	p.X.Min, p.X.Max = first-0.5, last+0.5
	p.X.Tick.Marker = plot.TickerFunc(func(min, max float64) []plot.Tick {
		var ticks []plot.Tick // one labelled tick per sweep point
		for _, r := range rows {
			ticks = append(ticks, plot.Tick{Value: float64(r.Sweep), Label: strconv.Itoa(r.Sweep)})
		}
		return ticks
	})
	p.Y.Min, p.Y.Max = 0, math.Max(100, yMax)*1.05
	return c, nil
}
