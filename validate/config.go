package validate

import (
	"fmt"
	"math"
	"time"

	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/model/iam"
	"github.com/enisim/enisim/sim"
)

// fleet builds one account with one VPC and subnet (10.0.0.0/17: 32,763 usable IPs), a
// role with AWSLambdaVPCAccessExecutionRole and n deployed functions f0…f(n−1) made by fn.
// With ownSG every function gets its own security group, hence its own (subnet, SG set)
// combination and its own Hyperplane ENI, so idle reclamations are independent; otherwise
// they share one. Quotas are raised so that nothing but what a check studies can bind: the
// VPC ENI quota (4 per function: a reclaimed ENI is still being deleted while its
// replacement is created) and the EC2 token buckets.
func fleet(p model.Params, n int, ownSG bool, fn func(i int, f *model.Function)) model.Config {
	p.VPCENIQuota = max(p.VPCENIQuota, 4*n)
	p.EC2Create = model.TokenBucket{Burst: max(1000, 2*n), Rate: 1000}
	p.EC2Delete = p.EC2Create
	a := model.Account{
		ID:      "111111111111",
		VPCs:    []model.VPC{{ID: "vpc-v", IPv4CIDR: "10.0.0.0/16", ENIQuota: 4 * n}},
		Subnets: []model.Subnet{{ID: "subnet-1", VPC: "vpc-v", AZ: "use1-az1", CIDR: "10.0.0.0/17"}},
		Roles:   []model.Role{{Name: "exec", Policies: []*iam.Policy{iam.AWSLambdaVPCAccessExecutionRole()}}},
	}
	sgs := 1
	if ownSG {
		sgs = n
	}
	for i := range sgs {
		a.SecurityGroups = append(a.SecurityGroups, model.SecurityGroup{ID: fmt.Sprintf("sg-%d", i), VPC: "vpc-v"})
	}
	for i := range n {
		sg := "sg-0"
		if ownSG {
			sg = fmt.Sprintf("sg-%d", i)
		}
		f := model.Function{Name: fmt.Sprintf("f%d", i), Role: "exec", Deployed: true,
			VPC: model.VPCConfig{SubnetIds: []string{"subnet-1"}, SecurityGroupIds: []string{sg}}}
		fn(i, &f)
		a.Functions = append(a.Functions, f)
	}
	return model.Config{Params: p, Accounts: []model.Account{a}}
}

// queueParams are the defaults with no cold-start time, so an invocation occupies its
// environment for exactly its service time whether it is warm or cold: the queueing
// oracles need service times independent of the system's state.
func queueParams() model.Params {
	p := model.DefaultParams()
	p.ColdStart = sim.Const(0)
	return p
}

// logNormalMean is the lognormal distribution with the given mean and σ (of the log).
func logNormalMean(mean time.Duration, sigma float64) sim.Dist {
	return sim.Dist{Kind: sim.DistLogNormal, A: math.Log(mean.Seconds()) - sigma*sigma/2, B: sigma}
}
