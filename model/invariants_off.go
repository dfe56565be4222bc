//go:build !enisim_invariants

package model

// installInvariantHook does nothing without the enisim_invariants build tag.
func installInvariantHook(*Model) {}
