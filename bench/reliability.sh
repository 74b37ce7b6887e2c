#!/usr/bin/env bash
# Runs the reliability trials too long for CI: every test tagged "long" in every module (the S3
# network-fault storms of ama-storage-s3, and the long variants of the other attacks), then
# prints the figures each wrote to <module>/target/reliability/. The CI-sized variants run in the
# ordinary build (mvn -B verify). See docs/reliability.md.
#
#   bench/reliability.sh                              # every module
#   bench/reliability.sh -pl ama-storage-s3 -am       # one module; arguments go to Maven
#   bench/reliability.sh -o                           # offline
set -euo pipefail
root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rm -rf -- */target/reliability
status=0
# The build leaves out "slow" and "long" tests through surefire.excludedGroups; empty it and
# select the "long" group. -am modules without such tests simply run none.
mvn -B -q test -Dgroups=long -Dsurefire.excludedGroups= -Dsurefire.failIfNoSpecifiedTests=false "$@" || status=$?
shopt -s nullglob
figures=(*/target/reliability/*.txt)
if [ ${#figures[@]} -eq 0 ]; then
  echo "reliability.sh: no test wrote figures to */target/reliability/" >&2
else
  for f in "${figures[@]}"; do
    echo
    echo "== $f"
    cat "$f"
  done
fi
exit "$status"
