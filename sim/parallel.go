package sim

import (
	"sync"
	"sync/atomic"
)

// Parallel runs fn for every partition 0..n-1 on up to workers goroutines. Partitions are
// handed out with an atomic counter (outside any event loop); each fn owns its own Queue.
// The returned errors are indexed by partition, so callers merge in a fixed order and the
// result does not depend on the worker count.
func Parallel(n, workers int, fn func(part int) error) []error {
	errs := make([]error, n)
	if workers < 1 {
		workers = 1
	}
	if workers > n {
		workers = n
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				errs[i] = fn(i)
			}
		}()
	}
	wg.Wait()
	return errs
}
