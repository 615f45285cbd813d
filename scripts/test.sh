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
if [ "${CI:-}" != "true" ]; then
  exec mvn -B -ntp verify "$@"
fi
find . -path '*/target/surefire-reports/TEST-*.xml' -delete 2>/dev/null || true
rc=0
mvn -B -ntp verify "$@" || rc=$?
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
