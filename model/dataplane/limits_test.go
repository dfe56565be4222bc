package dataplane

import (
	"testing"
	"time"

	"github.com/enisim/enisim/sim"
)

func TestScalingRateThrottlesNewEnvironmentsBeyond1000Per10s(t *testing.T) {
	c := DefaultConfig() // 1,000 new environments per 10 s
	p := mustPool(t, &c)
	for i := 0; i < 1000; i++ {
		invoke(t, p, nil, 0, time.Hour)
	}
	if o := p.Invoke(0, nil, Request{Compute: time.Hour}, src); o.Throttle != ThrottledScaling {
		t.Fatalf("1001st cold start at t=0: throttle %v, want scaling", o.Throttle)
	}
	// Refill is 100/s: one token every 10 ms, exactly.
	if o := p.Invoke(at(10*time.Millisecond-1), nil, Request{Compute: time.Hour}, src); o.Throttle != ThrottledScaling {
		t.Fatalf("at 10ms-1ns: %v, want scaling throttle", o.Throttle)
	}
	invoke(t, p, nil, at(10*time.Millisecond), time.Hour)
	if got := p.ScaleTokens(at(10 * time.Second)); got != 999 {
		t.Fatalf("tokens 10 s later = %d, want 999 (one spent at 10 ms, refilled 1000 but capped)", got)
	}
	if got := p.ScaleTokens(at(20 * time.Second)); got != 1000 {
		t.Fatalf("tokens = %d, want full bucket 1000", got)
	}
}

func TestScalingRateDoesNotLimitWarmInvocations(t *testing.T) {
	c := DefaultConfig()
	c.ScaleBurst, c.ScaleWindow = 1, 10*time.Second
	p := mustPool(t, &c)
	o := invoke(t, p, nil, 0, time.Millisecond)
	p.Complete(o.End, nil, o.Env, o.Gen)
	for i := 1; i <= 5; i++ { // bucket empty, but the warm environment serves
		o := invoke(t, p, nil, at(time.Duration(i)*time.Second), time.Millisecond)
		if o.Cold {
			t.Fatal("warm invocation cold")
		}
		p.Complete(o.End, nil, o.Env, o.Gen)
	}
	// Two concurrent: the second needs a new environment and the bucket has refilled 1 token
	// only at 10 s.
	invoke(t, p, nil, at(9*time.Second), time.Hour)
	if o := p.Invoke(at(9*time.Second), nil, Request{}, src); o.Throttle != ThrottledScaling {
		t.Fatalf("throttle %v, want scaling", o.Throttle)
	}
}

func TestAccountConcurrencyIsSharedByAllFunctions(t *testing.T) {
	a := mustAccount(t, AccountConfig{Concurrency: 5})
	f1, f2 := mustPool(t, noLimits()), mustPool(t, noLimits())
	var os []Outcome
	for i := 0; i < 3; i++ {
		os = append(os, invoke(t, f1, a, 0, time.Second))
	}
	for i := 0; i < 2; i++ {
		invoke(t, f2, a, 0, time.Second)
	}
	for _, f := range []*Pool{f1, f2} {
		if o := f.Invoke(0, a, Request{}, src); o.Throttle != ThrottledConcurrency || o.Throttle.ErrorCode() != "TooManyRequestsException" {
			t.Fatalf("6th concurrent invocation: %v", o.Throttle)
		}
	}
	if a.InFlight() != 5 || f1.Busy() != 3 || f2.Busy() != 2 {
		t.Fatalf("in flight %d, busy %d/%d", a.InFlight(), f1.Busy(), f2.Busy())
	}
	f1.Complete(os[0].End, a, os[0].Env, os[0].Gen)
	if o := f2.Invoke(os[0].End, a, Request{}, src); o.Throttle != NotThrottled || !o.Cold {
		t.Fatalf("after one completion f2 should cold-start: %+v", o)
	}
	if p := a.TakePeak(); p != 5 {
		t.Fatalf("peak %d, want 5", p)
	}
}

