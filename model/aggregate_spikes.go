package model

import "github.com/enisim/enisim/sim"

// RTT spikes at the aggregate level. At the exact level (applySpikes) an invocation
// arriving inside a spike window has its network time — connection set-ups and operations
// — multiplied by the window's factor (by the product of the factors of overlapping
// windows). An aggregate step applies the mean of that factor over its arrivals: the first
// one's at t0, and for the rest the factor of each piece between window boundaries
// weighted by the piece's expected arrivals (the workload's rate integrated, as for the
// step's count).

// spikeAt is the factor an invocation arriving at t meets.
func (m *Model) spikeAt(t sim.Time) float64 {
	f := 1.0
	for _, sp := range m.rttSpikes {
		if t >= sim.Time(sp.Start) && t < sim.Time(sp.End) {
			f *= sp.Factor
		}
	}
	return f
}

// spikeMean is the mean factor over a step's arrivals in [t0, end): with first, one at
// t0 and k spread like the workload's rate; otherwise only the k.
func (m *Model) spikeMean(wl *workload, t0, end sim.Time, first bool, k int64) float64 {
	overlap := false
	for _, sp := range m.rttSpikes {
		if sim.Time(sp.Start) < end && sim.Time(sp.End) > t0 {
			overlap = true
			break
		}
	}
	if !overlap {
		return 1
	}
	mean := m.spikeAt(t0)
	if tot := expected(wl, t0, end); tot > 0 {
		sum := 0.0
		for a := t0; a < end; {
			b := end
			for _, sp := range m.rttSpikes {
				b = nextBoundary(b, a, sp.Start, sp.End)
			}
			sum += expected(wl, a, b) * m.spikeAt(a)
			a = b
		}
		mean = sum / tot
	}
	if !first {
		return mean
	}
	return (m.spikeAt(t0) + float64(k)*mean) / float64(k+1)
}
