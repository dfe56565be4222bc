package model

import (
	"slices"
	"strings"
)

// Partitions splits the configuration into independent runs, one per group of accounts
// that share nothing (accounts linked by cross-account VPC peering stay together). Every
// random stream is keyed by entity names, not positions, so the partitions' observations
// together equal those of the whole configuration run at once, whatever order or
// parallelism the partitions run in — provided every partition is run with the same seed
// as the whole (do not Derive a seed per partition). The partitions share Params, Legacy and sampling
// settings; faults and timeline operations go with their account.
func (c *Config) Partitions() []*Config {
	n := len(c.Accounts)
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	byID := map[string]int{}
	for i, a := range c.Accounts {
		byID[a.ID] = i
	}
	for i, a := range c.Accounts {
		for _, v := range a.VPCs {
			for _, p := range v.PeeredWith {
				acct, _, ok := strings.Cut(p, "/")
				if !ok {
					continue
				}
				if j, ok := byID[acct]; ok {
					ri, rj := find(i), find(j)
					if ri != rj {
						parent[max(ri, rj)] = min(ri, rj)
					}
				}
			}
		}
	}
	// Groups in order of their first account.
	var roots []int
	for i := range n {
		if r := find(i); !slices.Contains(roots, r) {
			roots = append(roots, r)
		}
	}
	out := make([]*Config, 0, len(roots))
	for _, r := range roots {
		p := &Config{Params: c.Params, Legacy: c.Legacy, SampleEvery: c.SampleEvery, PerInvocation: c.PerInvocation}
		newIdx := map[int]int{}
		ids := map[string]bool{}
		for i := range n {
			if find(i) == r {
				newIdx[i] = len(p.Accounts)
				p.Accounts = append(p.Accounts, c.Accounts[i])
				ids[c.Accounts[i].ID] = true
			}
		}
		for _, op := range c.Timeline {
			if j, ok := newIdx[op.Account]; ok {
				op.Account = j
				p.Timeline = append(p.Timeline, op)
			}
		}
		f := c.Faults
		p.Faults = Faults{ENICreateFailProb: f.ENICreateFailProb, CreateLatencyFactor: f.CreateLatencyFactor,
			RTTSpikes: f.RTTSpikes}
		for _, st := range f.EC2Storms {
			if st.Account == "" || ids[st.Account] {
				p.Faults.EC2Storms = append(p.Faults.EC2Storms, st)
			}
		}
		for _, g := range f.SubnetIPsTaken {
			if ids[g.Account] {
				p.Faults.SubnetIPsTaken = append(p.Faults.SubnetIPsTaken, g)
			}
		}
		out = append(out, p)
	}
	return out
}
