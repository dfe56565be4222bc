//go:build race

package singlefunction

// raceOn shortens the long validation runs: the race detector slows the event loop ~10×
// and adds nothing to a single-goroutine simulation's checks.
const raceOn = true
