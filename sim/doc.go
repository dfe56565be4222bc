// Package sim is enisim's discrete-event engine: simulated time, the pending-event queue,
// the run loop with its bounds, seeded random streams and the partitioned parallel runner.
//
// The loop: a Queue owned by one goroutine holds small, pointer-free Events ordered by
// (time, sequence number); it keeps the events before a moving horizon in a short sorted
// array and later ones in radix buckets, which suits simulated time because nothing is
// ever scheduled in the past (docs/design/engine-queue.md has the measurements). Run
// pops the earliest event, advances the clock and hands the event to a Handler, which
// schedules or cancels further events through the Scheduler it is given. Nothing on that path takes a lock, uses a channel or an atomic. Parallel work is
// split into independent partitions, each with its own Queue (see Parallel).
//
// sim imports only the standard library and gonum (for distributions); it knows nothing of
// Lambda, files or Arrow.
package sim
