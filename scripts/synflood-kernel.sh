#!/bin/bash
# The kernel's own TCP under the spoofed-source SYN flood of SynFloodInteropTest, for the
# figure beside netstack4j's in the same session: hping3 --flood (FLOOD s, default 30, the issue's) from
# namespace A over a veth into namespace B, where python3's http.server listens (the kernel's SYN
# cookies on, as by default); a curl loop from A (-m 1, 50 ms apart) for FLOOD-3 s. Prints the
# rate hping3 reached and how many fetches succeeded within 1 s. Root; cleans up its namespaces.
set -u
FLOOD=${FLOOD:-30}
A=nsjkf-a-$$; B=nsjkf-b-$$
D=$(mktemp -d); head -c 1024 /dev/zero > $D/1k.bin
cleanup() { ip netns pids $B 2>/dev/null | xargs -r kill 2>/dev/null; ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null; rm -rf $D; }
trap cleanup EXIT
ip netns add $A; ip netns add $B
ip link add va$$ netns $A type veth peer name vb$$ netns $B
ip -n $A addr add 10.214.9.1/24 dev va$$; ip -n $B addr add 10.214.9.2/24 dev vb$$
ip -n $A link set va$$ up; ip -n $B link set vb$$ up; ip -n $A link set lo up; ip -n $B link set lo up
ip -n $B route add default via 10.214.9.1
(cd $D && exec ip netns exec $B python3 -m http.server 80 --bind 10.214.9.2 >/dev/null 2>&1) &
# wait until the server answers (python3 may start slowly, e.g. behind a pyenv shim), at most 20 s
for _ in $(seq 1 40); do
  ip netns exec $A curl -s -o /dev/null -m 1 http://10.214.9.2/1k.bin && break
  sleep 0.5
done
ip netns exec $A curl -s -o /dev/null -m 5 http://10.214.9.2/1k.bin || echo "warm-up curl failed"
ip netns exec $A timeout -s INT $FLOOD hping3 -S --rand-source -p 80 --flood 10.214.9.2 > $D/hping.log 2>&1 &
HP=$!
sleep 1
ip netns exec $A bash -c "end=\$((SECONDS+$((FLOOD-3)))); while [ \$SECONDS -lt \$end ]; do curl -s -o /dev/null -m 1 -w '%{http_code} %{time_total}\n' http://10.214.9.2/1k.bin; sleep 0.05; done" > $D/curls.txt
wait $HP
SENT=$(grep -o '[0-9]* packets transmitted' $D/hping.log | cut -d' ' -f1)
awk -v sent="$SENT" -v fl=$FLOOD '{n++; if ($1=="200" && $2<=1.0) ok++; else bad=bad" "$0} END {printf "[kernel] hping3 --flood sent %d SYNs in %d s (%.0f/s); curl: %d of %d within 1 s;%s\n", sent, fl, sent/fl, ok, n, (bad==""?"":" failed:" bad)}' $D/curls.txt
ip netns exec $B nstat -az TcpExtSyncookiesSent TcpExtListenDrops TcpExtListenOverflows 2>/dev/null | tail -n +2 | tr '\n' ' '; echo
