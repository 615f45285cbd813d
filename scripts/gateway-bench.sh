#!/usr/bin/env bash
# iperf3 TCP throughput and ping latency from a client namespace to a server namespace S
# (10.77.0.2, reached from the root namespace over a veth), through:
#   kernel   - the kernel's own forwarding (a router namespace between the client and the root)
#   gateway  - ./netstack4j gateway --direct (TUN into the client namespace, relayed from root's sockets)
#   route    - ./netstack4j route between two namespaces (TUN a0 into the client's, b0 into B's with its
#              own iperf3 server at 10.2.0.2: the route command knows its connected subnets only)
#   slirp4netns, pasta - the user-space networking people would otherwise pick (relaying from root's sockets)
# Prints one line per path: Mbit/s (iperf3 -t $SECS, receiver side) and ping avg ms, and the
# ratios of netstack4j's rows to slirp4netns and pasta. Needs root, iperf3, slirp4netns, pasta.
# Usage: scripts/gateway-bench.sh [SECS]   (default 5)
set -uo pipefail
SECS="${1:-5}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
P=$$
S=nsjb-s-$P C=nsjb-c-$P R=nsjb-r-$P V=nsjbv$((P % 10000))
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for f in /tmp/nsjb-iperf-s-$P.pid /tmp/nsjb-iperf-b-$P.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; rm -f "$f"; done
  sleep 0.5
  for n in $S $C $R ${B:-}; do ip netns del "$n" 2>/dev/null; done
  ip link del "$V" 2>/dev/null
}
trap cleanup EXIT

ip netns add $S; ip -n $S link set lo up
ip link add $V type veth peer name ${V}s
ip link set ${V}s netns $S
ip addr add 10.77.0.1/24 dev $V; ip link set $V up
ip -n $S addr add 10.77.0.2/24 dev ${V}s; ip -n $S link set ${V}s up
ip -n $S route add default via 10.77.0.1
ip netns exec $S iperf3 -s -D -I /tmp/nsjb-iperf-s-$P.pid -B 10.77.0.2 -p 5201 >/dev/null 2>&1
sleep 0.5

# $1: label; the rest: a command prefix that runs a command on the client side
measure() {
  local label=$1; shift
  local json mbps rtt
  json=$("$@" iperf3 -c "$TARGET" -p 5201 -t "$SECS" -J 2>/dev/null)
  mbps=$(printf '%s' "$json" | python3 -c 'import json,sys
try: print("%.0f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e6))
except Exception: print("-")')
  rtt=$("$@" ping -c 20 -i 0.05 -q "$TARGET" 2>/dev/null | awk -F/ '/^rtt|^round-trip/ {print $5}')
  printf '%-12s %8s Mbit/s   ping %s ms\n' "$label" "$mbps" "${rtt:--}"
  eval "MBPS_$label=$mbps"
}

TARGET=10.77.0.2
# kernel forwarding: C -- R (ip_forward) -- root
ip netns add $R; ip -n $R link set lo up
ip netns add $C; ip -n $C link set lo up
ip link add ${V}r type veth peer name ${V}c
ip link set ${V}c netns $C; ip link set ${V}r netns $R
ip link add ${V}q type veth peer name ${V}o
ip link set ${V}q netns $R
ip addr add 10.78.0.1/24 dev ${V}o; ip link set ${V}o up
ip route add 10.79.0.0/24 via 10.78.0.2
ip -n $R addr add 10.78.0.2/24 dev ${V}q; ip -n $R link set ${V}q up
ip -n $R addr add 10.79.0.1/24 dev ${V}r; ip -n $R link set ${V}r up
ip -n $R route add default via 10.78.0.1
ip netns exec $R sysctl -qw net.ipv4.ip_forward=1
ip -n $C addr add 10.79.0.2/24 dev ${V}c; ip -n $C link set ${V}c up
ip -n $C route add default via 10.79.0.1
# root must forward too: 10.77/24 and 10.78/24 are both root's
OLD_FWD=$(sysctl -n net.ipv4.ip_forward)
sysctl -qw net.ipv4.ip_forward=1
measure kernel ip netns exec $C
sysctl -qw net.ipv4.ip_forward="$OLD_FWD"
ip route del 10.79.0.0/24 via 10.78.0.2; ip link del ${V}o
ip netns del $C; ip netns del $R

# netstack4j gateway
ip netns add $C; ip -n $C link set lo up
"$ROOT/netstack4j" gateway --tun nsjbg$((P % 10000))=10.9.0.1/24 --netns $C --peer 10.9.0.2/24 --direct --quiet >/tmp/nsjb-gw-$P.log 2>&1 &
PIDS+=($!)
for i in $(seq 600); do grep -q Ctrl-C /tmp/nsjb-gw-$P.log && break; sleep 0.2; done
measure gateway ip netns exec $C
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null
ip netns del $C

# netstack4j route: a0 into C, b0 into B (iperf3 server at 10.2.0.2)
B=nsjb-b-$P A0=nsjba$((P % 10000)) B0=nsjbb$((P % 10000))
ip netns add $C; ip -n $C link set lo up
ip netns add $B; ip -n $B link set lo up
"$ROOT/netstack4j" route --tun $A0=10.1.0.1/24 --tun $B0=10.2.0.1/24 >/tmp/nsjb-rt-$P.log 2>&1 &
PIDS+=($!)
for i in $(seq 600); do ip link show $A0 >/dev/null 2>&1 && ip link show $B0 >/dev/null 2>&1 && break; sleep 0.2; done
sleep 1
for side in "$A0 $C 10.1.0.2/24 10.1.0.1" "$B0 $B 10.2.0.2/24 10.2.0.1"; do
  set -- $side
  ip link set $1 netns $2; ip -n $2 addr add $3 dev $1; ip -n $2 link set $1 up; ip -n $2 route add default via $4
done
ip netns exec $B iperf3 -s -D -I /tmp/nsjb-iperf-b-$P.pid -B 10.2.0.2 -p 5201 >/dev/null 2>&1
sleep 0.5
TARGET=10.2.0.2 measure route ip netns exec $C
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null
ip netns del $C; ip netns del $B

# slirp4netns: a fresh namespace held by a sleeping process
if command -v slirp4netns >/dev/null; then
  unshare --net sleep 3600 & HOLD=$!; PIDS+=($HOLD)
  sleep 0.3
  slirp4netns --configure --mtu=65520 --disable-host-loopback $HOLD tap0 >/tmp/nsjb-slirp-$P.log 2>&1 &
  PIDS+=($!)
  sleep 1
  measure slirp4netns nsenter --net=/proc/$HOLD/ns/net
fi

# pasta: runs the command in its own namespace
if command -v pasta >/dev/null; then
  # as root pasta switches to nobody and then cannot write its uid_map; --runas 0 keeps it root
  # (it still warns that it cannot map users, and goes on: the namespace works)
  measure pasta timeout $((SECS + 10)) pasta --runas 0 --config-net --quiet --
fi

python3 - "$MBPS_gateway" "$MBPS_route" "${MBPS_slirp4netns:--}" "${MBPS_pasta:--}" "$MBPS_kernel" <<'EOF'
import sys
g, r, sl, pa, k = sys.argv[1:]
def ratio(a, b):
    try: return "%.2fx" % (float(a) / float(b))
    except Exception: return "-"
print("gateway/slirp4netns %s  gateway/pasta %s  route/slirp4netns %s  route/pasta %s  gateway/kernel %s" %
      (ratio(g, sl), ratio(g, pa), ratio(r, sl), ratio(r, pa), ratio(g, k)))
EOF
