// Package report renders a results directory as charts (PNG and SVG) and one
// self-contained HTML page.
//
// Place in the loop: it runs after a run (or a whole sweep) has been written by package
// results. It reads the tables back with arrow-go (Arrow IPC or Parquet, flat or Hive
// layout) and the summary.json of every run, so it works the same on a fresh run and on
// files copied from a cluster. Charts: Hyperplane ENIs per VPC and IPs per subnet over time
// against their limits, the Pending-duration distribution (attached vs created), and the
// latency CDF keepalive vs reconnect. Across replications and sweep points the HTML page
// gives means with 95% Student-t confidence intervals.
package report
