package model

import (
	"fmt"
	"slices"
	"strings"
)

// placeErr is why a VPC configuration cannot be used: either the API rejects the call
// (code InvalidParameterValueException) or the function goes Failed (reason InvalidSubnet
// or InvalidSecurityGroup: an id that does not exist, e.g. deleted or mistyped).
type placeErr struct {
	code   ErrCode
	reason Reason
	msg    string
}

// Limits of one function's VPC configuration (facts §1).
const (
	maxSubnets        = 16
	maxSecurityGroups = 5
)

// resolve checks a VPC configuration against the placement rules (facts §1, §5) and maps
// it to combos, creating combo entries on first use. field names the offending entry of
// the configuration when it fails.
func (m *Model) resolve(ai int32, c VPCConfig, path string) (nc netcfg, field string, perr *placeErr) {
	ns, ng := len(c.SubnetIds), len(c.SecurityGroupIds)
	if ns == 0 && ng == 0 {
		return noVPC(), "", nil
	}
	reject := func(f, format string, args ...any) (netcfg, string, *placeErr) {
		return noVPC(), f, &placeErr{code: ErrInvalidParameterValue, msg: fmt.Sprintf(format, args...)}
	}
	fail := func(f string, r Reason, format string, args ...any) (netcfg, string, *placeErr) {
		return noVPC(), f, &placeErr{reason: r, msg: fmt.Sprintf(format, args...)}
	}
	if ns == 0 {
		return reject(path+".subnetIds", "SubnetIds and SecurityGroupIds must both be set or both be empty")
	}
	if ng == 0 {
		return reject(path+".securityGroupIds", "SubnetIds and SecurityGroupIds must both be set or both be empty")
	}
	if ns > maxSubnets {
		return reject(path+".subnetIds", "%d subnets: at most %d", ns, maxSubnets)
	}
	if ng > maxSecurityGroups {
		return reject(path+".securityGroupIds", "%d security groups: at most %d", ng, maxSecurityGroups)
	}
	a := &m.accts[ai]
	v := int32(-1)
	subs := make([]int32, ns)
	for i, id := range c.SubnetIds {
		f := fmt.Sprintf("%s.subnetIds[%d]", path, i)
		if slices.Index(c.SubnetIds, id) != i {
			return reject(f, "duplicate subnet %s", id)
		}
		si, ok := a.subnetByID[id]
		if !ok {
			return fail(f, ReasonInvalidSubnet, "subnet %s does not exist", id)
		}
		sn := &m.subnets[si]
		if v == -1 {
			v = sn.vpc
		} else if sn.vpc != v {
			return reject(f, "subnet %s is in VPC %s, the others in %s: all subnets must be in one VPC",
				id, m.vpcs[sn.vpc].id, m.vpcs[v].id)
		}
		if !sn.hasIPv4 {
			return reject(f, "subnet %s is IPv6-only: not supported", id)
		}
		if c.Ipv6AllowedForDualStack && !sn.hasIPv6 {
			return reject(f, "Ipv6AllowedForDualStack needs an IPv6 CIDR on every subnet; %s has none", id)
		}
		subs[i] = si
	}
	if m.vpcs[v].tenancy == TenancyDedicated {
		return reject(path+".subnetIds[0]", "VPC %s has dedicated tenancy: Lambda cannot attach to it (peer it to a default-tenancy VPC)", m.vpcs[v].id)
	}
	sgs := slices.Clone(c.SecurityGroupIds)
	for i, id := range c.SecurityGroupIds {
		f := fmt.Sprintf("%s.securityGroupIds[%d]", path, i)
		if slices.Index(c.SecurityGroupIds, id) != i {
			return reject(f, "duplicate security group %s", id)
		}
		gi, ok := a.sgByID[id]
		if !ok {
			return fail(f, ReasonInvalidSecurityGroup, "security group %s does not exist", id)
		}
		if m.sgs[gi].vpc != v {
			return reject(f, "security group %s is not in VPC %s", id, m.vpcs[v].id)
		}
	}
	slices.Sort(sgs)
	key := strings.Join(sgs, ",")
	nc = netcfg{vpc: v, combos: make([]int32, ns)}
	for i, si := range subs {
		nc.combos[i] = m.comboFor(ai, si, key)
	}
	return nc, "", nil
}

// comboFor returns the combo of (subnet, SG set) in the account, creating it on first use.
func (m *Model) comboFor(ai, si int32, sgs string) int32 {
	a := &m.accts[ai]
	k := comboKey{subnet: si, sgs: sgs}
	if c, ok := a.comboByKey[k]; ok {
		return c
	}
	c := int32(len(m.combos))
	m.combos = append(m.combos, combo{acct: ai, subnet: si, sgs: sgs, lastRole: -1,
		key: stableKey(a.id, m.subnets[si].id, sgs)})
	a.comboByKey[k] = c
	return c
}

// sameVPCConfig reports whether two API-level VPC configurations are the same (order of
// subnets matters not; the security-group set must match exactly).
func sameVPCConfig(a, b VPCConfig) bool {
	if a.Ipv6AllowedForDualStack != b.Ipv6AllowedForDualStack {
		return false
	}
	eq := func(x, y []string) bool {
		x, y = slices.Clone(x), slices.Clone(y)
		slices.Sort(x)
		slices.Sort(y)
		return slices.Equal(x, y)
	}
	return eq(a.SubnetIds, b.SubnetIds) && eq(a.SecurityGroupIds, b.SecurityGroupIds)
}

// setCur makes nc the configuration fi's invocations use, and works out once whether
// everything the function calls is reachable from it (facts §5: the internet only through a
// NAT route, S3/DynamoDB also through gateway endpoints; a public subnet gives no access).
func (m *Model) setCur(fi int32, nc netcfg) {
	f := &m.fns[fi]
	f.cur = nc
	f.unreachable = m.unreachable(fi, nc)
}

// unreachable reports whether, from configuration nc, something function fi calls has no
// route (a published version's environments use the version's configuration).
func (m *Model) unreachable(fi int32, nc netcfg) bool {
	if nc.vpc < 0 {
		return false
	}
	f := &m.fns[fi]
	a := &m.accts[f.acct]
	fc := &m.cfg.Accounts[f.acct].Functions[fi-a.fn0]
	for _, c := range nc.combos {
		sn := &m.subnets[m.combos[c].subnet]
		if sn.route == RouteNAT {
			continue
		}
		if fc.NeedsInternet {
			return true
		}
		for _, svc := range fc.Services {
			if !slices.Contains(sn.endpoints, svc) {
				return true
			}
		}
	}
	return false
}
