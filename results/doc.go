// Package results turns what the model observes into files a capacity planner can query.
//
// Place in the loop: the model emits observation records through model.Observer; a Sink (one
// per partition, i.e. per account group run on one goroutine) implements that interface,
// appends each record to an Arrow record builder, and flushes bounded batches (64 Ki rows by
// default) to an Arrow IPC or Parquet file, so memory stays flat however long the run is. A
// Run owns the partitions' Sinks, the run metadata and the summary: Run.Close merges the
// partitions in partition order (never in completion order), so the bytes written depend on
// the scenario and the seed, not on the number of workers.
//
// Every file is written under a temporary name in its final directory, fsynced and renamed,
// so a crash never leaves a file that looks finished. A run directory carries an _INCOMPLETE
// marker from Create until Close(true) has renamed every file; a run closed with
// Close(false) (interrupted) keeps the marker and says so in summary.json and the runs table.
//
// The tables, their columns, units and the queries that answer the capacity questions are
// documented in docs/results.md; the column list there is generated from Tables.
package results
