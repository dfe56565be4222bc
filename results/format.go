package results

import (
	"errors"
	"fmt"
	"strings"
)

// ErrOptions is wrapped by every error about invalid Options.
var ErrOptions = errors.New("results: invalid options")

// Format is the file format of the tables.
type Format int

const (
	// Arrow is the Arrow IPC file format ("Feather v2"), uncompressed so every Arrow reader
	// (apache-arrow for JavaScript included) opens it without codec plugins.
	Arrow Format = iota
	// Parquet is Apache Parquet, snappy-compressed, one row group per batch.
	Parquet
)

// ParseFormat maps the --format flag values "arrow" and "parquet" to a Format.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "arrow", "ipc", "feather":
		return Arrow, nil
	case "parquet":
		return Parquet, nil
	}
	return 0, fmt.Errorf("%w: format %q: want arrow or parquet", ErrOptions, s)
}

// String returns the flag value of f.
func (f Format) String() string {
	if f == Parquet {
		return "parquet"
	}
	return "arrow"
}

// Ext is the file name extension of f, without the dot.
func (f Format) Ext() string { return f.String() }

// Layout is how table files are arranged in the output directory.
type Layout int

const (
	// Flat writes DIR/TABLE.EXT: one file per table, for a single run.
	Flat Layout = iota
	// Hive writes DIR/TABLE/sweep=SSSS/rep=RR/part=PP/data.EXT, so that sharded runs,
	// replications and sweep points written into one DIR read as one dataset (DuckDB:
	// read_parquet('DIR/TABLE/**/*.parquet', hive_partitioning=true)).
	Hive
)

// ParseLayout maps "flat" and "hive" to a Layout.
func ParseLayout(s string) (Layout, error) {
	switch strings.ToLower(s) {
	case "flat", "":
		return Flat, nil
	case "hive":
		return Hive, nil
	}
	return 0, fmt.Errorf("%w: layout %q: want flat or hive", ErrOptions, s)
}

// String returns the name of l.
func (l Layout) String() string {
	if l == Hive {
		return "hive"
	}
	return "flat"
}
