#!/usr/bin/env bash
# A fuzzing campaign over every Jazzer target (*Fuzzer.java), one JVM per target.
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]    (default 300 s; targets: class names)
# Findings (crash-*, timeout-*, oom-* inputs) and the corpus each target grew go to
# target/fuzz-findings/<Target>/ (the corpus in .cifuzz-corpus/, kept between campaigns), the
# log to target/fuzz-findings/<Target>.log; one summary line per target at the end, also in
# target/fuzz-findings/summary.txt. Exit status 1 if any target found something.
# To keep a finding as a regression seed, fix the bug and copy the input into the target's
# src/test/resources/<package>/<Class>Inputs/<method>/ (then `mvn test` replays it).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SECONDS_PER_TARGET="${1:-300}"
shift || true
JAVA="${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"
OUT="$ROOT/target/fuzz-findings"
mkdir -p "$OUT"

# module:Class for every target; a new *Fuzzer.java is picked up by this search.
mapfile -t ALL < <(cd "$ROOT" && find core packetdrill cli apps -path '*/src/test/java/*' -name '*Fuzzer.java' \
    | sed -E 's#^([^/]+)/src/test/java/(.*)\.java$#\1:\2#; s#/#.#g' | sort)
TARGETS=()
if [ $# -gt 0 ]; then
  for want in "$@"; do
    for t in "${ALL[@]}"; do [[ "${t##*.}" == "$want" ]] && TARGETS+=("$t"); done
  done
else
  TARGETS=("${ALL[@]}")
fi
[ ${#TARGETS[@]} -gt 0 ] || { echo "fuzz.sh: no targets (have: ${ALL[*]##*.})" >&2; exit 2; }

[ "${FUZZ_NO_BUILD:-}" = 1 ] || {
echo "fuzz.sh: compiling and writing the test classpaths ..."
mvn -B -ntp -q -pl core,packetdrill,cli,apps -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/fuzz-classpath.txt -Dmdep.includeScope=test
}

: > "$OUT/summary.txt"
failed=0
for t in "${TARGETS[@]}"; do
  module="${t%%:*}"; class="${t#*:}"; name="${class##*.}"
  cp="$ROOT/$module/target/test-classes:$ROOT/$module/target/classes:$(cat "$ROOT/$module/target/fuzz-classpath.txt")"
  dir="$OUT/$name"; log="$OUT/$name.log"
  mkdir -p "$dir"
  before=$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'slow-unit-*' \) | wc -l)
  echo "fuzz.sh: $name for ${SECONDS_PER_TARGET}s ..."
  start=$(date +%s)
  set +e
  (cd "$ROOT/$module" && JAZZER_FUZZ=1 "$JAVA" -Xmx2g -XX:+EnableDynamicAgentLoading --enable-native-access=ALL-UNNAMED \
      -Djazzer.max_duration="${SECONDS_PER_TARGET}s" -Djazzer.instrument='org.netstack4j.**' \
      -Djazzer.internal.basedir="$dir" -cp "$cp" "$ROOT/scripts/FuzzLaunch.java" "$class") > "$log" 2>&1
  rc=$?
  set -e
  secs=$(( $(date +%s) - start ))
  runs=$(grep -oE '^Done [0-9]+ runs' "$log" | tail -1 | grep -oE '[0-9]+' || true)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
  corpus=$(find "$dir/.cifuzz-corpus" -type f 2>/dev/null | wc -l || true)
  after=$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'slow-unit-*' \) | wc -l)
  finding=$(grep -m1 -E '^FINDING|== Java Exception' "$log" | cut -c1-160 || true)
  status=ok
  if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then status=FINDING; failed=1; fi
  line=$(printf '%-22s %-8s %6ss  execs %-10s %-22s corpus %-5s new findings %s%s' "$name" "$status" "$secs" \
      "${runs:-?}" "${cov:-cov: ?}" "$corpus" "$((after - before))" "${finding:+  ($finding)}")
  echo "$line" | tee -a "$OUT/summary.txt"
done
echo
echo "fuzz.sh: summary (also in $OUT/summary.txt; logs and findings in $OUT/)"
cat "$OUT/summary.txt"
exit $failed
