package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// chart is a plot plus the legend drawn beneath it (never over the data).
type chart struct {
	name   string // file name stem
	title  string
	plot   *plot.Plot
	legend []legendEntry
}

type legendEntry struct {
	label string
	thumb plot.Thumbnailer
}

// maxLines bounds the series drawn per capacity chart; the title says how many exist.
const maxLines = 8

var dashed = []vg.Length{vg.Points(5), vg.Points(3)}

func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.Padding = vg.Points(8)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Add(plotter.NewGrid())
	return p
}

// limitChart draws each series solid and its limit dashed in the same colour, time on X in
// hours/days from 0, Y from 0. When every series stays below a quarter of its limit, the Y
// axis fits the data instead (the limits would flatten every line onto the floor) and the
// title says the limits are off scale; the legend still gives each peak against its limit.
func limitChart(name, title, yLabel, what string, m map[string]*series, runID string) (*chart, error) {
	top, total := topSeries(m, maxLines)
	if total > len(top) {
		title = fmt.Sprintf("%s (top %d of %d by use of limit)", title, len(top), total)
	}
	p := newPlot(title, "time since start of run "+runID, yLabel)
	p.X.Tick.Marker = DurationTicker{}
	p.Y.Tick.Marker = countTicker{}
	c := &chart{name: name, title: title, plot: p}
	xMax, peak, limit, use := 1.0, 0.0, 0.0, 0.0
	for _, s := range top {
		for _, pt := range s.pts {
			xMax = math.Max(xMax, pt.X)
		}
		peak, limit, use = math.Max(peak, s.peak), math.Max(limit, s.limit), math.Max(use, s.use())
	}
	showLimits := use >= 0.25
	for i, s := range top {
		col := plotutil.Color(i)
		l, err := plotter.NewLine(downsample(s.pts))
		if err != nil {
			return nil, fmt.Errorf("report: %s %s: %w", name, s.key, err)
		}
		l.Color, l.Width = col, vg.Points(1.5)
		p.Add(l)
		label := fmt.Sprintf("%s (peak %.0f", s.key, s.peak)
		if s.limit > 0 {
			if showLimits {
				lim, err := plotter.NewLine(plotter.XYs{{X: 0, Y: s.limit}, {X: xMax, Y: s.limit}})
				if err != nil {
					return nil, err
				}
				lim.Color, lim.Dashes, lim.Width = col, dashed, vg.Points(1)
				p.Add(lim)
			}
			label += fmt.Sprintf(" of %.0f, %.0f%%", s.limit, 100*s.use())
		}
		c.legend = append(c.legend, legendEntry{label + ")", l})
	}
	yMax := math.Max(1, peak*1.25)
	switch {
	case len(top) == 0:
	case showLimits:
		ex := plotter.NewFunction(func(float64) float64 { return math.NaN() })
		ex.Color, ex.Dashes = color.Black, dashed
		c.legend = append(c.legend, legendEntry{"dashed: " + what, ex})
		yMax = math.Max(peak, limit) * 1.05
	default:
		p.Title.Text += fmt.Sprintf(" (%s off scale: peak use %.0f%%)", what, 100*use)
	}
	p.X.Min, p.X.Max = 0, xMax
	p.Y.Min, p.Y.Max = 0, yMax
	return c, nil
}

