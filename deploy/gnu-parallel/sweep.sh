#!/usr/bin/env bash
# Run one enisim sweep as N shard processes with GNU parallel (on one machine, or across
# machines sharing the output directory with --sshloginfile). Retries a failed shard twice.
#   deploy/gnu-parallel/sweep.sh scenarios/library/mass-deploy.yaml out/mass-deploy 4
set -euo pipefail
scenario=${1:?scenario}; out=${2:?output dir}; n=${3:-4}
parallel --retries 3 --halt now,fail=1 -j "$n" \
  ./bin/enisim sweep "$scenario" -o "$out" --parallel 1 --shard {}/"$n" ::: $(seq 0 $((n - 1)))
./bin/enisim sweep status "$out" --shards "$n"
