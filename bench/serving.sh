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
root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  # package (not install): the s3 module's test-jar with the S3Proxy harness and server jar, and
  # the examples' benchmark class path file.
  mvn -B -q -DskipTests package -pl ama-examples -am
fi
cp_file="$root/ama-examples/target/bench-classpath.txt"
if [ ! -f "$cp_file" ]; then
  echo "serving.sh: $cp_file is missing; run without BENCH_SKIP_BUILD" >&2
  exit 1
fi
cd "$root/ama-examples"
# shellcheck disable=SC2086
exec java -Xmx1g ${BENCH_JAVA_OPTS:-} \
  -Ds3proxy.jar="$root/ama-storage-s3/target/s3proxy/s3proxy.jar" -Daws.disableEc2Metadata=true \
  -cp "target/test-classes:target/classes:$(cat "$cp_file")" \
  dev.ama.examples.bench.ServingBenchmark "$@"
