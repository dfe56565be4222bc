//go:build !race

package traces

// raceEnabled: the race detector slows the arrival iterator about tenfold, so the
// whole-day tests cover a shorter horizon under it.
const raceEnabled = false
