#!/usr/bin/env bash
# Installs the tools netstack4j's tests use (the table below). Needs root (CI runs as root).
#
# - Another apt/dpkg running (unattended-upgrades, a second job) is waited for, up to
#   $NETSTACK4J_APT_LOCK_WAIT seconds (default 300), instead of failing at once.
# - With CI=true (CI sets it) a tool still missing afterwards is an error: exit 1 naming the tool,
#   the package and apt's reason. Otherwise the tests that need it would skip and the build pass
#   without them. scripts/test.sh applies the same rule to the tests' own skips.
# - Outside CI it warns and exits 0; the tests that need a missing tool skip with a reason.
set -uo pipefail
LOCK_WAIT="${NETSTACK4J_APT_LOCK_WAIT:-300}"

# check (a command on PATH, /usr/sbin, or py:MODULE) | Debian package | what needs it
TOOLS=(
  "tshark|tshark|pcap checks (core, lab, cli)"
  "ip|iproute2|network namespaces, TUN/TAP and veth tests"
  "curl|curl|HTTP interoperation tests"
  "python3|python3|interoperation tests, slowloris client"
  "ping|iputils-ping|ICMP interoperation tests"
  "chromium|chromium|SVG screenshots (lab)"
  "ethtool|ethtool|bench bulk_no_offload row"
  "taskset|util-linux|bench bulk_1core row"
  "ab|apache2-utils|serve keep-alive benchmark test (ab)"
  "dig|bind9-dnsutils|DNS interoperation tests (apps)"
  "dnsmasq|dnsmasq-base|DNS interoperation tests (apps)"
  "swaks|swaks|SMTP interoperation tests (apps)"
  "vsftpd|vsftpd|FTP interoperation tests (apps)"
  "py:aiosmtpd|python3-aiosmtpd|SMTP interoperation tests (apps)"
  "py:scapy.all|python3-scapy|IPv6 packets made by Scapy (core wire tests)"
  "hping3|hping3|SYN flood interoperation test (cli)"
  "traceroute|traceroute|route interoperation test (linux)"
  "microsocks|microsocks|SOCKS5 server for the gateway interoperation test (cli)"
  "pg_ctlcluster|postgresql|PostgreSQL server for the JDBC-over-TUN test (javanet)"
  "nginx|nginx-light|HTTP server for the OkHttp-over-TUN download test (cli) and behind the gateway (cli)"
  "wrk|wrk|HTTP load for the Netty-over-TUN test (netty)"
  "danted|dante-server|SOCKS5 server with UDP ASSOCIATE for the gateway interoperation test (cli)"
  "iperf3|iperf3|throughput through gateway and route (cli, bench)"
)

in_ci() { [ "${CI:-}" = "true" ]; }

have() {
  case "$1" in
    py:*) [ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import ${1#py:}" >/dev/null 2>&1 ;; # the system python, where Debian packages go
    *) command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ] ;;
  esac
}

missing() { # prints "package|check|purpose" for each missing tool
  local entry check pkg what
  for entry in "${TOOLS[@]}"; do
    IFS='|' read -r check pkg what <<<"$entry"
    have "$check" || echo "$pkg|$check|$what"
  done
}

give_up() { # $1: message. Fatal in CI, a warning elsewhere.
  if in_ci; then
    echo "install-deps: FAILED (CI=true): $1" >&2
    exit 1
  fi
  echo "install-deps: warning: $1; the tests that need it will be skipped (with a reason)" >&2
  exit 0
}

mapfile -t MISSING < <(missing)
if [ ${#MISSING[@]} -eq 0 ]; then
  echo "install-deps: all $(( ${#TOOLS[@]} )) tools present"
  exit 0
fi
pkgs=()
for m in "${MISSING[@]}"; do pkgs+=("${m%%|*}"); done
if [ "$(id -u)" -ne 0 ]; then
  give_up "not root, so not installing ${pkgs[*]}"
fi
command -v apt-get >/dev/null 2>&1 || give_up "no apt-get to install ${pkgs[*]} with"

echo "install-deps: installing ${pkgs[*]} (waiting up to ${LOCK_WAIT}s for another apt/dpkg)"
export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
APT=(apt-get -o "DPkg::Lock::Timeout=$LOCK_WAIT" -o "Acquire::Retries=3" -y -qq)
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
updated=false
# apt-get update does not honour DPkg::Lock::Timeout for the package lists' lock: retry while
# another apt holds it, up to the same wait; other failures get two more tries.
deadline=$(( $(date +%s) + LOCK_WAIT )); tries=0
while true; do
  if "${APT[@]}" update >"$LOG" 2>&1; then updated=true; break; fi
  tries=$((tries + 1))
  if grep -q 'Could not get lock' "$LOG"; then
    [ "$(date +%s)" -lt "$deadline" ] || { echo "install-deps: apt lock still held after ${LOCK_WAIT}s" >&2; break; }
    sleep 5
    continue
  fi
  echo "install-deps: apt-get update failed (try $tries): $(grep -E '^(E|W):' "$LOG" | head -n 3 | tr '\n' ' ')" >&2
  [ "$tries" -lt 3 ] || break
  sleep $((tries * 5))
done
$updated || echo "install-deps: continuing with the package lists already present" >&2
if ! "${APT[@]}" install --no-install-recommends "${pkgs[@]}" >"$LOG" 2>&1; then
  echo "install-deps: apt-get install of all at once failed: $(grep -E '^E:' "$LOG" | head -n 3 | tr '\n' ' ')" >&2
  for p in "${pkgs[@]}"; do # one by one, so one unavailable package does not block the others
    "${APT[@]}" install --no-install-recommends "$p" >"$LOG" 2>&1 \
      || echo "install-deps: apt-get install $p failed: $(grep -E '^E:' "$LOG" | head -n 2 | tr '\n' ' ')" >&2
  done
fi

mapfile -t STILL < <(missing)
if [ ${#STILL[@]} -gt 0 ]; then
  what=()
  for m in "${STILL[@]}"; do
    IFS='|' read -r pkg check purpose <<<"$m"
    what+=("${check#py:} (package $pkg, for $purpose)")
  done
  give_up "still missing after apt-get install: $(IFS=';'; echo "${what[*]}")"
fi
echo "install-deps: installed ${pkgs[*]}"