// pendingChart draws the distribution of Pending durations, attached-only vs created-new,
// as counts over shared logarithmic bins (durations span seconds to many minutes), as step
// lines so both stay visible where they overlap.
func pendingChart(attached, created []float64) (*chart, error) {
	p := newPlot("Pending / InProgress duration per create or update", "duration (log scale)", "operations")
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = logDurationTicker{}
	p.Y.Tick.Marker = countTicker{}
	c := &chart{name: "pending", title: p.Title.Text, plot: p}
	const floor = 0.1 // shorter durations (immediate attaches) are drawn in the first bin
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range append(append([]float64{}, attached...), created...) {
		v = math.Max(v, floor)
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if math.IsInf(lo, 0) {
		p.X.Min, p.X.Max = 1, 60
		return c, nil
	}
	lo, hi = lo/1.05, hi*1.05
	const bins = 40
	w := math.Log(hi/lo) / bins
	edge := func(b int) float64 { return lo * math.Exp(float64(b)*w) }
	yMax := 1.0
	for i, d := range []struct {
		label string
		vs    []float64
	}{{"attached to existing ENIs", attached}, {"created new ENIs", created}} {
		counts := make([]float64, bins)
		for _, v := range d.vs {
			b := int(math.Log(math.Max(v, floor)/lo) / w)
			counts[max(0, min(b, bins-1))]++
		}
		pts := make(plotter.XYs, 0, 2*bins)
		for b, n := range counts {
			pts = append(pts, plotter.XY{X: edge(b), Y: n}, plotter.XY{X: edge(b + 1), Y: n})
			yMax = math.Max(yMax, n)
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = plotutil.Color(i), vg.Points(1.5)
		p.Add(l)
		c.legend = append(c.legend, legendEntry{fmt.Sprintf("%s (%d)", d.label, len(d.vs)), l})
	}
	p.X.Min, p.X.Max = lo, hi
	p.Y.Min, p.Y.Max = 0, yMax*1.05
	return c, nil
}

// latencyChart draws the latency CDFs keepalive vs reconnect on a logarithmic time axis.
func latencyChart(keep, reconnect *logHist, perInvocation bool) (*chart, error) {
	title := "Invocation latency CDF: kept-alive connection vs reconnect"
	a, b := "kept-alive connection reused", "after reconnect (idle timeout)"
	if !perInvocation {
		title = "Interval mean latency CDF (per-invocation output off)"
		a, b = "intervals without connection resets", "intervals with connection resets"
	}
	p := newPlot(title, "latency", "fraction of invocations")
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = logDurationTicker{}
	c := &chart{name: "latency_cdf", title: title, plot: p}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, d := range []struct {
		label string
		h     *logHist
	}{{a, keep}, {b, reconnect}} {
		if d.h.n == 0 {
			continue
		}
		pts := append(plotter.XYs{{X: d.h.cdf()[0].X / 1.2, Y: 0}}, d.h.cdf()...) // the step up from 0
		lo, hi = math.Min(lo, pts[0].X), math.Max(hi, pts[len(pts)-1].X)
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = plotutil.Color(i), vg.Points(1.5)
		l.StepStyle = plotter.PostStep
		p.Add(l)
		c.legend = append(c.legend, legendEntry{fmt.Sprintf("%s (%d, p50 %s, p99 %s)", d.label, d.h.n,
			FormatDuration(d.h.quantile(0.5)), FormatDuration(d.h.quantile(0.99))), l})
	}
	if !math.IsInf(lo, 0) {
		p.X.Min, p.X.Max = lo/1.5, hi*1.5
	} else {
		p.X.Min, p.X.Max = 1e-3, 1
	}
	p.Y.Min, p.Y.Max = 0, 1.02
	return c, nil
}

// Chart size: a 16:9 plot area plus the legend strip.
const (
	chartW   = 9 * vg.Inch
	plotH    = 4.5 * vg.Inch
	rowH     = 14 // points per legend row
	legendPd = 6
)

// legendCols: two columns unless a label would not fit in half the width.
func (c *chart) legendCols() int {
	for _, e := range c.legend {
		if len(e.label) > 48 {
			return 1
		}
	}
	return 2
}

func (c *chart) legendRows() int {
	n := c.legendCols()
	return (len(c.legend) + n - 1) / n
}

// draw lays the plot out above the legend.
func (c *chart) draw(dc draw.Canvas) {
	cols, rows := c.legendCols(), c.legendRows()
	legH := vg.Length(rows*rowH + 2*legendPd)
	c.plot.Draw(draw.Crop(dc, 0, 0, legH, 0))
	area := draw.Crop(dc, vg.Points(legendPd*4), -vg.Points(legendPd), vg.Points(legendPd), -(dc.Max.Y - dc.Min.Y - legH))
	half := (area.Max.X - area.Min.X) / vg.Length(cols)
	for col := 0; col < cols; col++ {
		l := plot.NewLegend()
		l.Top, l.Left = true, true
		l.Padding = vg.Points(rowH) - l.TextStyle.Font.Size
		for i := col * rows; i < min((col+1)*rows, len(c.legend)); i++ {
			l.Add(c.legend[i].label, c.legend[i].thumb)
		}
		cc := area
		cc.Min.X += vg.Length(col) * half
		cc.Max.X = cc.Min.X + half
		l.Draw(cc)
	}
}

func (c *chart) height() vg.Length {
	return plotH + vg.Length(c.legendRows()*rowH+2*legendPd)
}

// renderPNG and renderSVG give byte-identical output for identical charts.
func (c *chart) renderPNG() ([]byte, error) {
	img := vgimg.NewWith(vgimg.UseWH(chartW, c.height()), vgimg.UseDPI(96))
	c.draw(draw.New(img))
	var b bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&b); err != nil {
		return nil, fmt.Errorf("report: %s.png: %w", c.name, err)
	}
	return b.Bytes(), nil
}

func (c *chart) renderSVG() ([]byte, error) {
	svg := vgsvg.New(chartW, c.height())
	c.draw(draw.New(svg))
	var b bytes.Buffer
	if _, err := svg.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("report: %s.svg: %w", c.name, err)
	}
	return b.Bytes(), nil
}
