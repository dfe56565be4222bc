package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/enisim/enisim/model"
)

// TestENIReplacementEC2BucketsAndRegionQuotaWiring: the YAML of ENI replacement rates
// (eni.rebalanceEvery, eni.healthFailEvery), the Describe* and Assign/Unassign buckets
// (params.ec2 and per account), the regional ENI quota (params.quotas.regionENIs, an
// account's regionENIs, SetQuota regionENIs) reach the model's Config; without them the
// model's defaults stand.
func TestENIReplacementEC2BucketsAndRegionQuotaWiring(t *testing.T) {
	src := strings.Replace(base, "  - name: prod\n", `  - name: prod
    regionENIs: 40
    ec2RateLimits:
      describe: {burst: 7, rate: 3/s}
      assignPrivateIpAddresses: {burst: 9, rate: 2/s}
`, 1) + `params:
  eni: {rebalanceEvery: 6h, healthFailEvery: 2d}
  ec2:
    describe: {burst: 20, rate: 4/s}
    assignPrivateIpAddresses: {burst: 30, rate: 1/s}
  quotas: {regionENIs: 800}
timeline:
  - {at: 10m, op: SetQuota, quota: regionENIs, value: 60, account: prod}
`
	s, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := s.Model(SweepPoint{})
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Params
	if p.ENIRebalanceEvery != 6*time.Hour || p.ENIHealthFailEvery != 48*time.Hour {
		t.Errorf("rebalance %v health %v", p.ENIRebalanceEvery, p.ENIHealthFailEvery)
	}
	if p.EC2Describe != (model.TokenBucket{Burst: 20, Rate: 4}) || p.EC2AssignIP != (model.TokenBucket{Burst: 30, Rate: 1}) {
		t.Errorf("params buckets describe %+v assign %+v", p.EC2Describe, p.EC2AssignIP)
	}
	if p.RegionENIQuota != 800 {
		t.Errorf("params regionENIQuota %d", p.RegionENIQuota)
	}
	a := cfg.Accounts[0]
	if a.ENIQuota != 40 || a.EC2Describe != (model.TokenBucket{Burst: 7, Rate: 3}) || a.EC2AssignIP != (model.TokenBucket{Burst: 9, Rate: 2}) {
		t.Errorf("account quota %d describe %+v assign %+v", a.ENIQuota, a.EC2Describe, a.EC2AssignIP)
	}
	var found bool
	for _, op := range cfg.Timeline {
		if op.Kind == model.OpSetQuota {
			found = op.Quota == model.QuotaRegionENIs && op.Value == 60
		}
	}
	if !found {
		t.Errorf("no SetQuota regionENIs 60 in %+v", cfg.Timeline)
	}
	if _, err := model.New(cfg, 1, nil); err != nil {
		t.Fatal(err)
	}

	// Unset: the model's defaults.
	s, err = Parse("t.yaml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	if cfg, err = s.Model(SweepPoint{}); err != nil {
		t.Fatal(err)
	}
	d := model.DefaultParams()
	if p := cfg.Params; p.ENIRebalanceEvery != 0 || p.ENIHealthFailEvery != 0 || p.EC2Describe != d.EC2Describe ||
		p.EC2AssignIP != d.EC2AssignIP || p.RegionENIQuota != 5000 {
		t.Errorf("defaults: %+v", p)
	}

	// A misspelt quota is an error naming the kinds.
	bad := base + "timeline:\n  - {at: 10m, op: SetQuota, quota: regionENI, value: 60, account: prod}\n"
	if _, err := Parse("t.yaml", []byte(bad)); err == nil || !strings.Contains(err.Error(), "regionENIs") {
		t.Errorf("misspelt quota: %v", err)
	}
}
