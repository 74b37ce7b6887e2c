#!/usr/bin/env bash
# Dashboard benchmark: builds (or reuses) bench/scale.sh's store of N model versions in FOLDER,
# then times a warm `ama ui` server's answers for each page against the client calls behind
# them, in the same run. Usage: bench/ui.sh [N] [folder] [rounds]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
versions="${1:-10000}"
folder="${2:-$(mktemp -d)}"
rounds="${3:-20}"
# Packaging in the same run lets the class paths name the reactor's own jars, installed or not.
mvn -B -q -DskipTests -pl ama-examples,ama-ui -am package dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test
if [ ! -f "$folder/store/ama-store.json" ]; then
  java -cp "ama-examples/target/classes:$(cat ama-examples/target/classpath.txt)" \
    dev.ama.examples.bench.ScaleBenchmark "$versions" "$folder"
  echo
fi
exec java -cp "ama-ui/target/test-classes:ama-ui/target/classes:$(cat ama-ui/target/classpath.txt)" \
  dev.ama.ui.DashboardBenchmark "$folder/store" "$rounds"
