//go:build !enisim_invariants

package model

// installInvariantHook does nothing without the enisim_invariants build tag.
func installInvariantHook(*Model) {}

// invariantChecks reports whether every event is followed by CheckInvariants.
const invariantChecks = false
