//go:build !race

package orgmonth

const raceEnabled = false
