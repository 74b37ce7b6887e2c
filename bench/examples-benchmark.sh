# Sourced by the benchmarks whose main class lives in ama-examples' test classes (gc, serving,
# transfer, verify): builds what they need unless BENCH_SKIP_BUILD is set, then runs the class.
#
#   run_examples_benchmark SCRIPT HEAP MODULES CLASS [ARGS...]
#
# MODULES is the -pl list to package (not install): ama-examples, plus ama-cli where bin/ama is
# run; -am brings the s3 module's test-jar with the S3Proxy harness and server jar, and the
# examples' benchmark class path file. BENCH_JAVA_OPTS adds JVM options.
run_examples_benchmark() {
  local script="$1" heap="$2" modules="$3" class="$4"
  shift 4
  local root
  root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  cd "$root"
  if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
    mvn -B -q -DskipTests package -pl "$modules" -am
  fi
  local cp_file="$root/ama-examples/target/bench-classpath.txt"
  if [ ! -f "$cp_file" ]; then
    echo "$script: $cp_file is missing; run without BENCH_SKIP_BUILD" >&2
    exit 1
  fi
  cd "$root/ama-examples"
  # shellcheck disable=SC2086
  exec java -Xmx"$heap" ${BENCH_JAVA_OPTS:-} \
    -Ds3proxy.jar="$root/ama-storage-s3/target/s3proxy/s3proxy.jar" -Daws.disableEc2Metadata=true \
    -cp "target/test-classes:target/classes:$(cat "$cp_file")" \
    "$class" "$@"
}
