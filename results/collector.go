package results

import (
	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/model/dataplane"
)

// collector accumulates what the Summary reports, from the same observations the tables get,
// in memory that grows with the number of VPCs, subnets and functions, not with run length.
// Every merge step is commutative (max with earliest-time tie-break, sums, sketch merges),
// and every output is sorted, so the Summary does not depend on partition completion order.
type collector struct {
	vpcs    map[key]*VPCUse
	combos  map[key]*CombinationUse
	subnets map[key]*SubnetUse
	connPer ConnPeak

	pending, pendingAttached, pendingNew sketch
	switchover                           sketch
	recover                              sketch
	leftInactive                         map[key]float64 // function -> time it left Inactive
	inactiveTransitions                  int64
	inactiveFns                          map[key]bool

	inv          InvocationSummary
	errByCause   map[string]int64
	latSumS      float64
	invRows      int64
	latAll       sketch // from invocation rows
	latKeepalive sketch
	latReconnect sketch
	latIvP50     sketch // from interval aggregates, weighted by invocations
	latIvP99     sketch
	// latHist merges the intervals' latency histograms; latNoHist counts invocations of
	// intervals that had none (aggregate fidelity), which make it incomplete.
	latHist   dataplane.Histogram
	latNoHist int64

	eni        ENIAPISummary
	opDecision map[string]int64
	opOutcome  map[string]int64
	opTotal    int64
	opDenied   int64
}

func newCollector() *collector {
	return &collector{
		vpcs: map[key]*VPCUse{}, combos: map[key]*CombinationUse{}, subnets: map[key]*SubnetUse{},
		leftInactive: map[key]float64{}, inactiveFns: map[key]bool{},
		errByCause: map[string]int64{}, opDecision: map[string]int64{}, opOutcome: map[string]int64{},
	}
}

// key identifies a VPC, subnet, combination or function by its names; a struct of
// strings, so map lookups on the per-row path allocate nothing.
type key struct{ a, b, c, d string }

const sep = "\x00"

// higher reports whether (v, t) beats the current peak (pv, pt): larger value, or the same
// value earlier. Commutative, so merges in any order give the same peak.
func higher(v float64, t float64, pv float64, pt float64, seen bool) bool {
	return !seen || v > pv || (v == pv && t < pt)
}

func (c *collector) eniSample(s model.ENISample) {
	t := s.At.Seconds()
	k := key{a: s.Account, b: s.VPC}
	v := c.vpcs[k]
	if v == nil {
		v = &VPCUse{Account: s.Account, VPC: s.VPC}
		c.vpcs[k] = v
	}
	if higher(float64(s.VPCENIs), t, float64(v.PeakENIs), v.PeakAtS, v.seen) {
		v.PeakENIs, v.Quota, v.PeakAtS, v.seen = int64(s.VPCENIs), int64(s.VPCQuota), t, true
	}
	ck := key{s.Account, s.VPC, s.Subnet, s.SGSet}
	cb := c.combos[ck]
	if cb == nil {
		cb = &CombinationUse{Account: s.Account, VPC: s.VPC, Subnet: s.Subnet, SGSet: s.SGSet}
		c.combos[ck] = cb
	}
	if higher(float64(s.ENIs), t, float64(cb.PeakENIs), cb.PeakAtS, cb.seen) {
		cb.PeakENIs, cb.PeakAtS, cb.seen = int64(s.ENIs), t, true
	}
	if s.ENIsReady > 0 {
		per := float64(s.Connections) / float64(s.ENIsReady)
		if higher(per, t, c.connPer.PerENI, c.connPer.AtS, c.connPer.seen) {
			c.connPer = ConnPeak{PerENI: per, AtS: t, Account: s.Account, VPC: s.VPC, Subnet: s.Subnet, SGSet: s.SGSet, seen: true}
		}
	}
}

