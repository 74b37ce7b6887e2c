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
root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  # package (not install): the CLI's jar and lib/ for bin/ama, the s3 module's test-jar with the
  # S3Proxy harness and server jar, and the benchmark's class path file.
  mvn -B -q -DskipTests package -pl ama-examples,ama-cli -am
fi
cp_file="$root/ama-examples/target/bench-classpath.txt"
if [ ! -f "$cp_file" ]; then
  echo "transfer.sh: $cp_file is missing; run without BENCH_SKIP_BUILD" >&2
  exit 1
fi
cd "$root/ama-examples"
# shellcheck disable=SC2086
exec java -Xmx2g ${BENCH_JAVA_OPTS:-} \
  -Ds3proxy.jar="$root/ama-storage-s3/target/s3proxy/s3proxy.jar" -Daws.disableEc2Metadata=true \
  -cp "target/test-classes:target/classes:$(cat "$cp_file")" \
  dev.ama.examples.bench.TransferBenchmark --root "$root" "$@"
