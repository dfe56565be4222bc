package results

import (
	"github.com/apache/arrow/go/v15/arrow"
)

// ColumnSpec describes one column: name, Arrow type, unit and meaning. docs/results.md
// lists the same columns (a test keeps the two in step).
type ColumnSpec struct {
	Name string
	Type arrow.DataType
	Unit string // "s" (seconds, float64), "count", "" for names and flags
	Doc  string
}

// TableSpec describes one output table.
type TableSpec struct {
	Name    string
	Doc     string
	Columns []ColumnSpec
}

// SchemaVersion is stored in every file's schema metadata; bump it when a column changes.
const SchemaVersion = "1"

var (
	tString  = arrow.BinaryTypes.String
	tFloat64 = arrow.PrimitiveTypes.Float64
	tInt64   = arrow.PrimitiveTypes.Int64
	tInt32   = arrow.PrimitiveTypes.Int32
	tUint64  = arrow.PrimitiveTypes.Uint64
	tBool    = arrow.FixedWidthTypes.Boolean
)

// runColumns open every table so that files of many runs, replications and sweep points
// concatenate into one dataset and still say where each row came from.
var runColumns = []ColumnSpec{
	{"run_id", tString, "", "run identifier (RunInfo.RunID); joins with the runs table"},
	{"sweep", tInt32, "", "sweep point index (0 when not sweeping)"},
	{"rep", tInt32, "", "replication index"},
}

func table(name, doc string, cols ...ColumnSpec) *TableSpec {
	all := append(append([]ColumnSpec{}, runColumns...), cols...)
	return &TableSpec{Name: name, Doc: doc, Columns: all}
}

