#!/usr/bin/env bash
# iperf3 TCP throughput and ping latency from a client namespace to an iperf3 server namespace,
# through netstack4j `gateway` and `route` beside kernel forwarding, slirp4netns and pasta, all
# in one run: the bench rows gateway_iperf3 and route_iperf3 (bench/.../GatewayRows.java says
# how each path is set up). Needs root, iperf3 and ping; slirp4netns and pasta when installed.
# Usage: scripts/gateway-bench.sh [--quick]   (default: 5 s per iperf3 run; --quick: 2 s)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$ROOT/netstack4j" bench --only gateway_iperf3,route_iperf3 "$@"
