package results

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"
)

// ConnectionsPerENILimit is the number of connections one Hyperplane ENI supports.
const ConnectionsPerENILimit = 65000

// NearLimitFraction: a peak at or above this fraction of its limit gets a warning.
const NearLimitFraction = 0.8

// Summary is the human-sized answer of a run, computed from the observations as they stream
// by (not by re-reading the tables). Times are seconds since the start of the run. Quantiles
// come from a 1%-bucket sketch: within 0.5% of an observed value.
type Summary struct {
	Run             RunInfo           `json:"run"`
	Complete        bool              `json:"complete"`
	VPCs            []VPCUse          `json:"vpcs"`
	TopCombinations []CombinationUse  `json:"top_combinations"`
	Subnets         []SubnetUse       `json:"subnets"`
	Pending         PendingSummary    `json:"pending"`
	Invocations     InvocationSummary `json:"invocations"`
	FailedByCause   []NameCount       `json:"failed_by_cause"`
	Latency         LatencySummary    `json:"latency"`
	PeakConnPerENI  ConnPeak          `json:"peak_connections_per_eni"`
	ENIAPI          ENIAPISummary     `json:"eni_api"`
	Operations      OperationSummary  `json:"operations"`
	Functions       FunctionSummary   `json:"functions"`
	Switchovers     SwitchoverSummary `json:"switchovers"`
	Warnings        []string          `json:"warnings"`
}

// VPCUse: the peak number of Hyperplane ENIs in one VPC against its quota.
type VPCUse struct {
	Account     string  `json:"account"`
	VPC         string  `json:"vpc"`
	PeakENIs    int64   `json:"peak_enis"`
	Quota       int64   `json:"quota"`
	PeakAtS     float64 `json:"peak_at_s"`
	Utilization float64 `json:"utilization"` // PeakENIs / Quota (0 without a quota)
	seen        bool
}

// CombinationUse: the peak ENIs of one (subnet, security-group set) combination.
type CombinationUse struct {
	Account  string  `json:"account"`
	VPC      string  `json:"vpc"`
	Subnet   string  `json:"subnet"`
	SGSet    string  `json:"sg_set"`
	PeakENIs int64   `json:"peak_enis"`
	PeakAtS  float64 `json:"peak_at_s"`
	seen     bool
}

// SubnetUse: the peak IP use of one subnet against its usable addresses.
type SubnetUse struct {
	Account      string   `json:"account"`
	VPC          string   `json:"vpc"`
	Subnet       string   `json:"subnet"`
	PeakIPs      int64    `json:"peak_ips"`
	Usable       int64    `json:"usable"`
	PeakAtS      float64  `json:"peak_at_s"`
	Utilization  float64  `json:"utilization"`
	ExhaustedAtS *float64 `json:"exhausted_at_s"` // first sample with no free IP; null if never
	seen         bool
}

// ConnPeak: the highest connections-per-ready-ENI seen, and where.
type ConnPeak struct {
	PerENI  float64 `json:"per_eni"`
	AtS     float64 `json:"at_s"`
	Account string  `json:"account"`
	VPC     string  `json:"vpc"`
	Subnet  string  `json:"subnet"`
	SGSet   string  `json:"sg_set"`
	seen    bool
}

// PendingSummary: how long create/update operations kept functions Pending or InProgress.
type PendingSummary struct {
	Count         int64   `json:"count"`
	P50S          float64 `json:"p50_s"`
	P99S          float64 `json:"p99_s"`
	MaxS          float64 `json:"max_s"`
	AttachedCount int64   `json:"attached_count"`
	AttachedP50S  float64 `json:"attached_p50_s"`
	AttachedP99S  float64 `json:"attached_p99_s"`
	NewCount      int64   `json:"new_count"`
	NewP50S       float64 `json:"new_p50_s"`
	NewP99S       float64 `json:"new_p99_s"`
}

