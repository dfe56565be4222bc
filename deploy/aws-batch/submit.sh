#!/usr/bin/env bash
# Submit one enisim sweep as an AWS Batch array job of 16 children. Batch sets
# AWS_BATCH_JOB_ARRAY_INDEX (the shard index) and AWS_BATCH_JOB_ARRAY_SIZE in each child;
# the job definition also sets ENISIM_SHARDS=16, and enisim refuses to run if they disagree.
# The image is built from this repository (go build ./cmd/enisim) and pushed to ECR first.
set -euo pipefail
aws batch register-job-definition --cli-input-json file://deploy/aws-batch/job-definition.json
aws batch submit-job \
  --job-name enisim-mass-deploy \
  --job-queue "${JOB_QUEUE:?set JOB_QUEUE}" \
  --job-definition enisim-sweep \
  --array-properties size=16
