package sim

import (
	"hash/fnv"
	"math/rand/v2"
)

// Seed is the root of every random draw in a run.
type Seed uint64

// Stream returns the random source for (name, id): it depends only on the root seed and
// the key, never on how many other streams exist or in what order they were made, so
// adding an entity to a scenario leaves the draws of the others unchanged.
func (s Seed) Stream(name string, id uint64) *rand.PCG {
	h := fnv.New64a()
	h.Write([]byte(name))
	k := h.Sum64()
	a := splitmix(uint64(s) ^ splitmix(k))
	b := splitmix(a ^ splitmix(id+0x9e3779b97f4a7c15))
	return rand.NewPCG(a, b)
}

// Derive returns a child seed for a sub-run (a replication, a sweep point, a partition)
// from a stable key, so the child's streams do not depend on execution order.
func (s Seed) Derive(name string, id uint64) Seed {
	p := s.Stream(name, id)
	return Seed(p.Uint64())
}

// splitmix is the SplitMix64 finaliser: a bijective mix of 64 bits.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
