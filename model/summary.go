package model

// Summary is a quick capacity summary of a run so far: the run totals and the peak ENI and
// IP use of every VPC and subnet (results computes its own from the observations; this is
// for tests and the CLI's one-line report).
type Summary struct {
	Counters
	VPCs    []VPCPeak
	Subnets []SubnetPeak
	// NATCostUSD is the NAT gateway cost: gateway hours over the run plus bytes processed.
	NATCostUSD float64
}

// VPCPeak is the most Hyperplane (or legacy) ENIs a VPC had at once.
type VPCPeak struct {
	Account, VPC string
	PeakENIs     int
	Quota        int
}

// SubnetPeak is the most IPs a subnet had in use at once.
type SubnetPeak struct {
	Account, VPC, Subnet string
	PeakIPs, Usable      int
}

// Summary returns the summary; hours is the run's length in hours (for NAT gateway hours).
func (m *Model) Summary(hours float64) Summary {
	s := Summary{Counters: m.counters}
	gw := 0
	for i := range m.vpcs {
		v := &m.vpcs[i]
		gw += int(v.nat)
		s.VPCs = append(s.VPCs, VPCPeak{Account: m.accts[v.acct].id, VPC: v.id, PeakENIs: int(v.peak), Quota: int(v.quota)})
	}
	for i := range m.subnets {
		sn := &m.subnets[i]
		s.Subnets = append(s.Subnets, SubnetPeak{Account: m.accts[sn.acct].id, VPC: m.vpcs[sn.vpc].id, Subnet: sn.id,
			PeakIPs: int(sn.peakIPs), Usable: int(sn.usable)})
	}
	s.NATCostUSD = float64(gw)*hours*m.p.NATHourly + float64(m.counters.NATBytes)/1e9*m.p.NATPerGB
	return s
}
