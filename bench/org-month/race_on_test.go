//go:build race

package orgmonth

// raceEnabled: the race detector slows the exact runs of the validation ~10×; the tests
// then use one seed instead of three.
const raceEnabled = true
