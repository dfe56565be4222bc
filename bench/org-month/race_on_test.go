//go:build race

package orgmonth

// raceEnabled: the race detector slows the exact runs of the validation ~10×; the two
// slowest validation scenarios are then skipped (heavyUnderRace).
const raceEnabled = true
