#!/usr/bin/env bash
# The S3 loopback experiment (docs/performance.md, "The S3 loopback puzzle"): AMA's S3 client
# putting and getting small objects from S3Proxy directly and through a LatencyProxy adding no
# delay, with the SDK's Expect: 100-continue on and off, interleaved in rounds.
#
#   bench/s3-loopback.sh [--objects 500] [--size 64KiB] [--threads 16] [--rounds 3]
#
# BENCH_SKIP_BUILD=1 skips the Maven build (after one has run).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/examples-benchmark.sh"
run_examples_benchmark s3-loopback.sh 1g ama-examples dev.ama.examples.bench.S3LoopbackExperiment "$@"
