package validate

import (
	"fmt"
	"time"

	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/sim"
)

// runModel runs one replication of cfg for the given span and returns the model's totals.
// A broken model invariant (a panic) is returned as an error naming the seed.
func runModel(cfg *model.Config, seed sim.Seed, until time.Duration, obs model.Observer) (c model.Counters, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("model panicked with seed %d: %v", uint64(seed), r)
		}
	}()
	m, err := model.New(cfg, seed, obs)
	if err != nil {
		return c, err
	}
	q := sim.NewQueue(1024)
	if err := m.Start(q); err != nil {
		return c, err
	}
	st, err := sim.Run(q, m, sim.Bounds{Until: sim.Time(0).Add(until)}, nil)
	if err != nil {
		return c, err
	}
	m.Finish(st.End)
	return m.Counters(), nil
}

// replicate runs fn for replications 0..n−1 on up to workers goroutines, each with the
// seed root.Derive(check, i). fn returns one value per measured quantity; replicate returns
// one column per quantity, in replication order (so results do not depend on the worker
// count).
func replicate(root sim.Seed, check string, n, workers int, fn func(seed sim.Seed) ([]float64, error)) ([][]float64, error) {
	rows := make([][]float64, n)
	errs := sim.Parallel(n, workers, func(i int) error {
		seed := root.Derive(check, uint64(i))
		v, err := fn(seed)
		if err != nil {
			return fmt.Errorf("%s replication %d (seed %d): %w", check, i, uint64(seed), err)
		}
		rows[i] = v
		return nil
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	cols := make([][]float64, len(rows[0]))
	for _, r := range rows {
		for k, v := range r {
			cols[k] = append(cols[k], v)
		}
	}
	return cols, nil
}
