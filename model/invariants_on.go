//go:build enisim_invariants

package model

// installInvariantHook checks every invariant after every event (build tag
// enisim_invariants; CI runs the tests with and without it).
func installInvariantHook(m *Model) {
	m.onEvent = func(m *Model) {
		if err := m.CheckInvariants(); err != nil {
			panic(err)
		}
	}
}

// invariantChecks reports whether every event is followed by CheckInvariants.
const invariantChecks = true
