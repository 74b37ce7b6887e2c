#!/usr/bin/env bash
# Builds what the transfer benchmark needs and runs it: AMA against a local S3Proxy (started by
# the benchmark, SigV4, files on disk) and the filesystem store, with the AWS SDK, rclone and
# aws-cli (if installed) and openssl as baselines in the same run; the small-file cases also at a
# round-trip time added by a latency proxy. Results: ama-examples/target/transfer-bench/.
#
#   bench/transfer.sh            # 2,000 × 64 KiB at 0 and 20 ms RTT, 1 GiB, hashing, CLI cold start
#   bench/transfer.sh --quick    # 200 files, 64 MiB: a few minutes
#   bench/transfer.sh --small-files-only --rtt 0,20   # only issue 18's small-file cases and goals
#   bench/transfer.sh --big 5GiB --heap 256m          # one large file through a child JVM with a small heap
#   bench/transfer.sh --many 100000 --heap 256m       # 100,000 × 4 KiB through a child JVM (slow)
#   bench/transfer.sh --store-format 2 ...            # every AMA store in format 2 (default: the product's)
#   bench/transfer.sh --filesystem-only [--rounds 3]  # filesystem store vs cp -r && sync, formats 1 and 2
#   bench/transfer.sh --cli-only                      # the CLI's cold download vs rclone, and start-up
#
# BENCH_SKIP_BUILD=1 skips the Maven build (after one has run). BENCH_JAVA_OPTS adds JVM options.
# See docs/performance.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/examples-benchmark.sh"
run_examples_benchmark transfer.sh 2g ama-examples,ama-cli dev.ama.examples.bench.TransferBenchmark --root "$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)" "$@"