// The tables. Times are seconds since the start of the simulated run (float64: exact to
// well under a microsecond for runs of years); spans are seconds too.
var (
	RunsTable = &TableSpec{Name: "runs", Doc: "one row per run: what produced the other tables", Columns: append(append([]ColumnSpec{}, runColumns...),
		ColumnSpec{"seed", tUint64, "", "root seed"},
		ColumnSpec{"scenario", tString, "", "scenario name"},
		ColumnSpec{"scenario_hash", tString, "", "hash of the scenario file as parsed"},
		ColumnSpec{"enisim_version", tString, "", "enisim version that wrote the run"},
		ColumnSpec{"params_json", tString, "", "run parameters (sweep values, overrides) as a JSON object"},
		ColumnSpec{"partitions", tInt32, "count", "partitions (account groups) the run was split into"},
		ColumnSpec{"complete", tBool, "", "false when the run was interrupted before its end"},
	)}

	ENISamplesTable = table("eni_samples", "Hyperplane ENIs of each (subnet, security-group set) combination, every sampling interval",
		ColumnSpec{"t_s", tFloat64, "s", "sampling time"},
		ColumnSpec{"account", tString, "", "account"},
		ColumnSpec{"vpc", tString, "", "VPC"},
		ColumnSpec{"subnet", tString, "", "subnet"},
		ColumnSpec{"sg_set", tString, "", "sorted, comma-joined security group ids"},
		ColumnSpec{"enis", tInt64, "count", "Hyperplane ENIs of the combination, ready or being created"},
		ColumnSpec{"enis_ready", tInt64, "count", "ready ENIs of the combination"},
		ColumnSpec{"enis_creating", tInt64, "count", "ENIs being created (enis - enis_ready): the creation backlog"},
		ColumnSpec{"connections", tInt64, "count", "open connections over the combination's ENIs"},
		ColumnSpec{"conns_per_eni", tFloat64, "count", "connections / enis_ready (0 without ready ENIs); the limit is 65,000"},
		ColumnSpec{"vpc_enis", tInt64, "count", "all Hyperplane ENIs in the VPC at t_s (repeated on each combination row)"},
		ColumnSpec{"vpc_quota", tInt64, "count", "Hyperplane ENI quota of the VPC"},
		ColumnSpec{"enis_deleting", tInt64, "count", "ENIs of the combination being deleted (still count against quota and subnet)"},
		ColumnSpec{"enis_lingering", tInt64, "count", "ENIs left behind after their last user was gone (still count against quota and subnet)"},
		ColumnSpec{"references", tInt64, "count", "functions and versions referencing the combination"},
	)

	SubnetSamplesTable = table("subnet_samples", "IP addresses used in each subnet, every sampling interval",
		ColumnSpec{"t_s", tFloat64, "s", "sampling time"},
		ColumnSpec{"account", tString, "", "account"},
		ColumnSpec{"vpc", tString, "", "VPC"},
		ColumnSpec{"subnet", tString, "", "subnet"},
		ColumnSpec{"ips_used", tInt64, "count", "IP addresses in use"},
		ColumnSpec{"ips_usable", tInt64, "count", "usable IP addresses (CIDR size less the 5 AWS reserves)"},
		ColumnSpec{"ips_free", tInt64, "count", "ips_usable - ips_used"},
		ColumnSpec{"ips_other", tInt64, "count", "IPs taken by other services (faults); included in ips_used"},
		ColumnSpec{"ips_legacy", tInt64, "count", "IPs taken by per-environment ENIs in legacy mode, those being deleted included; included in ips_used"},
	)

	StateChangesTable = table("state_changes", "every function State or LastUpdateStatus transition",
		ColumnSpec{"t_s", tFloat64, "s", "time of the transition"},
		ColumnSpec{"account", tString, "", "account"},
		ColumnSpec{"function", tString, "", "function name"},
		ColumnSpec{"version", tString, "", "$LATEST or a published version"},
		ColumnSpec{"from_state", tString, "", "State before: Pending, Active, Inactive, Failed"},
		ColumnSpec{"to_state", tString, "", "State after"},
		ColumnSpec{"reason", tString, "", "StateReasonCode (Creating, Restoring, Idle, EniLimitExceeded, ...)"},
		ColumnSpec{"update_from", tString, "", "LastUpdateStatus before (empty when unchanged)"},
		ColumnSpec{"update_to", tString, "", "LastUpdateStatus after (empty when unchanged)"},
	)

	OperationsTable = table("operations", "every control-plane operation: IAM decision, outcome and how long it kept the function Pending/InProgress",
		ColumnSpec{"start_s", tFloat64, "s", "time the call was made"},
		ColumnSpec{"end_s", tFloat64, "s", "time the operation completed (async operations: the update finished)"},
		ColumnSpec{"duration_s", tFloat64, "s", "end_s - start_s: Pending (create) or InProgress (update) duration"},
		ColumnSpec{"account", tString, "", "account"},
		ColumnSpec{"principal", tString, "", "IAM principal that called"},
		ColumnSpec{"op", tString, "", "API operation (CreateFunction, UpdateFunctionConfiguration, ...)"},
		ColumnSpec{"function", tString, "", "function name (empty for account-level operations)"},
		ColumnSpec{"resource", tString, "", "what an account-level operation (PutRolePolicy, DeleteRolePolicy, DeleteRole, SetQuota) applied to: role, role/policy or VPC"},
		ColumnSpec{"iam_decision", tString, "", "Allow, ImplicitDeny or ExplicitDeny; empty for account-level operations (not evaluated)"},
		ColumnSpec{"iam_statement", tString, "", "Sid (or index) of the deciding policy statement"},
		ColumnSpec{"outcome", tString, "", "Successful, Failed or Rejected"},
		ColumnSpec{"error", tString, "", "AWS error code when not successful"},
		ColumnSpec{"attached_only", tBool, "", "every ENI the operation needed already existed (attached, none created)"},
		ColumnSpec{"new_enis", tInt64, "count", "Hyperplane ENIs the operation created"},
		ColumnSpec{"from_vpc", tString, "", "VPC before (VPC switchover; empty otherwise)"},
		ColumnSpec{"to_vpc", tString, "", "VPC after (VPC switchover; empty otherwise)"},
	)

	ENIEventsTable = table("eni_events", "every step in a Hyperplane ENI's life, EC2 API throttles included",
		ColumnSpec{"t_s", tFloat64, "s", "time of the event"},
		ColumnSpec{"account", tString, "", "account"},
		ColumnSpec{"vpc", tString, "", "VPC"},
		ColumnSpec{"subnet", tString, "", "subnet"},
		ColumnSpec{"sg_set", tString, "", "sorted, comma-joined security group ids"},
		ColumnSpec{"eni", tString, "", "ENI id"},
		ColumnSpec{"event", tString, "", "Requested, Throttled, Ready, CreateFailed, Reclaimed, DeleteRequested, Deleted, Lingering, Rebalance, HealthCheckFailed, ReplaceFailed"},
		ColumnSpec{"reason", tString, "", "why (error code, reclaim cause, the throttled EC2 call, Rebalance/Replace for a replacement's request, EnvironmentGone for a legacy ENI)"},
		ColumnSpec{"duration_s", tFloat64, "s", "Ready/Deleted: time since requested; 0 otherwise"},
	)

	IntervalsTable = table("intervals", "invocation aggregates per function and sampling interval (always written)",
		ColumnSpec{"start_s", tFloat64, "s", "interval start"},
		ColumnSpec{"end_s", tFloat64, "s", "interval end"},
		ColumnSpec{"account", tString, "", "account"},
		ColumnSpec{"function", tString, "", "function name; a published version's invocations as NAME:N (its own environments, its VPC)"},
		ColumnSpec{"vpc", tString, "", "VPC that served (the old VPC while a switchover is InProgress; a version's own VPC)"},
		ColumnSpec{"invocations", tInt64, "count", "invocations"},
		ColumnSpec{"cold_starts", tInt64, "count", "invocations that started an execution environment"},
		ColumnSpec{"errors", tInt64, "count", "failed invocations: the sum over causes (table invocation_errors)"},
		ColumnSpec{"throttled", tInt64, "count", "throttled invocations"},
		ColumnSpec{"conn_reused", tInt64, "count", "kept-alive connection reused"},
		ColumnSpec{"conn_new", tInt64, "count", "connection set up"},
		ColumnSpec{"conn_resets", tInt64, "count", "reuse failed after the idle timeout, then reconnected"},
		ColumnSpec{"latency_sum_s", tFloat64, "s", "sum of invocation latencies (cold start + connection setup + operations + the function's compute)"},
		ColumnSpec{"latency_mean_s", tFloat64, "s", "latency_sum_s / invocations (0 without invocations)"},
		ColumnSpec{"latency_p50_s", tFloat64, "s", "median latency in the interval"},
		ColumnSpec{"latency_p99_s", tFloat64, "s", "99th percentile latency in the interval"},
		ColumnSpec{"cold_start_sum_s", tFloat64, "s", "sum of cold-start time"},
		ColumnSpec{"conn_setup_sum_s", tFloat64, "s", "sum of connection set-up time"},
		ColumnSpec{"operation_sum_s", tFloat64, "s", "sum of time in the function's own operation"},
		ColumnSpec{"concurrent_peak", tInt64, "count", "peak concurrent invocations"},
		ColumnSpec{"environments_alive", tInt64, "count", "execution environments alive at the interval end"},
		ColumnSpec{"init_timeouts", tInt64, "count", "init phases clamped at the 10 s limit"},
		ColumnSpec{"nat_bytes", tInt64, "bytes", "bytes sent through a NAT gateway"},
	)

	InvocationErrorsTable = table("invocation_errors", "failed invocations per function, interval and cause (long form of intervals.errors)",
		ColumnSpec{"start_s", tFloat64, "s", "interval start"},
		ColumnSpec{"end_s", tFloat64, "s", "interval end"},
		ColumnSpec{"account", tString, "", "account"},
		ColumnSpec{"function", tString, "", "function name; a published version's invocations as NAME:N (its own environments, its VPC)"},
		ColumnSpec{"vpc", tString, "", "VPC that served"},
		ColumnSpec{"error", tString, "", "AWS error code"},
		ColumnSpec{"count", tInt64, "count", "failed invocations with that code"},
	)

	InvocationsTable = table("invocations", "one row per invocation; written only when the model emits per-invocation records",
		ColumnSpec{"t_s", tFloat64, "s", "arrival time"},
		ColumnSpec{"account", tString, "", "account"},
		ColumnSpec{"function", tString, "", "function name; a published version's invocations as NAME:N (its own environments, its VPC)"},
		ColumnSpec{"vpc", tString, "", "VPC that served"},
		ColumnSpec{"cold", tBool, "", "started an execution environment"},
		ColumnSpec{"cold_start_s", tFloat64, "s", "cold-start time (0 when warm)"},
		ColumnSpec{"conn_setup_s", tFloat64, "s", "connection set-up time (0 when a kept-alive connection was reused)"},
		ColumnSpec{"operation_s", tFloat64, "s", "time in the function's own operation"},
		ColumnSpec{"latency_s", tFloat64, "s", "cold_start_s + conn_setup_s + operation_s"},
		ColumnSpec{"reconnect", tBool, "", "a kept-alive connection had been dropped (idle timeout) and was set up again"},
		ColumnSpec{"error", tString, "", "AWS error code; empty when the invocation succeeded"},
	)
)

// Tables lists every table in the order they are written and documented.
var Tables = []*TableSpec{
	RunsTable, ENISamplesTable, SubnetSamplesTable, StateChangesTable, OperationsTable,
	ENIEventsTable, IntervalsTable, InvocationErrorsTable, InvocationsTable,
}

// Schema returns the Arrow schema of t. Units go into field metadata ("unit"), the table
// name and schema version into schema metadata, so a file describes itself.
func (t *TableSpec) Schema() *arrow.Schema {
	fields := make([]arrow.Field, len(t.Columns))
	for i, c := range t.Columns {
		var md arrow.Metadata
		if c.Unit != "" {
			md = arrow.NewMetadata([]string{"unit"}, []string{c.Unit})
		}
		// Not nullable: every row fills every column, and non-null columns keep the
		// Parquet schema simple for every reader.
		fields[i] = arrow.Field{Name: c.Name, Type: c.Type, Nullable: false, Metadata: md}
	}
	md := arrow.NewMetadata([]string{"enisim.table", "enisim.schema_version"}, []string{t.Name, SchemaVersion})
	return arrow.NewSchema(fields, &md)
}
