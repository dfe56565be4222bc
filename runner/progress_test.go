package runner

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/enisim/enisim/results"
	"github.com/enisim/enisim/scenarios"
)

const twoAccounts = `
accounts:
  - name: a
    vpcs:
      - name: v
        cidr: 10.0.0.0/16
        subnets: [{name: s, az: us-east-1a, cidr: 10.0.1.0/24}]
        securityGroups: [sg]
  - name: b
    vpcs:
      - name: v
        cidr: 10.0.0.0/16
        subnets: [{name: s, az: us-east-1a, cidr: 10.0.1.0/24}]
        securityGroups: [sg]
roles:
  - {name: r, account: a, managed: [AWSLambdaVPCAccessExecutionRole]}
  - {name: r, account: b, managed: [AWSLambdaVPCAccessExecutionRole]}
fleets:
  - {name: fa, account: a, count: 3, role: r, vpcConfig: {SubnetIds: [s], SecurityGroupIds: [sg]}, workload: {rate: 20/s}}
  - {name: fb, account: b, count: 3, role: r, vpcConfig: {SubnetIds: [s], SecurityGroupIds: [sg]}, workload: {rate: 20/s}}
run: {duration: 3h, sampleEvery: 10m}
`

// Progress counts every partition's whole simulated span and every event, however the
// partitions are spread over workers, so a progress display ends at 100 %.
func TestProgressCoversEveryPartition(t *testing.T) {
	sc, err := scenarios.Parse("two.yaml", []byte(twoAccounts))
	require.NoError(t, err)
	for _, workers := range []int{1, 2} {
		p := new(Progress)
		o, err := RunUnit(sc, Units(sc)[0], Options{Dir: filepath.Join(t.TempDir(), "o"), Format: results.Arrow, Workers: workers, Progress: p})
		require.NoError(t, err)
		require.Len(t, o.Stats, 2, "one partition per account")
		assert.Equal(t, int64(2), p.PartsTotal.Load())
		assert.Equal(t, int64(2), p.PartsDone.Load())
		assert.Equal(t, o.Events(), p.Events.Load())
		assert.Equal(t, 2*int64(3*time.Hour), p.SimNanos.Load(), "workers=%d", workers)
	}
}