func TestInvocationsPerSecondCapIs10xConcurrency(t *testing.T) {
	a := mustAccount(t, AccountConfig{Concurrency: 2}) // 20 invocations/s
	p := mustPool(t, noLimits())
	for i := 0; i < 20; i++ {
		o := invoke(t, p, a, 0, 0)
		p.Complete(o.End, a, o.Env, o.Gen)
	}
	if o := p.Invoke(0, a, Request{}, src); o.Throttle != ThrottledRate {
		t.Fatalf("21st invocation within the same instant: %v, want rate throttle", o.Throttle)
	}
	if o := p.Invoke(at(50*time.Millisecond-1), a, Request{}, src); o.Throttle != ThrottledRate {
		t.Fatalf("before one token (50 ms) refilled: %v", o.Throttle)
	}
	if o := p.Invoke(at(50*time.Millisecond), a, Request{}, src); o.Throttle != NotThrottled {
		t.Fatalf("after 50 ms: %v", o.Throttle)
	}
}

func TestThrottledInvocationChangesNothing(t *testing.T) {
	a := mustAccount(t, AccountConfig{Concurrency: 1})
	p := mustPool(t, noLimits())
	invoke(t, p, a, 0, time.Second)
	before := *p
	if o := p.Invoke(0, a, Request{}, src); o.Throttle == NotThrottled {
		t.Fatal("not throttled")
	}
	if p.busy != before.busy || p.idle != before.idle || len(p.envs) != len(before.envs) || a.InFlight() != 1 {
		t.Fatal("throttled invocation changed the pool or account")
	}
	var acc Accumulator
	acc.Add(&Outcome{Throttle: ThrottledConcurrency})
	if acc.Throttled != 1 || acc.ByThrottle[ThrottledConcurrency] != 1 || acc.Invocations != 0 {
		t.Fatalf("accumulator: %+v", acc)
	}
}

func TestSetConcurrencyChangesTheQuotaDuringARun(t *testing.T) {
	a := mustAccount(t, AccountConfig{Concurrency: 2})
	p := mustPool(t, noLimits())
	invoke(t, p, a, 0, time.Second)
	invoke(t, p, a, 0, time.Second)
	if o := p.Invoke(0, a, Request{}, src); o.Throttle != ThrottledConcurrency {
		t.Fatalf("3rd concurrent invocation at quota 2: %v", o.Throttle)
	}
	if err := a.SetConcurrency(3); err != nil {
		t.Fatal(err)
	}
	if o := p.Invoke(0, a, Request{}, src); o.Throttle != NotThrottled {
		t.Fatalf("3rd concurrent invocation after raising the quota to 3: %v", o.Throttle)
	}
	// Lowering below what is in flight keeps the running invocations and throttles new ones.
	if err := a.SetConcurrency(1); err != nil {
		t.Fatal(err)
	}
	if a.InFlight() != 3 || a.Concurrency() != 1 {
		t.Fatalf("in flight %d, quota %d", a.InFlight(), a.Concurrency())
	}
	if o := p.Invoke(0, a, Request{}, src); o.Throttle != ThrottledConcurrency {
		t.Fatalf("invocation above the lowered quota: %v", o.Throttle)
	}
	if err := a.SetConcurrency(0); err == nil {
		t.Fatal("a quota of 0 must be refused")
	}
}

func TestSetConcurrencyMovesTheDerivedRateCap(t *testing.T) {
	a := mustAccount(t, AccountConfig{Concurrency: 1}) // 10 invocations/s
	p := mustPool(t, noLimits())
	run := func(now sim.Time, n int) (ok int) {
		for i := 0; i < n; i++ {
			o := p.Invoke(now, a, Request{}, src)
			if o.Throttle == NotThrottled {
				ok++
				p.Complete(o.End, a, o.Env, o.Gen)
			}
		}
		return ok
	}
	if err := a.SetConcurrency(3); err != nil { // 30 invocations/s
		t.Fatal(err)
	}
	// The bucket keeps its level when the cap changes and refills to the new cap: a whole
	// second later one instant admits 30.
	if got := run(at(time.Second), 40); got != 30 {
		t.Fatalf("admitted %d within one instant at quota 3, want the 30/s cap", got)
	}
	b := mustAccount(t, AccountConfig{Concurrency: 1, InvocationsPerSecond: 5})
	if err := b.SetConcurrency(3); err != nil {
		t.Fatal(err)
	}
	if b.rps != 5 {
		t.Fatalf("an explicit rate cap must not follow the concurrency: %d/s", b.rps)
	}
}
