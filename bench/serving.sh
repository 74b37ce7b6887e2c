#!/usr/bin/env bash
# Serving benchmark: AssetWatch.current() and a warm load of a cached version on a filesystem
# store (p50/p99 in microseconds, against the timer alone and the alias resolution alone), then the
# time from an alias move to the swap on a local S3Proxy for a 200 MiB model, against the poll
# interval plus the transfer of the same version alone, measured just before each move.
# See docs/performance.md#serving.
#
#   bench/serving.sh                          # 200 MiB, poll every 2 s, 3 rounds
#   bench/serving.sh --size 50 --rounds 1     # quicker
#   bench/serving.sh --no-s3                  # current() and warm load only
#
# Options: --size MiB, --poll SECONDS, --rounds N, --samples N (warm loads timed), --no-s3.
# BENCH_SKIP_BUILD=1 skips the Maven build (after one has run). BENCH_JAVA_OPTS adds JVM options.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/examples-benchmark.sh"
run_examples_benchmark serving.sh 1g ama-examples dev.ama.examples.bench.ServingBenchmark "$@"
