// Package validate compares enisim with exact analytic oracles and with published results:
// M/G/∞ busy environments, Erlang-B blocking under the account concurrency quota, idle
// reclamation after 14 days, connection resets past the 350 s network idle timeout, the
// SimFaaS reference figures (through bench/single-function) and the coverage of the AWS
// facts sheet by named tests (docs/facts-coverage.md).
//
// Its place: it sits beside the runner. Each check builds a model.Config in Go, runs
// independent replications of the model on their own sim.Queue (sim.Parallel, seeds derived
// from one root by a stable key), records what it needs through its own model.Observer, and
// compares the replication means — with a Student-t confidence interval — to the oracle.
// cmd/validate writes the report (results/validation.md); validate_test.go runs short
// versions of every check. Derivations and assumptions: docs/validation.md.
package validate