// InvocationSummary: totals over the run, from the interval aggregates.
type InvocationSummary struct {
	Invocations int64 `json:"invocations"`
	ColdStarts  int64 `json:"cold_starts"`
	Failed      int64 `json:"failed"`
	Throttled   int64 `json:"throttled"`
	ConnReused  int64 `json:"conn_reused"`
	ConnNew     int64 `json:"conn_new"`
	ConnResets  int64 `json:"conn_resets"`
}

// LatencySummary: invocation latency. MeanS, P50S and P99S are what a caller waits per
// admitted invocation: cold start + connection setup + operations + the function's own
// compute. Source says where the quantiles come from: "histogram" — every interval's
// latency histogram merged (all invocations; relative error ≤ 1/64); "invocations" — the
// per-invocation rows (when some intervals had no histogram, e.g. aggregate fidelity;
// successful invocations only, without the function's compute, like the invocations
// table's latency_s); "intervals" — neither: invocation-weighted quantiles of the
// intervals' own p50/p99, an approximation. The keepalive/reconnect split always comes
// from per-invocation rows (latency_s: without compute) and is absent without them.
type LatencySummary struct {
	Source        string  `json:"source"`
	MeanS         float64 `json:"mean_s"`
	P50S          float64 `json:"p50_s"`
	P99S          float64 `json:"p99_s"`
	KeepaliveN    int64   `json:"keepalive_n"`
	KeepaliveP50S float64 `json:"keepalive_p50_s"`
	KeepaliveP99S float64 `json:"keepalive_p99_s"`
	ReconnectN    int64   `json:"reconnect_n"`
	ReconnectP50S float64 `json:"reconnect_p50_s"`
	ReconnectP99S float64 `json:"reconnect_p99_s"`
}

// ENIAPISummary counts ENI lifecycle events; Throttled is EC2 API throttling of ENI calls.
type ENIAPISummary struct {
	Requested    int64 `json:"requested"`
	Ready        int64 `json:"ready"`
	CreateFailed int64 `json:"create_failed"`
	Throttled    int64 `json:"throttled"`
	Deleted      int64 `json:"deleted"`
}

// OperationSummary counts control-plane operations by IAM decision and by outcome.
type OperationSummary struct {
	Total      int64       `json:"total"`
	Denied     int64       `json:"denied"`
	ByDecision []NameCount `json:"by_decision"`
	ByOutcome  []NameCount `json:"by_outcome"`
}

// FunctionSummary: functions that went Inactive and how long they took to come back.
type FunctionSummary struct {
	InactiveTransitions int64   `json:"inactive_transitions"`
	FunctionsInactive   int64   `json:"functions_inactive"`
	Recovered           int64   `json:"recovered"`
	RecoverP50S         float64 `json:"recover_p50_s"`
	RecoverMaxS         float64 `json:"recover_max_s"`
}

// SwitchoverSummary: VPC switchovers (operations with from_vpc != to_vpc) and how long they
// were InProgress.
type SwitchoverSummary struct {
	Count          int64   `json:"count"`
	InProgressP50S float64 `json:"in_progress_p50_s"`
	InProgressMaxS float64 `json:"in_progress_max_s"`
}

// NameCount is one row of a count by name, sorted by count (descending), then name.
type NameCount struct {
	Name  string `json:"name"`
	Count int64  `json:"count"`
}

// topCombinations is how many (subnet, SG set) combinations the summary lists.
const topCombinations = 10