func (c *collector) subnetSample(s model.SubnetSample) {
	t := s.At.Seconds()
	k := key{a: s.Account, b: s.VPC, c: s.Subnet}
	u := c.subnets[k]
	if u == nil {
		u = &SubnetUse{Account: s.Account, VPC: s.VPC, Subnet: s.Subnet}
		c.subnets[k] = u
	}
	if higher(float64(s.IPsUsed), t, float64(u.PeakIPs), u.PeakAtS, u.seen) {
		u.PeakIPs, u.Usable, u.PeakAtS, u.seen = int64(s.IPsUsed), int64(s.IPsUsable), t, true
	}
	if s.IPsUsable > 0 && s.IPsUsed >= s.IPsUsable && (u.ExhaustedAtS == nil || t < *u.ExhaustedAtS) {
		at := t
		u.ExhaustedAtS = &at
	}
}

func (c *collector) stateChange(s model.StateChange) {
	k := key{a: s.Account, b: s.Function, c: s.Version}
	t := s.At.Seconds()
	if s.To == "Inactive" && s.From != "Inactive" {
		c.inactiveTransitions++
		c.inactiveFns[key{a: s.Account, b: s.Function}] = true
	}
	if s.From == "Inactive" && s.To != "Inactive" {
		c.leftInactive[k] = t
	}
	if s.To == "Active" {
		if at, ok := c.leftInactive[k]; ok {
			c.recover.add(t-at, 1)
			delete(c.leftInactive, k)
		}
	}
}

// isPendingOp: operations that put a function into Pending (create) or InProgress (update)
// while its Hyperplane ENIs are attached or created.
func isPendingOp(op string) bool {
	switch op {
	case "CreateFunction", "UpdateFunctionConfiguration", "PublishVersion":
		return true
	}
	return false
}

func (c *collector) operation(o model.Operation) {
	c.opTotal++
	dec := o.IAMDecision
	if dec == "" {
		dec = "(not evaluated)" // account-level operations: the model checks no policy
	}
	c.opDecision[dec]++
	c.opOutcome[o.Outcome]++
	if o.IAMDecision != "" && o.IAMDecision != "Allow" {
		c.opDenied++
	}
	d := o.End.Sub(o.Start).Seconds()
	if isPendingOp(o.Op) && o.Outcome != "Rejected" {
		c.pending.add(d, 1)
		if o.AttachedOnly {
			c.pendingAttached.add(d, 1)
		} else {
			c.pendingNew.add(d, 1)
		}
	}
	if o.FromVPC != "" && o.ToVPC != "" && o.FromVPC != o.ToVPC && o.Outcome != "Rejected" {
		c.switchover.add(d, 1)
	}
}

func (c *collector) eniEvent(e model.ENIEvent) {
	switch e.Event {
	case "Requested":
		c.eni.Requested++
	case "Throttled":
		c.eni.Throttled++
	case "Ready":
		c.eni.Ready++
	case "CreateFailed":
		c.eni.CreateFailed++
	case "Deleted":
		c.eni.Deleted++
	}
}

func (c *collector) interval(s model.IntervalStats) {
	n := int64(s.Invocations)
	c.inv.Invocations += n
	c.inv.ColdStarts += int64(s.ColdStarts)
	c.inv.Throttled += int64(s.Throttled)
	c.inv.ConnReused += int64(s.ConnReused)
	c.inv.ConnNew += int64(s.ConnNew)
	c.inv.ConnResets += int64(s.ConnResets)
	for code, k := range s.Errors { // summing: order does not matter
		c.errByCause[code] += int64(k)
		c.inv.Failed += int64(k)
	}
	c.latSumS += s.LatencySum.Seconds()
	if n > 0 {
		c.latIvP50.add(s.LatencyP50.Seconds(), uint64(n))
		c.latIvP99.add(s.LatencyP99.Seconds(), uint64(n))
		if s.Latency != nil {
			c.latHist.Merge(s.Latency)
		} else {
			c.latNoHist += n
		}
	}
}

