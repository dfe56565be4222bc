package report

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/enisim/enisim/results"
)

// page is what the HTML template shows.
type page struct {
	Title    string
	Runs     []results.Summary
	Key      []keyFigure // the first run's figures
	KeyRun   string
	Warnings []string
	Metrics  []metric
	Sweeps   []sweepRow
	Charts   []htmlChart
}

type keyFigure struct{ Name, Value string }

type htmlChart struct {
	Title string
	SVG   template.HTML // inline: the page is one self-contained file
	PNG   string        // file name of the PNG beside the page
}

func keyFigures(s results.Summary) []keyFigure {
	var k []keyFigure
	for _, v := range s.VPCs {
		k = append(k, keyFigure{"Peak Hyperplane ENIs " + v.Account + "/" + v.VPC,
			fmt.Sprintf("%d of %d (%.0f%%) at %s", v.PeakENIs, v.Quota, 100*v.Utilization, FormatDuration(v.PeakAtS))})
	}
	for _, u := range s.Subnets {
		ex := "never exhausted"
		if u.ExhaustedAtS != nil {
			ex = "exhausted at " + FormatDuration(*u.ExhaustedAtS)
		}
		k = append(k, keyFigure{"Peak IPs " + u.Account + "/" + u.VPC + "/" + u.Subnet,
			fmt.Sprintf("%d of %d (%.0f%%), %s", u.PeakIPs, u.Usable, 100*u.Utilization, ex)})
	}
	p := s.Pending
	k = append(k,
		keyFigure{"Pending p50 / p99", fmt.Sprintf("%s / %s (%d operations)", FormatDuration(p.P50S), FormatDuration(p.P99S), p.Count)},
		keyFigure{"Pending attached / created p50", fmt.Sprintf("%s / %s", FormatDuration(p.AttachedP50S), FormatDuration(p.NewP50S))},
		keyFigure{"Invocations / cold starts / failed", fmt.Sprintf("%d / %d / %d", s.Invocations.Invocations, s.Invocations.ColdStarts, s.Invocations.Failed)},
	)
	for _, f := range s.FailedByCause {
		k = append(k, keyFigure{"Failed: " + f.Name, fmt.Sprint(f.Count)})
	}
	l := s.Latency
	k = append(k, keyFigure{"Latency p50 / p99 (" + l.Source + ")", FormatDuration(l.P50S) + " / " + FormatDuration(l.P99S)})
	if l.Source == "invocations" {
		k = append(k,
			keyFigure{"Latency keepalive p50 / p99", FormatDuration(l.KeepaliveP50S) + " / " + FormatDuration(l.KeepaliveP99S)},
			keyFigure{"Latency after reconnect p50 / p99", FormatDuration(l.ReconnectP50S) + " / " + FormatDuration(l.ReconnectP99S)})
	}
	k = append(k,
		keyFigure{"Connections reused / new / resets", fmt.Sprintf("%d / %d / %d", s.Invocations.ConnReused, s.Invocations.ConnNew, s.Invocations.ConnResets)},
		keyFigure{"Peak connections per ENI", fmt.Sprintf("%.0f of %d", s.PeakConnPerENI.PerENI, results.ConnectionsPerENILimit)},
		keyFigure{"Throttled ENI API calls", fmt.Sprint(s.ENIAPI.Throttled)},
		keyFigure{"Operations / denied by IAM", fmt.Sprintf("%d / %d", s.Operations.Total, s.Operations.Denied)},
		keyFigure{"Functions gone Inactive / recover p50", fmt.Sprintf("%d / %s", s.Functions.FunctionsInactive, FormatDuration(s.Functions.RecoverP50S))},
		keyFigure{"VPC switchovers / InProgress max", fmt.Sprintf("%d / %s", s.Switchovers.Count, FormatDuration(s.Switchovers.InProgressMaxS))},
	)
	return k
}

// formatEstimate prints "mean ± half-width" in the metric's unit, or the mean alone for a
// single replication.
func formatEstimate(e Estimate, unit string) string {
	f := func(v float64) string {
		switch unit {
		case "s":
			return FormatDuration(v)
		case "%":
			return fmt.Sprintf("%.1f%%", v)
		}
		return fmt.Sprintf("%.4g", v)
	}
	if math.IsNaN(e.Mean) {
		return "–"
	}
	if math.IsNaN(e.HalfWidth) {
		return f(e.Mean) + " (n=1)"
	}
	return fmt.Sprintf("%s ± %s (n=%d)", f(e.Mean), f(e.HalfWidth), e.N)
}

var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"est": func(e Estimate, unit string) string { return formatEstimate(e, unit) },
	"idx": func(es []Estimate, i int) Estimate { return es[i] },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>
body{font-family:sans-serif;max-width:70em;margin:1em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3}.warn{color:#a00}svg{max-width:100%;height:auto}figure{margin:1em 0}
</style></head><body>
<h1>{{.Title}}</h1>
<h2>Runs</h2>
<table><tr><th>run</th><th>sweep</th><th>rep</th><th>seed</th><th>scenario hash</th><th>enisim</th><th>parameters</th><th>complete</th></tr>
{{range .Runs}}<tr><td>{{.Run.RunID}}</td><td>{{.Run.Sweep}}</td><td>{{.Run.Rep}}</td><td>{{.Run.Seed}}</td><td>{{.Run.ScenarioHash}}</td><td>{{.Run.Version}}</td><td><code>{{.Run.ParamsJSON}}</code></td><td>{{if .Complete}}yes{{else}}<span class="warn">NO (interrupted)</span>{{end}}</td></tr>
{{end}}</table>
{{if .Warnings}}<h2>Warnings</h2><ul>{{range .Warnings}}<li class="warn">{{.}}</li>{{end}}</ul>{{end}}
{{if .Key}}<h2>Summary of run {{.KeyRun}}</h2>
<table>{{range .Key}}<tr><th>{{.Name}}</th><td>{{.Value}}</td></tr>
{{end}}</table>{{end}}
{{if .Sweeps}}<h2>Across replications: mean ± 95% confidence interval (Student t)</h2>
<table><tr><th>metric</th>{{range .Sweeps}}<th>sweep {{.Sweep}}<br><code>{{.Params}}</code></th>{{end}}</tr>
{{range $i, $m := .Metrics}}<tr><th>{{$m.Name}}</th>{{range $.Sweeps}}<td>{{est (idx .Estimates $i) $m.Unit}}</td>{{end}}</tr>
{{end}}</table>{{end}}
<h2>Charts</h2>
{{range .Charts}}<figure>{{.SVG}}<figcaption>{{.Title}} (<a href="{{.PNG}}">PNG</a>)</figcaption></figure>
{{end}}
</body></html>
`))

func renderHTML(p page) ([]byte, error) {
	var b bytes.Buffer
	if err := pageTmpl.Execute(&b, p); err != nil {
		return nil, fmt.Errorf("report: html: %w", err)
	}
	return b.Bytes(), nil
}

// inlineSVG strips the XML prolog so the SVG can sit inside HTML.
func inlineSVG(svg []byte) template.HTML {
	s := string(svg)
	if i := strings.Index(s, "<svg"); i > 0 {
		s = s[i:]
	}
	return template.HTML(s)
}
