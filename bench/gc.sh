#!/usr/bin/env bash
# gc benchmark on a local S3Proxy: builds a store of N versions with B blobs each (default 1,000 x
# 10) and counts gc's requests per live version for a dry run, a retention dry run and a deleting
# run. Usage: bench/gc.sh [versions] [blobsPerVersion] [--in-memory|--in-process]. See
# docs/performance.md#gc. In memory at 10,000 versions, give S3Proxy a bigger heap:
# BENCH_JAVA_OPTS=-Ds3proxy.heap=6g. --in-process uses an in-process memory store instead of
# S3Proxy: exact request counts at the full size, where S3Proxy's listings are too slow.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/examples-benchmark.sh"
run_examples_benchmark gc.sh 3g ama-examples dev.ama.examples.bench.GcBenchmark "$@"
