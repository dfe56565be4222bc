package report

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrNoResults: the directory holds neither tables nor summaries.
var ErrNoResults = errors.New("report: no results found")

// Render reads the results in resultsDir (flat or Hive layout, Arrow or Parquet) and writes
// into outDir: enis_per_vpc, ips_per_subnet, pending and latency_cdf (and, with several
// sweep points, sweep: peak use of limits per point, mean and 95% CI) as .png and .svg, and
// report.html, a self-contained page (charts inlined as SVG) with the summary of the first
// run and, across replications, means with 95% confidence intervals per sweep point.
// Output bytes depend only on the input files.
func Render(resultsDir, outDir string) error {
	sums, err := readSummaries(resultsDir)
	if err != nil {
		return err
	}
	capa, err := loadCapacity(resultsDir)
	if err != nil {
		return err
	}
	if len(sums) == 0 && len(capa.vpcs) == 0 && len(capa.subnets) == 0 {
		return fmt.Errorf("%w in %s", ErrNoResults, resultsDir)
	}
	attached, created, err := pendingDurations(resultsDir)
	if err != nil {
		return err
	}
	keep, reconn, perInv, err := latencies(resultsDir)
	if err != nil {
		return err
	}

	var charts []*chart
	c, err := limitChart("enis_per_vpc", "Hyperplane ENIs per VPC vs quota", "Hyperplane ENIs", "VPC quota", capa.vpcs, capa.runID)
	if err != nil {
		return err
	}
	charts = append(charts, c)
	if c, err = limitChart("ips_per_subnet", "IP addresses used per subnet vs usable", "IPs used", "usable IPs", capa.subnets, capa.runID); err != nil {
		return err
	}
	charts = append(charts, c)
	if c, err = pendingChart(attached, created); err != nil {
		return err
	}
	charts = append(charts, c)
	if c, err = latencyChart(keep, reconn, perInv); err != nil {
		return err
	}
	charts = append(charts, c)

	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	p := page{Title: "enisim capacity report", Runs: sums, Metrics: metrics}
	if len(sums) > 0 {
		p.Title += ": " + sums[0].Run.Scenario
		p.Key, p.KeyRun = keyFigures(sums[0]), sums[0].Run.RunID
		for _, s := range sums {
			for _, w := range s.Warnings {
				if len(sums) > 1 {
					w = s.Run.RunID + ": " + w
				}
				p.Warnings = append(p.Warnings, w)
			}
		}
	}
	if len(sums) > 1 {
		p.Sweeps = acrossRuns(sums)
		sc, err := sweepChart(p.Sweeps)
		if err != nil {
			return err
		}
		if sc != nil {
			charts = append(charts, sc)
		}
	}
	for _, c := range charts {
		png, err := c.renderPNG()
		if err != nil {
			return err
		}
		svg, err := c.renderSVG()
		if err != nil {
			return err
		}
		if err := writeFile(filepath.Join(outDir, c.name+".png"), png); err != nil {
			return err
		}
		if err := writeFile(filepath.Join(outDir, c.name+".svg"), svg); err != nil {
			return err
		}
		p.Charts = append(p.Charts, htmlChart{Title: c.title, SVG: inlineSVG(svg), PNG: c.name + ".png"})
	}
	html, err := renderHTML(p)
	if err != nil {
		return err
	}
	return writeFile(filepath.Join(outDir, "report.html"), html)
}

// writeFile writes through a temporary name and a rename, like the tables.
func writeFile(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
