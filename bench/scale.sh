#!/usr/bin/env bash
# Query scale benchmark: builds (or reuses) a filesystem store of N model versions and measures
# find, downstream lineage, listing and alias resolution. Usage: bench/scale.sh [N] [folder]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# Packaging in the same run lets the classpath name the reactor's own jars, installed or not.
mvn -B -q -DskipTests -pl ama-examples -am package dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
cp="ama-examples/target/classes:$(cat ama-examples/target/classpath.txt)"
exec java -cp "$cp" dev.ama.examples.bench.ScaleBenchmark "${1:-10000}" "${2:-$(mktemp -d)}"
