package report

// Loaders: each streams one table and keeps only what its chart needs.

// capacity holds ENI and IP use over time of the first run in the dataset (path order:
// sweep 0, rep 0 first); a chart of many replications' lines would hide every one of them.
type capacity struct {
	runID   string
	vpcs    map[string]*series
	subnets map[string]*series
}

func loadCapacity(dir string) (*capacity, error) {
	c := &capacity{vpcs: map[string]*series{}, subnets: map[string]*series{}}
	_, err := scan(dir, "eni_samples", func(cols columns) error {
		run, e1 := cols.str("run_id")
		t, e2 := cols.f64("t_s")
		acct, e3 := cols.str("account")
		vpc, e4 := cols.str("vpc")
		enis, e5 := cols.i64("vpc_enis")
		quota, e6 := cols.i64("vpc_quota")
		if err := firstErr(e1, e2, e3, e4, e5, e6); err != nil {
			return err
		}
		for i := 0; i < t.Len(); i++ {
			if c.runID == "" {
				c.runID = run.Value(i)
			}
			if run.Value(i) != c.runID {
				continue
			}
			k := acct.Value(i) + "/" + vpc.Value(i)
			s := c.vpcs[k]
			if s == nil {
				s = &series{key: k}
				c.vpcs[k] = s
			}
			s.addMax(t.Value(i), float64(enis.Value(i)), float64(quota.Value(i)))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	_, err = scan(dir, "subnet_samples", func(cols columns) error {
		run, e1 := cols.str("run_id")
		t, e2 := cols.f64("t_s")
		acct, e3 := cols.str("account")
		vpc, e4 := cols.str("vpc")
		subnet, e5 := cols.str("subnet")
		used, e6 := cols.i64("ips_used")
		usable, e7 := cols.i64("ips_usable")
		if err := firstErr(e1, e2, e3, e4, e5, e6, e7); err != nil {
			return err
		}
		for i := 0; i < t.Len(); i++ {
			if c.runID == "" {
				c.runID = run.Value(i)
			}
			if run.Value(i) != c.runID {
				continue
			}
			k := acct.Value(i) + "/" + vpc.Value(i) + "/" + subnet.Value(i)
			s := c.subnets[k]
			if s == nil {
				s = &series{key: k}
				c.subnets[k] = s
			}
			s.addMax(t.Value(i), float64(used.Value(i)), float64(usable.Value(i)))
		}
		return nil
	})
	return c, err
}

// pendingDurations returns the Pending/InProgress durations of create and update
// operations over every run, split by whether they only attached existing ENIs.
func pendingDurations(dir string) (attached, created []float64, err error) {
	_, err = scan(dir, "operations", func(cols columns) error {
		op, e1 := cols.str("op")
		outcome, e2 := cols.str("outcome")
		d, e3 := cols.f64("duration_s")
		att, e4 := cols.bln("attached_only")
		if err := firstErr(e1, e2, e3, e4); err != nil {
			return err
		}
		for i := 0; i < d.Len(); i++ {
			switch op.Value(i) {
			case "CreateFunction", "UpdateFunctionConfiguration", "PublishVersion":
			default:
				continue
			}
			if outcome.Value(i) == "Rejected" {
				continue
			}
			if att.Value(i) {
				attached = append(attached, d.Value(i))
			} else {
				created = append(created, d.Value(i))
			}
		}
		return nil
	})
	return attached, created, err
}

// latencies returns latency histograms keepalive vs reconnect. From the invocations table
// when present (successful invocations); otherwise from the intervals table, each
// interval's mean latency weighted by its invocations, split by whether the interval saw a
// connection reset — coarser, and the chart says so.
func latencies(dir string) (keep, reconnect *logHist, perInvocation bool, err error) {
	keep, reconnect = &logHist{}, &logHist{}
	found, err := scan(dir, "invocations", func(cols columns) error {
		l, e1 := cols.f64("latency_s")
		rc, e2 := cols.bln("reconnect")
		errs, e3 := cols.str("error")
		if err := firstErr(e1, e2, e3); err != nil {
			return err
		}
		for i := 0; i < l.Len(); i++ {
			if errs.Value(i) != "" {
				continue
			}
			if rc.Value(i) {
				reconnect.add(l.Value(i))
			} else {
				keep.add(l.Value(i))
			}
		}
		return nil
	})
	if err != nil || found {
		return keep, reconnect, true, err
	}
	_, err = scan(dir, "intervals", func(cols columns) error {
		mean, e1 := cols.f64("latency_mean_s")
		n, e2 := cols.i64("invocations")
		resets, e3 := cols.i64("conn_resets")
		if err := firstErr(e1, e2, e3); err != nil {
			return err
		}
		for i := 0; i < mean.Len(); i++ {
			h := keep
			if resets.Value(i) > 0 {
				h = reconnect
			}
			if n.Value(i) > 0 {
				h.addN(mean.Value(i), uint64(n.Value(i)))
			}
		}
		return nil
	})
	return keep, reconnect, false, err
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
