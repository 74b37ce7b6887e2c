#!/usr/bin/env bash
# Cache churn benchmark: V versions of M MiB (default 20 x 50) in a filesystem store, loaded in turn
# by two processes sharing one local cache capped at C MiB (default 200), R rounds each (default 2).
# Samples the cache's size on disk every 20 ms and reports the maximum against the cap and the
# versions held at that moment, the evictions seen, and that every served version verified.
# Usage: bench/cache-churn.sh [versions] [mb] [capMb] [rounds]. See docs/performance.md#cache-churn.
set -euo pipefail
root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  mvn -B -o -q test-compile -pl ama-core
fi
cp_file="$root/ama-core/target/bench-classpath.txt"
mvn -B -o -q dependency:build-classpath -pl ama-core -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test
work="$(mktemp -d "${TMPDIR:-/tmp}/ama-cache-churn.XXXXXX")"
trap 'rm -rf "$work"' EXIT
java -Xmx512m -cp "ama-core/target/test-classes:ama-core/target/classes:$(cat "$cp_file")" \
  dev.ama.CacheChurnBenchmark "$work" "${1:-20}" "${2:-50}" "${3:-200}" "${4:-2}"
