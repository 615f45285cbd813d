#!/usr/bin/env bash
# Soak test (not CI; needs root): `netstack4j serve --http` over a TUN inside a network namespace
# of its own, under mixed load for MINUTES (default 60):
#   - wrk keep-alive (20 connections on one thread, small file),
#   - new-connection curls (one request per connection, 100 KB file, checked by size),
#   - lossy transfers: a second serve with --loss 2 on a second TUN, 2 MB files checked by SHA-256,
#   - SYN floods in bursts: hping3 --flood --rand-source for 5 s at minutes 1, 6, 11, ... (one
#     burst every 5 minutes; skipped if hping3 is missing or SOAK_FLOOD=0).
# Every minute: live heap (jcmd GC.class_histogram: a full GC, then the reachable bytes), RSS, open connections seen by
# the kernel (ss), requests and failures of each kind. At the end a summary: is memory flat, did
# any legitimate request fail (failures during a burst or in the 60 s after it are shown apart:
# without SYN cookies a burst fills the SYN queue for about a minute). Everything runs in the namespace, on its own addresses;
# the namespace, the TUNs and the files are removed on exit (also on Ctrl-C).
#   scripts/soak.sh [MINUTES]          SOAK_FLOOD=0 to leave out the floods
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MINUTES="${1:-60}"
[ "$(id -u)" -eq 0 ] || { echo "soak.sh: needs root (network namespace, TUN)" >&2; exit 2; }
[[ "$MINUTES" =~ ^[0-9]+$ ]] && [ "$MINUTES" -ge 1 ] || { echo "soak.sh: MINUTES must be a positive integer" >&2; exit 2; }
JDK="${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}"
for tool in ip curl sha256sum ss; do command -v "$tool" >/dev/null || { echo "soak.sh: $tool is missing" >&2; exit 2; }; done
if ! command -v wrk >/dev/null; then
  echo "soak.sh: installing wrk"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 wrk >/dev/null 2>&1 \
    || { echo "soak.sh: wrk is missing and could not be installed" >&2; exit 2; }
fi
FLOOD="${SOAK_FLOOD:-1}"
command -v hping3 >/dev/null || { [ "$FLOOD" = 1 ] && echo "soak.sh: hping3 missing, no SYN floods"; FLOOD=0; }

NS="nsjsoak$$"
TUN0="nsjs0"; TUN1="nsjs1"
US0=10.77.0.2; KERNEL0=10.77.0.1; US1=10.77.1.2; KERNEL1=10.77.1.1
WORK=$(mktemp -d /tmp/nsj-soak.XXXXXX)
SITE="$WORK/site"; LOG="$WORK/log"
mkdir -p "$SITE" "$LOG"
PIDS=()