func sortedCounts(m map[string]int64) []NameCount {
	out := make([]NameCount, 0, len(m))
	for k, v := range m {
		out = append(out, NameCount{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func ratio(a, b int64) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// summary computes the Summary of everything c has seen.
func (c *collector) summary(run RunInfo, complete bool) Summary {
	s := Summary{Run: run, Complete: complete, VPCs: []VPCUse{}, TopCombinations: []CombinationUse{},
		Subnets: []SubnetUse{}, Warnings: []string{}}
	for _, v := range c.vpcs {
		u := *v
		u.Utilization = ratio(u.PeakENIs, u.Quota)
		s.VPCs = append(s.VPCs, u)
	}
	sort.Slice(s.VPCs, func(i, j int) bool {
		a, b := s.VPCs[i], s.VPCs[j]
		return a.Account < b.Account || (a.Account == b.Account && a.VPC < b.VPC)
	})
	for _, v := range c.combos {
		s.TopCombinations = append(s.TopCombinations, *v)
	}
	sort.Slice(s.TopCombinations, func(i, j int) bool {
		a, b := s.TopCombinations[i], s.TopCombinations[j]
		if a.PeakENIs != b.PeakENIs {
			return a.PeakENIs > b.PeakENIs
		}
		ka := a.Account + sep + a.VPC + sep + a.Subnet + sep + a.SGSet
		kb := b.Account + sep + b.VPC + sep + b.Subnet + sep + b.SGSet
		return ka < kb
	})
	if len(s.TopCombinations) > topCombinations {
		s.TopCombinations = s.TopCombinations[:topCombinations]
	}
	for _, v := range c.subnets {
		u := *v
		u.Utilization = ratio(u.PeakIPs, u.Usable)
		s.Subnets = append(s.Subnets, u)
	}
	sort.Slice(s.Subnets, func(i, j int) bool {
		a, b := s.Subnets[i], s.Subnets[j]
		return a.Account+sep+a.VPC+sep+a.Subnet < b.Account+sep+b.VPC+sep+b.Subnet
	})
	s.PeakConnPerENI = c.connPer
	s.Pending = PendingSummary{
		Count: int64(c.pending.n), P50S: c.pending.quantile(0.5), P99S: c.pending.quantile(0.99), MaxS: c.pending.max,
		AttachedCount: int64(c.pendingAttached.n), AttachedP50S: c.pendingAttached.quantile(0.5), AttachedP99S: c.pendingAttached.quantile(0.99),
		NewCount: int64(c.pendingNew.n), NewP50S: c.pendingNew.quantile(0.5), NewP99S: c.pendingNew.quantile(0.99),
	}
	s.Invocations = c.inv
	s.FailedByCause = sortedCounts(c.errByCause)
	s.Latency = c.latency()
	s.ENIAPI = c.eni
	s.Operations = OperationSummary{Total: c.opTotal, Denied: c.opDenied,
		ByDecision: sortedCounts(c.opDecision), ByOutcome: sortedCounts(c.opOutcome)}
	s.Functions = FunctionSummary{InactiveTransitions: c.inactiveTransitions, FunctionsInactive: int64(len(c.inactiveFns)),
		Recovered: int64(c.recover.n), RecoverP50S: c.recover.quantile(0.5), RecoverMaxS: c.recover.max}
	s.Switchovers = SwitchoverSummary{Count: int64(c.switchover.n), InProgressP50S: c.switchover.quantile(0.5), InProgressMaxS: c.switchover.max}
	s.Warnings = warnings(&s)
	return s
}

func (c *collector) latency() LatencySummary {
	var l LatencySummary
	if c.inv.Invocations > 0 {
		l.MeanS = c.latSumS / float64(c.inv.Invocations)
	}
	if c.invRows > 0 {
		l.KeepaliveN, l.KeepaliveP50S, l.KeepaliveP99S = int64(c.latKeepalive.n), c.latKeepalive.quantile(0.5), c.latKeepalive.quantile(0.99)
		l.ReconnectN, l.ReconnectP50S, l.ReconnectP99S = int64(c.latReconnect.n), c.latReconnect.quantile(0.5), c.latReconnect.quantile(0.99)
	}
	switch {
	case c.latHist.Count() > 0 && c.latNoHist == 0:
		l.Source = "histogram"
		l.P50S, l.P99S = c.latHist.Quantile(0.5).Seconds(), c.latHist.Quantile(0.99).Seconds()
	case c.invRows > 0:
		l.Source = "invocations"
		l.P50S, l.P99S = c.latAll.quantile(0.5), c.latAll.quantile(0.99)
	default:
		l.Source = "intervals"
		l.P50S, l.P99S = c.latIvP50.quantile(0.5), c.latIvP99.quantile(0.99)
	}
	return l
}

// warnings lists every limit that was hit or came within 20%, most severe first.
func warnings(s *Summary) []string {
	var hit, near []string
	check := func(what string, used, limit int64, atS float64) {
		if limit <= 0 {
			return
		}
		switch {
		case used >= limit:
			hit = append(hit, fmt.Sprintf("LIMIT HIT: %s reached %d of %d at %s", what, used, limit, FormatSeconds(atS)))
		case float64(used) >= NearLimitFraction*float64(limit):
			near = append(near, fmt.Sprintf("NEAR LIMIT: %s peaked at %d of %d (%.0f%%) at %s", what, used, limit, 100*ratio(used, limit), FormatSeconds(atS)))
		}
	}
	for _, v := range s.VPCs {
		check(fmt.Sprintf("Hyperplane ENIs in VPC %s/%s", v.Account, v.VPC), v.PeakENIs, v.Quota, v.PeakAtS)
	}
	for _, u := range s.Subnets {
		check(fmt.Sprintf("IPs in subnet %s/%s/%s", u.Account, u.VPC, u.Subnet), u.PeakIPs, u.Usable, u.PeakAtS)
	}
	if p := s.PeakConnPerENI; p.seen || p.PerENI > 0 {
		check(fmt.Sprintf("connections per ENI in %s/%s/%s [%s]", p.Account, p.VPC, p.Subnet, p.SGSet),
			int64(math.Ceil(p.PerENI)), ConnectionsPerENILimit, p.AtS)
	}
	if s.ENIAPI.Throttled > 0 {
		hit = append(hit, fmt.Sprintf("THROTTLED: %d EC2 ENI API calls were throttled", s.ENIAPI.Throttled))
	}
	return append(append([]string{}, hit...), near...)
}

// FormatSeconds prints a time or span in the largest fitting unit: "850ms", "42.0s",
// "12m30s", "5h20m", "3d04h".
func FormatSeconds(s float64) string {
	switch {
	case s < 1:
		return fmt.Sprintf("%.0fms", s*1000)
	case s < 60:
		return fmt.Sprintf("%.1fs", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", int(s)/60, int(s)%60)
	case s < 86400:
		return fmt.Sprintf("%dh%02dm", int(s)/3600, int(s)%3600/60)
	}
	return fmt.Sprintf("%dd%02dh", int(s)/86400, int(s)%86400/3600)
}

// WriteJSON writes s as indented JSON (summary.json).
func (s Summary) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("results: summary JSON: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// WriteText writes the capacity summary for a terminal.
func (s Summary) WriteText(w io.Writer) error {
	var b strings.Builder
	state := "complete"
	if !s.Complete {
		state = "INCOMPLETE (interrupted)"
	}
	fmt.Fprintf(&b, "enisim %s  scenario %s (%s)  seed %d  sweep %d rep %d  run %s: %s\n\n",
		s.Run.Version, s.Run.Scenario, s.Run.ScenarioHash, s.Run.Seed, s.Run.Sweep, s.Run.Rep, s.Run.RunID, state)

	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "Hyperplane ENIs per VPC\tpeak\tquota\tuse\tat")
	for _, v := range s.VPCs {
		fmt.Fprintf(tw, "  %s/%s\t%d\t%d\t%.0f%%\t%s\n", v.Account, v.VPC, v.PeakENIs, v.Quota, 100*v.Utilization, FormatSeconds(v.PeakAtS))
	}
	fmt.Fprintln(tw, "Top (subnet, SG set) combinations\tpeak ENIs\t\t\tat")
	for _, c := range s.TopCombinations {
		fmt.Fprintf(tw, "  %s/%s/%s [%s]\t%d\t\t\t%s\n", c.Account, c.VPC, c.Subnet, c.SGSet, c.PeakENIs, FormatSeconds(c.PeakAtS))
	}
	fmt.Fprintln(tw, "IPs per subnet\tpeak\tusable\tuse\tat\texhausted at")
	for _, u := range s.Subnets {
		ex := "never"
		if u.ExhaustedAtS != nil {
			ex = FormatSeconds(*u.ExhaustedAtS)
		}
		fmt.Fprintf(tw, "  %s/%s/%s\t%d\t%d\t%.0f%%\t%s\t%s\n", u.Account, u.VPC, u.Subnet, u.PeakIPs, u.Usable, 100*u.Utilization, FormatSeconds(u.PeakAtS), ex)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	p := s.Pending
	fmt.Fprintf(&b, "\nPending/InProgress (%d ops): p50 %s  p99 %s  max %s\n", p.Count, FormatSeconds(p.P50S), FormatSeconds(p.P99S), FormatSeconds(p.MaxS))
	fmt.Fprintf(&b, "  attached to existing ENIs (%d): p50 %s  p99 %s\n", p.AttachedCount, FormatSeconds(p.AttachedP50S), FormatSeconds(p.AttachedP99S))
	fmt.Fprintf(&b, "  created new ENIs (%d): p50 %s  p99 %s\n", p.NewCount, FormatSeconds(p.NewP50S), FormatSeconds(p.NewP99S))
	iv := s.Invocations
	fmt.Fprintf(&b, "\nInvocations %d  cold starts %d  failed %d  throttled %d\n", iv.Invocations, iv.ColdStarts, iv.Failed, iv.Throttled)
	for _, f := range s.FailedByCause {
		fmt.Fprintf(&b, "  failed: %s %d\n", f.Name, f.Count)
	}
	fmt.Fprintf(&b, "Connections: reused %d  new %d  resets %d  peak per ENI %.0f of %d\n", iv.ConnReused, iv.ConnNew, iv.ConnResets, s.PeakConnPerENI.PerENI, ConnectionsPerENILimit)
	l := s.Latency
	fmt.Fprintf(&b, "Latency (%s): mean %s  p50 %s  p99 %s\n", l.Source, FormatSeconds(l.MeanS), FormatSeconds(l.P50S), FormatSeconds(l.P99S))
	if l.KeepaliveN+l.ReconnectN > 0 {
		fmt.Fprintf(&b, "  per-invocation rows, without the function's compute:\n")
		fmt.Fprintf(&b, "  keepalive reuse (%d): p50 %s  p99 %s\n", l.KeepaliveN, FormatSeconds(l.KeepaliveP50S), FormatSeconds(l.KeepaliveP99S))
		fmt.Fprintf(&b, "  after reconnect (%d): p50 %s  p99 %s\n", l.ReconnectN, FormatSeconds(l.ReconnectP50S), FormatSeconds(l.ReconnectP99S))
	} else {
		fmt.Fprintf(&b, "  (per-invocation output off: keepalive/reconnect split unavailable)\n")
	}
	e := s.ENIAPI
	fmt.Fprintf(&b, "\nENI API: requested %d  ready %d  create failed %d  throttled %d  deleted %d\n", e.Requested, e.Ready, e.CreateFailed, e.Throttled, e.Deleted)
	fmt.Fprintf(&b, "Operations %d  denied by IAM %d", s.Operations.Total, s.Operations.Denied)
	for _, o := range s.Operations.ByOutcome {
		fmt.Fprintf(&b, "  %s %d", o.Name, o.Count)
	}
	fn := s.Functions
	fmt.Fprintf(&b, "\nFunctions gone Inactive %d (%d transitions)  recovered %d: p50 %s  max %s\n", fn.FunctionsInactive, fn.InactiveTransitions, fn.Recovered, FormatSeconds(fn.RecoverP50S), FormatSeconds(fn.RecoverMaxS))
	fmt.Fprintf(&b, "VPC switchovers %d: InProgress p50 %s  max %s\n", s.Switchovers.Count, FormatSeconds(s.Switchovers.InProgressP50S), FormatSeconds(s.Switchovers.InProgressMaxS))
	if len(s.Warnings) == 0 {
		fmt.Fprintf(&b, "\nNo limit reached or within %.0f%%.\n", 100*(1-NearLimitFraction))
	} else {
		fmt.Fprintln(&b, "\nWarnings:")
		for _, w := range s.Warnings {
			fmt.Fprintf(&b, "  %s\n", w)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
