#!/usr/bin/env bash
# Builds the consumer project against the repository that `mvn deploy` wrote, once per class path
# a user may have: the S3 backend, the GCS backend, both. Each build enforces dependencyConvergence
# and runs the load-by-alias smoke tests (filesystem store always; s3:// on S3Proxy and gs:// on
# the GCS test server where the backend is on the class path).
#
#   it/consumer/run.sh [AMA_REPO_DIR]     default: target/deploy-repo at the root of the checkout
#
# Offline: files only, from AMA_REPO_DIR and ~/.m2/repository (see settings.xml); AMA's build must
# have run on this machine first. Set CONSUMER_ONLINE=1 to let Maven fetch what is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "${1:-$here/../../target/deploy-repo}" && pwd)"   # a relative argument is from the caller's folder
cd "$here"
# Its own local repository, so AMA's snapshot never lands in the shared ~/.m2; outside
# it/consumer/target, which each build starts without.
local_repo="$(cd ../.. && pwd)/target/consumer-m2"
offline=(-o -Daether.offline.protocols=file)
if [[ "${CONSUMER_ONLINE:-}" == 1 ]]; then offline=(); fi

consumer() {
  mvn -B -q "${offline[@]}" -s settings.xml -Dmaven.repo.local="$local_repo" -Dama.repo.url="file://$repo" "$@"
}

rm -rf "$local_repo/dev/ama"   # always the artifacts just deployed, never an earlier run's

# ama-bom has no parent, so it repeats the parent's Jackson and SLF4J versions: they must agree.
for property in jackson.version slf4j.version; do
  parent=$(sed -n "s:.*<$property>\(.*\)</$property>.*:\1:p" ../../pom.xml)
  bom=$(sed -n "s:.*<$property>\(.*\)</$property>.*:\1:p" ../../ama-bom/pom.xml)
  if [[ -z "$parent" || "$parent" != "$bom" ]]; then
    echo "ama-bom's $property is '$bom' but the parent's is '$parent': make them equal" >&2
    exit 1
  fi
done

# AMA's published POMs must converge on their own, for users who do not import the BOM: the
# enforcer (validate phase) on the class path with both backends and no BOM.
start=$SECONDS
consumer -Ps3,gcs -DnoBom validate
echo "consumer (both, without the BOM): dependencies converge ($((SECONDS - start)) s)"

# The smoke tests, with the BOM. Each class path must run all of its tests: a test that did not
# compile in would otherwise pass unseen.
declare -A expected=([s3]=4 [gcs]=4 [s3,gcs]=6)
for profile in s3 gcs s3,gcs; do
  start=$SECONDS
  rm -rf target   # not the clean plugin: AMA's build does not use it, so it may not be on the machine
  consumer -P"$profile" verify
  ran=$(cat target/surefire-reports/TEST-*.xml | grep -o '<testsuite [^>]*' | grep -o ' tests="[0-9]*"' | grep -o '[0-9]*' | paste -sd+ | bc)
  if [[ "$ran" != "${expected[$profile]}" ]]; then
    echo "consumer ($profile): ran $ran tests, expected ${expected[$profile]}" >&2
    exit 1
  fi
  echo "consumer ($profile): $ran passed, 0 failed ($((SECONDS - start)) s)"
done