cleanup() {
  trap - EXIT INT TERM
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  [ -n "${JVM0:-}" ] && kill "$JVM0" 2>/dev/null
  [ -n "${JVM1:-}" ] && kill "$JVM1" 2>/dev/null
  sleep 2
  [ -n "${JVM0:-}" ] && kill -9 "$JVM0" 2>/dev/null
  [ -n "${JVM1:-}" ] && kill -9 "$JVM1" 2>/dev/null
  ip netns del "$NS" 2>/dev/null
  if [ "${SOAK_KEEP:-0}" = 1 ]; then echo "soak.sh: logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

inns() { ip netns exec "$NS" "$@"; }

# ---- files ---------------------------------------------------------------------------------
head -c 1024 /dev/urandom | base64 > "$SITE/small.html"
head -c 102400 /dev/urandom > "$SITE/medium.bin"
head -c 2097152 /dev/urandom > "$SITE/big.bin"
BIG_SHA=$(sha256sum "$SITE/big.bin" | cut -d' ' -f1)
MEDIUM_SIZE=102400

# ---- the servers -----------------------------------------------------------------------------
(cd "$ROOT" && ./netstack4j --version >/dev/null) || { echo "soak.sh: ./netstack4j does not run" >&2; exit 2; }
ip netns add "$NS" || exit 2
inns ip link set lo up
ip netns exec "$NS" "$ROOT/netstack4j" serve -q --tun "$TUN0" --address "$US0/24" --host-address "$KERNEL0/24" --http "$SITE" \
  > "$LOG/serve0.log" 2>&1 &
SERVE0=$!
ip netns exec "$NS" "$ROOT/netstack4j" serve -q --tun "$TUN1" --address "$US1/24" --host-address "$KERNEL1/24" --http "$SITE" --loss 2 \
  > "$LOG/serve1.log" 2>&1 &
SERVE1=$!
PIDS+=("$SERVE0" "$SERVE1")
for _ in $(seq 1 60); do
  inns curl -s -o /dev/null --max-time 1 "http://$US0/small.html" && inns curl -s -o /dev/null --max-time 2 "http://$US1/small.html" && break
  sleep 1
done
# the JVMs: ip netns exec and the launcher both exec, so these are the servers' own PIDs
JVM0=$SERVE0; JVM1=$SERVE1
for p in "$JVM0" "$JVM1"; do
  [ "$(ps -o comm= -p "$p")" = java ] || { echo "soak.sh: pid $p is $(ps -o comm= -p "$p"), not the server's JVM" >&2; exit 1; }
done
inns curl -sf -o /dev/null --max-time 2 "http://$US0/small.html" || { echo "soak.sh: the server did not come up:"; cat "$LOG/serve0.log"; exit 1; }
echo "soak.sh: serving $SITE from $US0 (pid $JVM0) and, with 2% loss, $US1 (pid $JVM1) in namespace $NS for $MINUTES min"

START=$(date +%s)
END=$(( START + MINUTES * 60 ))

# ---- load ----------------------------------------------------------------------------------
# new connections: one GET per connection, size checked; "ok SECONDS" or "fail REASON" per line
newconn() {
  while [ "$(date +%s)" -lt "$END" ]; do
    r=$(inns curl -sS --max-time 10 -o /dev/null -w '%{http_code} %{size_download} %{time_total}' "http://$US0/medium.bin" 2>&1)
    set -- $r
    if [ "${1:-}" = 200 ] && [ "${2:-}" = "$MEDIUM_SIZE" ]; then echo "$(date +%s) ok $3"; else echo "$(date +%s) fail $r"; fi
    sleep 0.05
  done
}
# lossy transfers: whole file, SHA-256 checked
lossy() {
  while [ "$(date +%s)" -lt "$END" ]; do
    sum=$(inns curl -sS --max-time 120 "http://$US1/big.bin" 2>/dev/null | sha256sum | cut -d' ' -f1)
    if [ "$sum" = "$BIG_SHA" ]; then echo "$(date +%s) ok"; else echo "$(date +%s) fail"; fi
  done
}
# wrk keep-alive, in rounds of up to 55 s
keepalive() {
  while [ "$(date +%s)" -lt "$END" ]; do
    left=$(( END - $(date +%s) )); d=$(( left < 55 ? left : 55 )); [ "$d" -ge 1 ] || break
    # wrk waits forever for a connect that gets no answer: bounded by timeout, and a round
    # that served nothing counts as 20 errors (its 20 connections)
    inns timeout $(( d + 20 )) wrk -t1 -c20 -d"${d}s" --timeout 5s "http://$US0/small.html" > "$LOG/wrk.round" 2>&1
    reqs=$(awk '/requests in/ {print $1}' "$LOG/wrk.round")
    non2xx=$(awk -F': ' '/Non-2xx/ {print $2}' "$LOG/wrk.round")
    sock=$(awk '/Socket errors/ {gsub(",",""); print $4+$6+$8+$10}' "$LOG/wrk.round")
    err=$(( ${non2xx:-0} + ${sock:-0} )); [ "${reqs:-0}" -gt 0 ] || err=$(( err > 20 ? err : 20 ))
    echo "$(date +%s) ${reqs:-0} $err"
  done
}
# SYN flood bursts: 5 s at minutes 1, 6, 11, ...
floods() {
  m=1
  while :; do
    at=$(( START + m * 60 )); [ "$at" -lt "$END" ] || break
    while [ "$(date +%s)" -lt "$at" ]; do sleep 1; done
    echo "$(date +%s) start"
    inns timeout 5 hping3 -q -S --flood --rand-source -p 80 "$US0" >/dev/null 2>&1
    echo "$(date +%s) end"
    m=$(( m + 5 ))
  done
}
newconn > "$LOG/newconn" & PIDS+=($!)
lossy > "$LOG/lossy" & PIDS+=($!)
keepalive > "$LOG/wrk" & PIDS+=($!)
[ "$FLOOD" = 1 ] && { floods > "$LOG/floods" & PIDS+=($!); }
touch "$LOG/floods"

# ---- every minute --------------------------------------------------------------------------
heap_mb() { # live heap, MB: GC.class_histogram runs a full GC first and totals what is still reachable.
  # (Not GC.run then GC.heap_info: the load allocates tens to hundreds of MB in the second between the
  # two attaches, so "used" then measured traffic, not the live set: 7 to 319 MB in one run whose live
  # heap was 4 MB.)
  "$JDK/bin/jcmd" "$1" GC.class_histogram 2>/dev/null | awk '$1 == "Total" {printf "%.1f", $3 / 1048576; exit}'
}
rss_mb() { ps -o rss= -p "$1" 2>/dev/null | awk '{printf "%.1f", $1 / 1024}'; }
# "during or within 60 s after a flood" for a timestamp (a request that ends then started up to 10 s before)
in_flood() {
  awk -v t="$1" '$2 == "start" {s = $1} $2 == "end" {if (t >= s && t <= $1 + 70) hit = 1} END {exit !hit}' "$LOG/floods"
}
count() { # file, field 2 value, from, to
  awk -v w="$2" -v a="$3" -v b="$4" '$2 == w && $1 >= a && $1 < b' "$1" | wc -l
}
fails_outside_floods() { # failures of newconn outside flood windows in [a, b)
  local n=0 t
  while read -r t _; do in_flood "$t" || n=$((n + 1)); done < <(awk -v a="$1" -v b="$2" '$2 == "fail" && $1 >= a && $1 < b' "$LOG/newconn")
  echo "$n"
}

echo "per minute: live heap (MB, after a GC) and RSS of the server and of the lossy one (1), kernel-side"
echo "connections to port 80 (established / SYN-SENT), new-connection GETs ok and failed (of those"
echo "in a flood window), wrk keep-alive requests and errors, lossy transfers intact/done"
printf '%-4s %9s %9s %9s %9s %9s %9s %11s %9s %8s %8s\n' min heapMB rssMB heap1MB rss1MB estab/syn newconn "fail(flood)" wrk_reqs wrk_err lossy_ok
HEAPS=(); RSSS=()
prev=$START
for m in $(seq 1 "$MINUTES"); do
  target=$(( START + m * 60 ))
  while [ "$(date +%s)" -lt "$target" ]; do sleep 2; kill -0 "$JVM0" 2>/dev/null || break 2; done
  now=$(date +%s)
  h=$(heap_mb "$JVM0"); r=$(rss_mb "$JVM0"); h1=$(heap_mb "$JVM1"); r1=$(rss_mb "$JVM1")
  conns=$(inns ss -Htn state established "( dport = :80 )" 2>/dev/null | wc -l)
  synsent=$(inns ss -Htn state syn-sent "( dport = :80 )" 2>/dev/null | wc -l)
  ok=$(count "$LOG/newconn" ok "$prev" "$now"); fl=$(count "$LOG/newconn" fail "$prev" "$now")
  flout=$(fails_outside_floods "$prev" "$now")
  wreq=$(awk -v a="$prev" -v b="$now" '$1 >= a && $1 < b {s += $2} END {print s + 0}' "$LOG/wrk")
  werr=$(awk -v a="$prev" -v b="$now" '$1 >= a && $1 < b {s += $3} END {print s + 0}' "$LOG/wrk")
  lok=$(count "$LOG/lossy" ok "$prev" "$now"); lfl=$(count "$LOG/lossy" fail "$prev" "$now")
  printf '%-4s %9s %9s %9s %9s %9s %9s %11s %9s %8s %8s\n' "$m" "${h:-?}" "${r:-?}" "${h1:-?}" "${r1:-?}" "$conns/$synsent" \
    "$ok" "$flout($((fl - flout)))" "$wreq" "$werr" "$lok/$((lok + lfl))"
  HEAPS+=("${h:-0}"); RSSS+=("${r:-0}")
  prev=$now
done
sleep 3 # let the last rounds write their lines

# ---- summary -------------------------------------------------------------------------------
alive=yes; kill -0 "$JVM0" 2>/dev/null || alive=NO
tot_ok=$(awk '$2 == "ok"' "$LOG/newconn" | wc -l); tot_fail=$(awk '$2 == "fail"' "$LOG/newconn" | wc -l)
out_fail=$(fails_outside_floods 0 9999999999)
w_req=$(awk '{s += $2} END {print s + 0}' "$LOG/wrk"); w_err=$(awk '{s += $3} END {print s + 0}' "$LOG/wrk")
l_ok=$(awk '$2 == "ok"' "$LOG/lossy" | wc -l); l_fail=$(awk '$2 == "fail"' "$LOG/lossy" | wc -l)
bursts=$(awk '$2 == "start"' "$LOG/floods" | wc -l)
n=${#HEAPS[@]}
if [ "$n" -ge 3 ]; then
  base_h=${HEAPS[1]}; last_h=${HEAPS[$((n - 1))]}; base_r=${RSSS[1]}; last_r=${RSSS[$((n - 1))]}
else
  base_h=${HEAPS[0]:-0}; last_h=${HEAPS[$((n - 1))]:-0}; base_r=${RSSS[0]:-0}; last_r=${RSSS[$((n - 1))]:-0}
fi
flat=$(awk -v a="$base_h" -v b="$last_h" 'BEGIN {print (b <= a * 1.25 + 8) ? "yes" : "NO"}')
echo
echo "soak.sh summary ($MINUTES min, server alive at the end: $alive)"
echo "  live heap after GC: minute 2 ${base_h} MB, last minute ${last_h} MB -> flat: $flat (last <= 1.25 x minute 2 + 8 MB)"
echo "  RSS: minute 2 ${base_r} MB, last minute ${last_r} MB"
echo "  new-connection GETs: $tot_ok ok, $tot_fail failed ($out_fail outside flood windows, $((tot_fail - out_fail)) during or within 60 s after one of $bursts SYN flood bursts)"
echo "  wrk keep-alive: $w_req requests, $w_err errors (non-2xx + socket errors)"
echo "  lossy (2%) 2 MB transfers: $l_ok intact, $l_fail failed or corrupt"
if [ "$alive" = yes ] && [ "$flat" = yes ] && [ "$tot_fail" -eq 0 ] && [ "$w_err" -eq 0 ] && [ "$l_fail" -eq 0 ]; then
  echo "  RESULT: PASS (flat memory, no failed legitimate request)"
  exit 0
fi
echo "  RESULT: FAIL"
[ "$tot_fail" -gt "$out_fail" ] && echo "  ($((tot_fail - out_fail)) GETs failed in flood windows: a SYN flood fills the SYN queue without SYN cookies)"
exit 1