func (c *collector) invocation(v model.Invocation) {
	c.invRows++
	if v.Error != "" {
		return // a failed invocation's latency is not a service latency
	}
	l := (v.ColdStart + v.ConnSetup + v.Operation).Seconds()
	c.latAll.add(l, 1)
	if v.Reconnect {
		c.latReconnect.add(l, 1)
	} else {
		c.latKeepalive.add(l, 1)
	}
}

// merge adds o into c. Both must come from disjoint partitions (accounts); keys that
// nevertheless repeat are combined by the same commutative rules.
func (c *collector) merge(o *collector) {
	for k, v := range o.vpcs {
		if cur := c.vpcs[k]; cur == nil {
			cp := *v
			c.vpcs[k] = &cp
		} else if higher(float64(v.PeakENIs), v.PeakAtS, float64(cur.PeakENIs), cur.PeakAtS, cur.seen) {
			*cur = *v
		}
	}
	for k, v := range o.combos {
		if cur := c.combos[k]; cur == nil {
			cp := *v
			c.combos[k] = &cp
		} else if higher(float64(v.PeakENIs), v.PeakAtS, float64(cur.PeakENIs), cur.PeakAtS, cur.seen) {
			*cur = *v
		}
	}
	for k, v := range o.subnets {
		cur := c.subnets[k]
		if cur == nil {
			cp := *v
			c.subnets[k] = &cp
			continue
		}
		ex := cur.ExhaustedAtS
		if v.ExhaustedAtS != nil && (ex == nil || *v.ExhaustedAtS < *ex) {
			ex = v.ExhaustedAtS
		}
		if higher(float64(v.PeakIPs), v.PeakAtS, float64(cur.PeakIPs), cur.PeakAtS, cur.seen) {
			*cur = *v
		}
		cur.ExhaustedAtS = ex
	}
	if o.connPer.seen && higher(o.connPer.PerENI, o.connPer.AtS, c.connPer.PerENI, c.connPer.AtS, c.connPer.seen) {
		c.connPer = o.connPer
	}
	c.pending.merge(&o.pending)
	c.pendingAttached.merge(&o.pendingAttached)
	c.pendingNew.merge(&o.pendingNew)
	c.switchover.merge(&o.switchover)
	c.recover.merge(&o.recover)
	c.inactiveTransitions += o.inactiveTransitions
	for k := range o.inactiveFns {
		c.inactiveFns[k] = true
	}
	c.inv.Invocations += o.inv.Invocations
	c.inv.ColdStarts += o.inv.ColdStarts
	c.inv.Failed += o.inv.Failed
	c.inv.Throttled += o.inv.Throttled
	c.inv.ConnReused += o.inv.ConnReused
	c.inv.ConnNew += o.inv.ConnNew
	c.inv.ConnResets += o.inv.ConnResets
	for k, v := range o.errByCause {
		c.errByCause[k] += v
	}
	c.latSumS += o.latSumS
	c.invRows += o.invRows
	c.latAll.merge(&o.latAll)
	c.latKeepalive.merge(&o.latKeepalive)
	c.latReconnect.merge(&o.latReconnect)
	c.latIvP50.merge(&o.latIvP50)
	c.latIvP99.merge(&o.latIvP99)
	c.latHist.Merge(&o.latHist)
	c.latNoHist += o.latNoHist
	c.eni.Requested += o.eni.Requested
	c.eni.Throttled += o.eni.Throttled
	c.eni.Ready += o.eni.Ready
	c.eni.CreateFailed += o.eni.CreateFailed
	c.eni.Deleted += o.eni.Deleted
	for k, v := range o.opDecision {
		c.opDecision[k] += v
	}
	for k, v := range o.opOutcome {
		c.opOutcome[k] += v
	}
	c.opTotal += o.opTotal
	c.opDenied += o.opDenied
}
