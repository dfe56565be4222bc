package model

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
)

// expDraw is a standard exponential draw (mean 1).
func expDraw(src *rand.PCG) float64 {
	return -math.Log1p(-u01(src))
}

// normDraw is a standard normal draw (Box–Muller, one value per pair of uniforms: simple
// and allocation-free; the hot path draws few normals).
func normDraw(src *rand.PCG) float64 {
	u1 := u01(src)
	if u1 < 1e-300 {
		u1 = 1e-300
	}
	u2 := u01(src)
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// logNormalDraw draws exp(mu + sigma·N(0,1)).
func logNormalDraw(mu, sigma float64, src *rand.PCG) float64 {
	if sigma == 0 {
		return math.Exp(mu)
	}
	return math.Exp(mu + sigma*normDraw(src))
}

// stableKey hashes identifiers into a stream id, so an entity's random stream depends on
// its names, not on its position in the scenario: adding a function leaves the draws of
// the others unchanged.
func stableKey(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}
