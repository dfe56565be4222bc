// Package traces reads real serverless invocation traces and turns them into a stream of
// arrivals for the simulator: the Azure Functions 2019 per-minute counts (with their
// execution-time and memory tables), the Azure Functions 2021 per-invocation trace, and a
// plain CSV format for users' own logs.
//
// Every reader is streaming with bounded memory beyond what the format itself forces (the
// 2019 table is a matrix of functions × minutes and is loaded; its arrivals are generated
// on the fly with O(functions) state plus one minute's keys, at most 2^16). Arrivals come out in global time order through the
// Arrivals iterator, one Arrival value at a time with no allocation per arrival.
//
// Bad input is reported as an *Error naming the file, line, column and field, wrapping
// ErrBadTrace. I/O errors are returned wrapped.
//
// traces imports only sim (for sim.Time, sim.Seed and sim.Dist) and the standard library.
// See docs/design/traces.md for the choices made (how a minute's count is spread, how
// durations are derived from percentiles, how disorder is handled).
package traces
