#!/usr/bin/env bash
# Runs every test of netstack4j: installs the tools the tests use, then the Maven build
# with all unit, property, simulation and integration tests.
#
# With CI=true a test skipped for want of a tool, root or a TUN device fails the run (after
# Maven, listing each one): in CI those are installed and present, so such a skip means a broken
# setup, not a pass. Outside CI the skips stay skips (their reasons are in the reports).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/install-deps.sh

# A user's view: install the artifacts, then build it/consumer (outside the reactor) against them
# by coordinates on the module path and run its client and server over the simulator.
consumer() {
  local version jdk
  version=$(sed -n 's|^  <version>\(.*\)</version>|\1|p' pom.xml | head -1)
  mvn -B -ntp -q install -DskipTests "$@"
  (cd it/consumer && mvn -B -ntp -q -Dnetstack4j.version="$version" compile dependency:copy-dependencies)
  jdk="${JAVA_HOME:-}"
  if [ -z "$jdk" ] || ! "$jdk/bin/java" -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; then
    jdk=$(ls -d /usr/lib/jvm/*25* 2>/dev/null | head -1)
  fi
  "$jdk/bin/java" --module-path it/consumer/target/classes:it/consumer/target/lib \
    -m org.netstack4j.it.consumer/org.netstack4j.it.consumer.Main
}

if [ "${CI:-}" != "true" ]; then
  mvn -B -ntp verify "$@"
  consumer
  exit 0
fi
find . -path '*/target/surefire-reports/TEST-*.xml' -delete 2>/dev/null || true
rc=0
mvn -B -ntp verify "$@" || rc=$?
if [ "$rc" -eq 0 ]; then consumer || rc=$?; fi
# Reasons of skips that mean "the environment lacks something scripts/install-deps.sh or CI provides".
TOOL_SKIP='not installed|install-deps|apt-get install|needs root|need root|real TUN|/dev/net/tun|needs the ping|needs tshark|need curl|need python3|TunBench needs'
skips=$(grep -h -o 'Assumption failed: [^&]*' $(find . -path '*/target/surefire-reports/TEST-*.xml') 2>/dev/null \
  | grep -E "$TOOL_SKIP" | sort | uniq -c || true)
if [ -n "$skips" ]; then
  echo "test.sh: FAILED (CI=true): tests were skipped for want of a tool or of root/TUN:" >&2
  echo "$skips" >&2
  [ "$rc" -ne 0 ] || rc=1
fi
exit "$rc"
