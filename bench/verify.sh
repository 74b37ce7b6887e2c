#!/usr/bin/env bash
# Verify benchmark: builds a store of many versions on a local S3Proxy (started by the benchmark,
# SigV4, files on disk) and measures the requests and wall time of a shallow and a deep
# `verify`. Results: ama-examples/target/verify-bench/. See docs/performance.md.
#
#   bench/verify.sh                                   # 10,000 versions × 10 files of 1 KiB
#   bench/verify.sh --versions 1000 --files 10        # a smaller store: a few minutes on 2 cores
#
# Options: --versions N, --files F (per version), --file-size BYTES, --writers N (parallel uploads
# while building), --in-memory (S3Proxy keeps objects in its heap: its listing is much faster than
# with its filesystem provider, which rescans the folder for every page; at 10,000 versions give it
# a bigger heap: BENCH_JAVA_OPTS=-Ds3proxy.heap=6g), --in-process (an in-process memory store, no
# HTTP: exact request counts at sizes S3Proxy lists too slowly; its times say nothing about a
# bucket's). BENCH_SKIP_BUILD=1 skips the Maven build (after one has run).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/examples-benchmark.sh"
run_examples_benchmark verify.sh 3g ama-examples dev.ama.examples.bench.VerifyBenchmark "$@"
