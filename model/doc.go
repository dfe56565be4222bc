// Package model is enisim's AWS domain: the control plane of Lambda's VPC networking
// (functions, their states and updates, Hyperplane ENIs shared per (subnet, security-group
// set), subnet IPs, the per-VPC ENI quota, EC2 rate limits, execution-role permissions, idle
// reclamation, switchover and deletion) wired to the data plane (model/dataplane:
// execution environments, concurrency, connections) and the IAM evaluator (model/iam).
//
// Its place in the loop: the runner owns a sim.Queue and calls (*Model).Handle for each
// event; Handle changes the state at s.Now() and schedules or cancels what follows.
// Everything the model observes leaves through the Observer (observe.go). The model does
// no I/O, reads no clock, starts no goroutine and draws every random number from a stream
// keyed by entity names (sim.Seed.Stream), so a run depends only on the Config and the
// seed, and adding an entity leaves the draws of the others unchanged.
//
// Hot path: an invocation is an arrival event and a completion event. Both work on dense
// slices indexed by int32 (functions, combinations, ENIs), allocate nothing in steady
// state and do constant work: idle reclamation only stores the function's last-invoked
// time, and one lazily re-armed timer per combination does the rest.
//
// Invariants (checked by CheckInvariants; after every event with -tags enisim_invariants):
//
//  1. IPs used in a subnet = its ENIs × Params.IPsPerENI + IPs taken by others ≤ usable
//     addresses (2^(32−p) − 5).
//  2. Hyperplane (and legacy) ENIs per VPC ≤ the VPC's ENI quota; (2b) an account's ENIs
//     over all its VPCs ≤ its regional network-interface quota.
//  3. Every Active function's (and published version's) combinations have at least one
//     ready ENI (Hyperplane mode), except while a failed health check's replacement is on
//     the way (replace.go).
//  4. No ENI is deleted while referenced: an ENI being deleted or lingering is detached
//     from its combination, which only happens when the combination has no reference left,
//     was reclaimed (and then its functions are no longer Active) or the ENI was replaced
//     (a rebalance or a failed health check).
//  5. State transitions follow the documented edges (State's stateEdges, checked at each
//     transition); Pending ⇔ a create/restore in progress (for versions: a restore);
//     LastUpdateStatus InProgress ⇔ an update in progress.
//  6. Connections per combination ≤ its ready ENIs × Params.ConnectionsPerENI (65,000);
//     connections per NAT gateway and destination = what environments ($LATEST's and
//     published versions') hold ≤ its limit.
//
// Design notes: docs/design/model.md. Which rule of docs/lambda-vpc-facts.md each test
// exhibits: docs/facts-coverage.md.
package model
