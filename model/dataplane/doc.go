// Package dataplane models what happens to each Lambda invocation once the control plane
// has decided a function may run: execution environments (warm reuse, cold starts, idle
// expiry), concurrency limits (account concurrency, per-function scaling rate, the
// invocations-per-second cap) and the function's network connections (TCP/TLS setup,
// keepalive reuse, resets after the network idle timeout).
//
// Its place in the loop: the control-plane model (package model) owns the sim.Queue. For
// each arriving invocation it calls Pool.Invoke, which routes the invocation to the most
// recently used idle environment or cold-starts a new one, and returns an Outcome that says
// when the invocation ends. The caller schedules a completion event at Outcome.End carrying
// PackArg(Outcome.Env, Outcome.Gen) and, when it fires, calls Pool.Complete, which may ask
// for an idle-expiry event (an Expiry); when that fires the caller calls Pool.Expire. The
// package never touches the queue itself: it returns what should be scheduled, so every
// behaviour is testable with plain calls and hand-picked times.
//
// Rules the package keeps:
//   - Pure: no I/O, no wall clock, no goroutines, no maps. Time is the sim.Time passed in;
//     randomness comes from the rand.Source passed in.
//   - Environments live in a slab indexed by EnvID (a uint32), reused through a free list;
//     idle environments form a doubly linked list ordered by the time they became idle, so
//     the most recently used one is found in O(1) and the next to expire is at the other end.
//   - Steady state allocates nothing per invocation (the slab only grows to the peak number
//     of environments).
//   - At most one expiry event per environment is pending at any time: when an expiry fires
//     for an environment that was reused meanwhile, Expire returns the corrected expiry
//     instead of destroying it. Expiry is therefore exact in simulated time without piling up
//     stale events in the queue.
//
// Numbers and rules come from docs/lambda-vpc-facts.md §2, §6, §8 and §9; design choices are
// explained in docs/design/dataplane.md.
package dataplane
