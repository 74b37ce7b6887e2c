#!/usr/bin/env bash
# Builds the CLI and times cold `ama` commands on a local store (--help, ls, status, show) with
# each start-up option (JDK 17 with and without AppCDS, JDK 25 with and without the AOT cache, C1
# or full JIT) against `java -version` and a trivial Java main of the same JDK. Results:
# ama-examples/target/startup-bench/. AMA_TRACE_STARTUP=1 on one command shows where its time goes.
#
#   bench/startup.sh             # median of 10 cold runs each: a few minutes on 2 cores
#   bench/startup.sh --runs 20
#
# BENCH_SKIP_BUILD=1 skips the Maven build (after one has run). See docs/performance.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/examples-benchmark.sh"
run_examples_benchmark startup.sh 256m ama-examples,ama-cli dev.ama.examples.bench.StartupBenchmark --root "$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)" "$@"
