#!/usr/bin/env bash
# Builds what the transfer benchmark needs and runs it: AMA against a local S3Proxy (started by
# the benchmark, SigV4, files on disk) and the filesystem store, with the AWS SDK, rclone (if
# installed) and openssl as baselines in the same run. Results: ama-examples/target/transfer-bench/.
#
#   bench/transfer.sh            # 2,000 × 64 KiB, 1 GiB, hashing, CLI cold start
#   bench/transfer.sh --quick    # 200 files, 64 MiB: a minute or two
#   bench/transfer.sh --big 5GiB --heap 256m   # one large file through a child JVM with a small heap
#
# BENCH_SKIP_BUILD=1 skips the Maven build (after one has run). BENCH_JAVA_OPTS adds JVM options.
# See docs/performance.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/examples-benchmark.sh"
run_examples_benchmark transfer.sh 2g ama-examples,ama-cli dev.ama.examples.bench.TransferBenchmark --root "$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)" "$@"
