#!/usr/bin/env bash
# Installs the tools netstack4j's tests use: tshark (pcap checks), iproute2 (network
# namespaces), curl, python3 and ping (interoperation tests), chromium (SVG screenshots), ethtool
# and taskset (the benchmark's bulk_no_offload and bulk_1core rows). Needs root (CI runs as root);
# without root it says what is missing and the tests that need it skip with a reason.
set -uo pipefail
need=()
command -v tshark >/dev/null 2>&1 || need+=(tshark)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v ping >/dev/null 2>&1 || need+=(iputils-ping)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v ethtool >/dev/null 2>&1 || need+=(ethtool)
command -v taskset >/dev/null 2>&1 || need+=(util-linux)
{ python3 -c "import scapy.all" || /usr/bin/python3 -c "import scapy.all"; } >/dev/null 2>&1 || need+=(python3-scapy)
command -v hping3 >/dev/null 2>&1 || need+=(hping3)
[ ${#need[@]} -eq 0 ] && { echo "install-deps: tshark, iproute2, curl, python3, ping, chromium, ethtool, taskset present"; exit 0; }
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: not root, so not installing ${need[*]}; tests that need them will be skipped (with a reason)" >&2
  exit 0
fi
echo "install-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
apt-get update -qq >/dev/null 2>&1 || echo "install-deps: apt-get update failed" >&2
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
  || echo "install-deps: apt-get install ${need[*]} failed; the tests that need them will be skipped" >&2
exit 0
