package scenarios

// netLimitsAndVersions checks the NAT gateway and ENI connection-limit parameters, the
// VPCs' NAT gateway IPs and the workloads' qualifier shares (model/nat.go, model/versions.go).
func (v *validator) netLimitsAndVersions() {
	s := v.s
	if n := s.Params.Network.NATConnectionsPerIP; n != nil && *n < 1 {
		v.report("params.network.natConnectionsPerIP", "the facts-sheet value is 55000", "must be at least 1, got %d", *n)
	}
	if r := s.Params.Network.NATNewConnectionRate; r != nil && r.PerSecond() <= 0 {
		v.report("params.network.natNewConnectionRate", "the facts-sheet value is 900/s", "must be positive")
	}
	for i := range s.Accounts {
		for j, x := range s.Accounts[i].VPCs {
			if x.NATGatewayIPs < 0 || x.NATGatewayIPs > 8 {
				p := joinField(joinIndex(joinField(joinIndex("accounts", i), "vpcs"), j), "natGatewayIPs")
				v.report(p, "", "a NAT gateway has 1 to 8 public IPs, got %d", x.NATGatewayIPs)
			}
		}
	}
	for i := range s.Fleets {
		f := &s.Fleets[i]
		if f.Workload == nil || len(f.Workload.Qualifiers) == 0 {
			continue
		}
		p := joinField(joinField(joinIndex("fleets", i), "workload"), "qualifiers")
		switch {
		case f.Trace != nil:
			v.report(p, "remove them: trace arrivals invoke $LATEST", "a trace fleet's invocations come from its trace")
		case f.Fidelity == "aggregate":
			v.report(p, "use fidelity: exact", "version invocations are simulated one by one, not with fidelity aggregate")
		case f.Workload.Rate <= 0:
			v.report(p, "set workload.rate", "qualifiers share the workload's invocations, and it has no rate")
		}
		total := 0.0
		seen := map[int]bool{}
		for k, q := range f.Workload.Qualifiers {
			qp := joinIndex(p, k)
			if q.Version < 1 {
				v.report(joinField(qp, "version"), "versions are numbered 1, 2, … in publication order", "version must be at least 1, got %d", q.Version)
			} else if seen[q.Version] {
				v.report(joinField(qp, "version"), "", "version %d is listed twice", q.Version)
			}
			seen[q.Version] = true
			if q.Share <= 0 || q.Share > 1 {
				v.report(joinField(qp, "share"), "e.g. share: 20%", "share must be in (0, 1], got %g", q.Share)
			}
			total += q.Share
		}
		if total > 1+1e-9 {
			v.report(p, "the rest of the invocations go to $LATEST", "the shares add up to %g: at most 1", total)
		}
	}
}
