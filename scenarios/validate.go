package scenarios

import (
	"regexp"
	"strings"
)

// validator checks the cross-field rules of a decoded scenario (references, CIDR
// arithmetic, Lambda's VPC limits) and reports each problem at the field's position.
type validator struct {
	s *Scenario
	d *decoder
	// per account index (by position in s.Accounts)
	acct map[string]int
	vpcs []map[string]*VPC
	// subnetVPC: account → subnet → VPC name
	subnetVPC []map[string]string
	subnets   []map[string]*Subnet
	sgVPC     []map[string]string
	roles     []map[string]*Role
	princ     []map[string]*Principal
	fleets    map[string]int
}

// report records a problem at path unless path (or a parent) already has one.
func (v *validator) report(path, hint, format string, args ...any) {
	if v.d.errs.isBad(path) {
		return
	}
	v.d.at(path, hint, format, args...)
}

var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_:@+=-]*$`)

// name checks a required identifier.
func (v *validator) name(path, kind, n string) bool {
	if n == "" {
		v.report(path, "", "%s needs a name", kind)
		return false
	}
	if !namePattern.MatchString(n) {
		v.report(path, "use letters, digits, - and _", "%s name %q has characters a path cannot address (no dots, spaces or brackets)", kind, n)
		return false
	}
	return true
}

func (v *validator) validate() {
	s := v.s
	v.acct = map[string]int{}
	v.fleets = map[string]int{}
	if len(s.Accounts) == 0 {
		v.report("accounts", "add e.g. accounts: [{name: prod, vpcs: […]}]", "a scenario needs at least one account")
	}
	for i := range s.Accounts {
		v.account(i)
	}
	v.peering()
	for i := range s.Roles {
		v.role(i)
	}
	for i := range s.Principals {
		v.principal(i)
	}
	if len(s.Fleets) == 0 {
		v.report("fleets", "", "a scenario needs at least one fleet of functions")
	}
	for i := range s.Fleets {
		v.fleet(i)
	}
	for i := range s.Timeline {
		v.operation(i)
	}
	for i := range s.Faults {
		v.fault(i)
	}
	v.netLimitsAndVersions()
	v.run()
	v.memory()
}

// accountOf resolves an optional account reference: empty means the only account.
func (v *validator) accountOf(path, name string) (int, bool) {
	if name == "" {
		if len(v.s.Accounts) == 1 {
			return 0, true
		}
		if len(v.s.Accounts) > 1 {
			v.report(path, "name one of: "+strings.Join(v.accountNames(), ", "), "account is required when the scenario has several accounts")
		}
		return 0, false
	}
	i, ok := v.acct[name]
	if !ok {
		v.report(path, suggest(name, v.accountNames()), "account %q is not defined (accounts: %s)", name, strings.Join(v.accountNames(), ", "))
	}
	return i, ok
}

func (v *validator) accountNames() []string {
	out := make([]string, len(v.s.Accounts))
	for i, a := range v.s.Accounts {
		out[i] = a.Name
	}
	return out
}

func (v *validator) account(i int) {
	a := &v.s.Accounts[i]
	p := joinIndex("accounts", i)
	v.vpcs = append(v.vpcs, map[string]*VPC{})
	v.subnetVPC = append(v.subnetVPC, map[string]string{})
	v.subnets = append(v.subnets, map[string]*Subnet{})
	v.sgVPC = append(v.sgVPC, map[string]string{})
	v.roles = append(v.roles, map[string]*Role{})
	v.princ = append(v.princ, map[string]*Principal{})
	if v.name(joinField(p, "name"), "an account", a.Name) {
		if _, dup := v.acct[a.Name]; dup {
			v.report(joinField(p, "name"), "", "account %q is defined twice", a.Name)
		} else {
			v.acct[a.Name] = i
		}
	}
	if a.Concurrency < 0 {
		v.report(joinField(p, "concurrency"), "", "concurrency must not be negative, got %d", a.Concurrency)
	}
	if a.RegionENIs < 0 {
		v.report(joinField(p, "regionENIs"), "", "regionENIs must not be negative, got %d", a.RegionENIs)
	}
	if a.EC2RateLimits != nil {
		v.bucket(joinField(p, "ec2RateLimits.createNetworkInterface"), a.EC2RateLimits.CreateNetworkInterface)
		v.bucket(joinField(p, "ec2RateLimits.deleteNetworkInterface"), a.EC2RateLimits.DeleteNetworkInterface)
		v.bucket(joinField(p, "ec2RateLimits.describe"), a.EC2RateLimits.Describe)
		v.bucket(joinField(p, "ec2RateLimits.assignPrivateIpAddresses"), a.EC2RateLimits.AssignPrivateIPAddresses)
	}
	if len(a.VPCs) == 0 {
		v.report(joinField(p, "vpcs"), "", "account %q has no VPCs", a.Name)
	}
	for j := range a.VPCs {
		v.vpc(i, joinIndex(joinField(p, "vpcs"), j), &a.VPCs[j])
	}
}

func (v *validator) bucket(p string, b *Bucket) {
	if b == nil {
		return
	}
	if b.Burst <= 0 {
		v.report(joinField(p, "burst"), "", "burst must be positive, got %d", b.Burst)
	}
	if b.Rate <= 0 {
		v.report(joinField(p, "rate"), "e.g. rate: 5/s", "rate must be positive")
	}
}

func (v *validator) vpc(ai int, p string, x *VPC) {
	if v.name(joinField(p, "name"), "a VPC", x.Name) {
		if _, dup := v.vpcs[ai][x.Name]; dup {
			v.report(joinField(p, "name"), "", "VPC %q is defined twice in this account", x.Name)
		} else {
			v.vpcs[ai][x.Name] = x
		}
	}
	switch {
	case !x.CIDR.IsValid():
		v.report(joinField(p, "cidr"), "e.g. cidr: 10.0.0.0/16", "a VPC needs an IPv4 CIDR block")
	case !x.CIDR.Addr().Is4():
		v.report(joinField(p, "cidr"), "put an IPv6 block in ipv6Cidr", "cidr must be an IPv4 block, got %s", x.CIDR)
	case x.CIDR.Bits() < 16 || x.CIDR.Bits() > 28:
		v.report(joinField(p, "cidr"), "", "a VPC's IPv4 block must be between /16 and /28, got /%d", x.CIDR.Bits())
	}
	if x.IPv6CIDR.IsValid() && !x.IPv6CIDR.Addr().Is6() {
		v.report(joinField(p, "ipv6Cidr"), "", "ipv6Cidr must be an IPv6 block, got %s", x.IPv6CIDR)
	}
	switch x.Tenancy {
	case "", "default", "dedicated":
	default:
		v.report(joinField(p, "tenancy"), suggest(x.Tenancy, []string{"default", "dedicated"}), "tenancy must be default or dedicated, got %q", x.Tenancy)
	}
	if x.ENIQuota < 0 {
		v.report(joinField(p, "eniQuota"), "", "eniQuota must not be negative, got %d", x.ENIQuota)
	}
	if x.NATGateways != nil && *x.NATGateways < 0 {
		v.report(joinField(p, "natGateways"), "", "natGateways must not be negative, got %d", *x.NATGateways)
	}
	if len(x.Subnets) == 0 {
		v.report(joinField(p, "subnets"), "", "VPC %q has no subnets", x.Name)
	}
	hasPublic := false
	for _, sn := range x.Subnets {
		hasPublic = hasPublic || sn.Route == "public"
	}
	for j := range x.Subnets {
		sp := joinIndex(joinField(p, "subnets"), j)
		sn := &x.Subnets[j]
		v.subnet(ai, sp, x, sn, hasPublic)
		for k := 0; k < j; k++ {
			o := &x.Subnets[k]
			if sn.CIDR.IsValid() && o.CIDR.IsValid() && sn.CIDR.Addr().Is4() && o.CIDR.Addr().Is4() && prefixesOverlap(sn.CIDR.Prefix, o.CIDR.Prefix) {
				v.report(joinField(sp, "cidr"), "give each subnet its own block", "subnet %q (%s) overlaps subnet %q (%s)", sn.Name, sn.CIDR, o.Name, o.CIDR)
			}
			if sn.IPv6CIDR.IsValid() && o.IPv6CIDR.IsValid() && prefixesOverlap(sn.IPv6CIDR.Prefix, o.IPv6CIDR.Prefix) {
				v.report(joinField(sp, "ipv6Cidr"), "", "subnet %q (%s) overlaps subnet %q (%s)", sn.Name, sn.IPv6CIDR, o.Name, o.IPv6CIDR)
			}
		}
	}
	for j, sg := range x.SecurityGroups {
		gp := joinIndex(joinField(p, "securityGroups"), j)
		if !v.name(gp, "a security group", sg) {
			continue
		}
		if _, dup := v.sgVPC[ai][sg]; dup {
			v.report(gp, "", "security group %q is defined twice in this account", sg)
			continue
		}
		v.sgVPC[ai][sg] = x.Name
	}
}

var routes = []string{"private", "nat", "public"}
var endpoints = []string{"s3", "dynamodb"}

func (v *validator) subnet(ai int, p string, x *VPC, sn *Subnet, vpcHasPublic bool) {
	if v.name(joinField(p, "name"), "a subnet", sn.Name) {
		if _, dup := v.subnetVPC[ai][sn.Name]; dup {
			v.report(joinField(p, "name"), "", "subnet %q is defined twice in this account", sn.Name)
		} else {
			v.subnetVPC[ai][sn.Name] = x.Name
			v.subnets[ai][sn.Name] = sn
		}
	}
	if sn.AZ == "" {
		v.report(joinField(p, "az"), "e.g. az: us-east-1a", "a subnet needs an availability zone")
	}
	cp := joinField(p, "cidr")
	switch {
	case !sn.CIDR.IsValid():
		v.report(cp, "e.g. cidr: 10.0.1.0/24 (IPv6-only subnets are not supported by Lambda)", "a subnet needs an IPv4 CIDR block")
	case !sn.CIDR.Addr().Is4():
		v.report(cp, "put an IPv6 block in ipv6Cidr", "cidr must be an IPv4 block, got %s", sn.CIDR)
	case sn.CIDR.Bits() < 16:
		v.report(cp, "", "a subnet can be at most a /16, got /%d", sn.CIDR.Bits())
	case sn.CIDR.Bits() > 28:
		v.report(cp, "", "a subnet must be at least a /28 (11 usable addresses), got /%d", sn.CIDR.Bits())
	case x.CIDR.IsValid() && x.CIDR.Addr().Is4() && !prefixContains(x.CIDR.Prefix, sn.CIDR.Prefix):
		v.report(cp, "pick a block inside "+x.CIDR.String(), "subnet %s is outside its VPC's block %s", sn.CIDR, x.CIDR)
	}
	if sn.IPv6CIDR.IsValid() {
		ip := joinField(p, "ipv6Cidr")
		switch {
		case !sn.IPv6CIDR.Addr().Is6():
			v.report(ip, "", "ipv6Cidr must be an IPv6 block, got %s", sn.IPv6CIDR)
		case !x.IPv6CIDR.IsValid():
			v.report(ip, "give the VPC an ipv6Cidr first", "subnet has an IPv6 block but VPC %q has none", x.Name)
		case x.IPv6CIDR.Addr().Is6() && !prefixContains(x.IPv6CIDR.Prefix, sn.IPv6CIDR.Prefix):
			v.report(ip, "pick a block inside "+x.IPv6CIDR.String(), "subnet %s is outside its VPC's IPv6 block %s", sn.IPv6CIDR, x.IPv6CIDR)
		}
	}
	switch sn.Route {
	case "", "private", "public":
	case "nat":
		if !vpcHasPublic {
			v.report(joinField(p, "route"), "add a public subnet for the NAT gateway", "route nat needs a NAT gateway, which lives in a public subnet, but VPC %q has none", x.Name)
		}
	default:
		v.report(joinField(p, "route"), suggest(sn.Route, routes), "route must be private, nat or public, got %q", sn.Route)
	}
	for k, e := range sn.Endpoints {
		if !contains(endpoints, e) {
			v.report(joinIndex(joinField(p, "endpoints"), k), suggest(e, endpoints), "gateway endpoint must be s3 or dynamodb, got %q", e)
		}
	}
}

// peering checks peering references and dedicated tenancy: Lambda cannot attach to a
// dedicated VPC, so one is useful only when a default-tenancy VPC is peered with it.
func (v *validator) peering() {
	for ai, a := range v.s.Accounts {
		for j, x := range a.VPCs {
			p := joinIndex(joinField(joinIndex("accounts", ai), "vpcs"), j)
			peeredDefault := false
			for k, ref := range x.Peering {
				pv := v.vpcRef(ai, ref)
				if pv == nil {
					v.report(joinIndex(joinField(p, "peering"), k), suggest(ref, v.vpcNames(ai)), "peered VPC %q is not defined (write vpc or account/vpc)", ref)
					continue
				}
				if pv.Tenancy != "dedicated" {
					peeredDefault = true
				}
			}
			// Peering is symmetric: a default VPC that lists this one counts too.
			for bi, b := range v.s.Accounts {
				for _, y := range b.VPCs {
					for _, ref := range y.Peering {
						if y.Tenancy != "dedicated" && v.vpcRef(bi, ref) == &v.s.Accounts[ai].VPCs[j] {
							peeredDefault = true
						}
					}
				}
			}
			if x.Tenancy == "dedicated" && !peeredDefault {
				v.report(joinField(p, "tenancy"), "peer it with a default-tenancy VPC and attach functions there", "Lambda cannot attach to VPC %q with dedicated tenancy, and no default-tenancy VPC is peered with it", x.Name)
			}
		}
	}
}

func (v *validator) vpcRef(ai int, ref string) *VPC {
	an, vn, ok := strings.Cut(ref, "/")
	if ok {
		bi, found := v.acct[an]
		if !found {
			return nil
		}
		ai, ref = bi, vn
	}
	if ai >= len(v.vpcs) {
		return nil
	}
	return v.vpcs[ai][ref]
}

func (v *validator) vpcNames(ai int) []string {
	var out []string
	for _, x := range v.s.Accounts[ai].VPCs {
		out = append(out, x.Name)
	}
	return out
}

func (v *validator) managed(p string, names []string) {
	for k, m := range names {
		if _, ok := managedPolicies[m]; !ok {
			v.report(joinIndex(p, k), suggest(m, managedNames()), "unknown managed policy %q (known: %s)", m, strings.Join(managedNames(), ", "))
		}
	}
}

func (v *validator) policies(p string, ps []Policy) {
	seen := map[string]bool{}
	for k, pol := range ps {
		pp := joinIndex(p, k)
		if v.name(joinField(pp, "name"), "a policy", pol.Name) {
			if seen[pol.Name] {
				v.report(joinField(pp, "name"), "", "policy %q is given twice", pol.Name)
			}
			seen[pol.Name] = true
		}
		if pol.Document.Text == "" {
			v.report(joinField(pp, "document"), "write the JSON after document: |", "policy %q has no document", pol.Name)
		}
	}
}

func (v *validator) role(i int) {
	r := &v.s.Roles[i]
	p := joinIndex("roles", i)
	ai, ok := v.accountOf(joinField(p, "account"), r.Account)
	if v.name(joinField(p, "name"), "a role", r.Name) && ok {
		if _, dup := v.roles[ai][r.Name]; dup {
			v.report(joinField(p, "name"), "", "role %q is defined twice in this account", r.Name)
		} else {
			v.roles[ai][r.Name] = r
		}
	}
	v.managed(joinField(p, "managed"), r.Managed)
	v.policies(joinField(p, "policies"), r.Policies)
}

func (v *validator) principal(i int) {
	r := &v.s.Principals[i]
	p := joinIndex("principals", i)
	ai, ok := v.accountOf(joinField(p, "account"), r.Account)
	if v.name(joinField(p, "name"), "a principal", r.Name) && ok {
		if _, dup := v.princ[ai][r.Name]; dup {
			v.report(joinField(p, "name"), "", "principal %q is defined twice in this account", r.Name)
		} else {
			v.princ[ai][r.Name] = r
		}
	}
	v.managed(joinField(p, "managed"), r.Managed)
	v.policies(joinField(p, "policies"), r.Policies)
}
