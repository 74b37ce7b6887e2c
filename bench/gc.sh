#!/usr/bin/env bash
# gc benchmark on a local S3Proxy: builds a store of N versions with B blobs each (default 1,000 x
# 10) and counts gc's requests per live version for a dry run, a retention dry run and a deleting
# run. Usage: bench/gc.sh [versions] [blobsPerVersion] [--in-memory|--in-process]. See
# docs/performance.md#gc. In memory at 10,000 versions, give S3Proxy a bigger heap:
# BENCH_JAVA_OPTS=-Ds3proxy.heap=6g. --in-process uses an in-process memory store instead of
# S3Proxy: exact request counts at the full size, where S3Proxy's listings are too slow.
set -euo pipefail
root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  mvn -B -q -DskipTests package -pl ama-examples -am
fi
cd "$root/ama-examples"
exec java -Xmx3g ${BENCH_JAVA_OPTS:-} -Ds3proxy.jar="$root/ama-storage-s3/target/s3proxy/s3proxy.jar" -Daws.disableEc2Metadata=true \
  -cp "target/test-classes:target/classes:$(cat "$root/ama-examples/target/bench-classpath.txt")" \
  dev.ama.examples.bench.GcBenchmark "$@"
