package dataplane

import (
	"fmt"
)

// checkInvariants verifies the pool's internal consistency; tests call it after every step.
//  1. Every slot is free, busy or idle; counts match busy and idle.
//  2. The idle list holds exactly the idle slots, linked both ways, with idleSince
//     non-increasing from the head (the head is the most recently used).
//  3. The free list holds exactly the free slots.
//  4. Connections equal the sum of EnvConnections.
func (p *Pool) checkInvariants() error {
	var busy, idle, free, conns int
	for i := range p.envs {
		switch p.envs[i].state {
		case envBusy:
			busy++
		case envIdle:
			idle++
		case envFree:
			free++
		default:
			return fmt.Errorf("env %d: state %d", i, p.envs[i].state)
		}
		conns += p.EnvConnections(EnvID(i))
	}
	if busy != int(p.busy) || idle != int(p.idle) {
		return fmt.Errorf("counted busy %d idle %d, pool says %d %d", busy, idle, p.busy, p.idle)
	}
	n, prev := 0, none
	for e := p.idleHead; e != none; e = p.envs[e].next {
		v := &p.envs[e]
		if v.state != envIdle || v.prev != prev {
			return fmt.Errorf("idle list: env %d state %d prev %d (want %d)", e, v.state, v.prev, prev)
		}
		if prev != none && v.idleSince > p.envs[prev].idleSince {
			return fmt.Errorf("idle list not MRU-ordered at env %d", e)
		}
		if !v.expiryPending {
			return fmt.Errorf("idle env %d has no pending expiry", e)
		}
		prev = e
		if n++; n > len(p.envs) {
			return fmt.Errorf("idle list cycles")
		}
	}
	if n != idle {
		return fmt.Errorf("idle list length %d, idle slots %d", n, idle)
	}
	n = 0
	for e := p.freeHead; e != none; e = p.envs[e].next {
		if p.envs[e].state != envFree {
			return fmt.Errorf("free list holds env %d in state %d", e, p.envs[e].state)
		}
		if n++; n > len(p.envs) {
			return fmt.Errorf("free list cycles")
		}
	}
	if n != free {
		return fmt.Errorf("free list length %d, free slots %d", n, free)
	}
	if conns != int(p.conns) {
		return fmt.Errorf("connections %d, sum over environments %d", p.conns, conns)
	}
	return nil
}
