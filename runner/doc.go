// Package runner wires one scenario run together: scenarios → model (one per partition) →
// sim (one Queue per partition, partitions in parallel) → results. It holds no domain
// logic; cmd/enisim and bench/ call it.
//
// A run is a list of work units — sweep point × replication — each split into the model's
// account partitions. A unit's seed derives from the root seed and the unit's identity
// (the sweep point's parameter assignments and the replication), never from worker or shard
// counts, so any split of the work computes the same tables.
package runner
