package dataplane

import (
	"testing"
	"time"
)

// TestReserveTakesConcurrency: concurrency reserved for invocations simulated elsewhere
// throttles Invoke as running ones would, and releasing it admits again.
func TestReserveTakesConcurrency(t *testing.T) {
	acct, err := NewAccount(AccountConfig{Concurrency: 3})
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	p, err := NewPool(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	acct.Reserve(2)
	if o := p.Invoke(0, acct, Request{Compute: time.Second}, nil); o.Throttle != NotThrottled {
		t.Fatalf("first invocation with 2 of 3 reserved: %v", o.Throttle)
	}
	if o := p.Invoke(1, acct, Request{Compute: time.Second}, nil); o.Throttle != ThrottledConcurrency {
		t.Fatalf("second invocation with 2 of 3 reserved and 1 running: %v, want concurrency", o.Throttle)
	}
	acct.Reserve(-5)
	if acct.Reserved() != 0 {
		t.Fatalf("Reserve(-5) left %d reserved", acct.Reserved())
	}
	if o := p.Invoke(2, acct, Request{Compute: time.Second}, nil); o.Throttle != NotThrottled {
		t.Fatalf("after releasing the reservation: %v", o.Throttle)
	}
}
