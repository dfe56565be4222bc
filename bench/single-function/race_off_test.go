//go:build !race

package singlefunction

const raceOn = false
