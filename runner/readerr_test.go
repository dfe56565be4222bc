package runner

import (
	"errors"
	"io/fs"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/enisim/enisim/model"
	"github.com/enisim/enisim/sim"
)

// failingReplay is a replay source that stopped on a read error.
type failingReplay struct{ err error }

func (failingReplay) Next() (sim.Time, int32, time.Duration, bool) { return 0, 0, 0, false }
func (f failingReplay) ReadErr() error                             { return f.err }

// readErrs names the partition and account of every replay that stopped on a read error
// and keeps the cause, so RunUnit fails the run (tables marked incomplete) instead of
// presenting a shortened replay as the scenario.
func TestReadErrsNamesPartitionAndAccount(t *testing.T) {
	ok := &model.Config{Accounts: []model.Account{{ID: "a", Arrivals: failingReplay{}}, {ID: "b"}}}
	require.NoError(t, readErrs([]*model.Config{ok}))
	bad := &model.Config{Accounts: []model.Account{{ID: "c", Arrivals: failingReplay{err: fs.ErrClosed}}}}
	err := readErrs([]*model.Config{ok, bad})
	require.Error(t, err)
	assert.ErrorIs(t, err, fs.ErrClosed)
	assert.Contains(t, err.Error(), "partition 1")
	assert.Contains(t, err.Error(), "account c")
	assert.False(t, errors.Is(readErrs(nil), fs.ErrClosed))
}
