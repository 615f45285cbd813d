#!/usr/bin/env python3
"""Writes the seed corpora of the Jazzer targets (*Fuzzer.java) under src/test/resources/<package>/
<Class>Inputs/<method>/, from the real frames of core's Packets.java (Scapy captures), packetdrill
scripts of the packetdrill module, and a few HTTP requests. Regression mode runs every seed on
`mvn test`; fuzzing starts from them. Run from the repository root; idempotent."""
import os, re, struct, shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pk = open(os.path.join(ROOT, "core/src/test/java/org/netstack4j/wire/Packets.java")).read()
P = {m.group(1): bytes.fromhex(m.group(2)) for m in re.finditer(r'static final String (\w+) = "([0-9a-f]+)"', pk)}
ETH = [n for n in P if not n.endswith("_RAW")]
RAW = [n for n in P if n.endswith("_RAW")]

def seeds(module, pkg, cls, method, items):
    d = os.path.join(ROOT, module, "src/test/resources", pkg.replace(".", "/"), cls + "Inputs", method)
    os.makedirs(d, exist_ok=True)
    for name, data in items:
        with open(os.path.join(d, "seed-" + name.lower()), "wb") as f:
            f.write(data)

def ip_of(n):  # the IPv4 packet of a frame
    return P[n] if n.endswith("_RAW") else P[n][14:]

def l4(n):  # the IPv4 payload
    ip = ip_of(n)
    return ip[(ip[0] & 15) * 4:]

W = ("core", "org.netstack4j.wire")
seeds(*W, "EthernetFuzzer", "ethernet", [(n, P[n]) for n in ETH])
seeds(*W, "ArpFuzzer", "arp", [(n, P[n][14:]) for n in ETH if n.startswith("ARP")])
seeds(*W, "Ipv4Fuzzer", "ipv4", [(n, b"\0" + ip_of(n)) for n in P if not n.startswith("ARP")])
icmp = [n for n in P if ip_of(n)[9] == 1 and not n.startswith("ARP")]
seeds(*W, "IcmpFuzzer", "icmp", [(n, b"\0" + l4(n)) for n in icmp])
udp = [n for n in P if not n.startswith("ARP") and ip_of(n)[9] == 17 and not n.startswith("FRAGMENT")]
seeds(*W, "UdpFuzzer", "udp", [(n, b"\1" + l4(n)) for n in udp])
tcp = [n for n in P if not n.startswith("ARP") and ip_of(n)[9] == 6]
seeds(*W, "TcpHeaderFuzzer", "tcp", [(n, b"\1" + l4(n)) for n in tcp])
p6 = open(os.path.join(ROOT, "core/src/test/java/org/netstack4j/wire/Packets6.java")).read()
P6 = {m.group(1): bytes.fromhex(m.group(2)) for m in re.finditer(r'static final String (\w+) = "([0-9a-f]+)"', p6)}
seeds(*W, "DissectorFuzzer", "dissect", [(n, b"\0" + P[n]) for n in ETH] + [(n, b"\1" + P[n]) for n in RAW]
      + [("ipv6-" + n, b"\1" + v) for n, v in P6.items()])

def records(names):
    return b"".join(bytes([1, len(P[n])]) + P[n] for n in names)
seeds("core", "org.netstack4j.ip", "IpStackFrameFuzzer", "frames", [
    ("ethernet-conversation", b"\0" + records(["ARP_REQUEST", "ECHO_REQUEST", "DNS_QUERY", "SYN", "DATA"])),
    ("ethernet-fragments", b"\0" + records(["FRAGMENT_FIRST", "FRAGMENT_LAST"])),
    ("ethernet-fragment-timeout", b"\0" + records(["FRAGMENT_FIRST"]) + bytes([7, 0])),
    ("ethernet-icmp-errors", b"\0" + records(["PORT_UNREACHABLE", "ECHO_REPLY", "ARP_REPLY"])),
    ("raw-ip", b"\1" + records(RAW)),
])

def pcap(frames, link, big=False, nanos=False):
    e = ">" if big else "<"
    out = struct.pack(e + "IHHiIII", 0xa1b23c4d if nanos else 0xa1b2c3d4, 2, 4, 0, 0, 262144, link)
    for i, f in enumerate(frames):
        out += struct.pack(e + "IIII", 1000 + i, 250 * i, len(f), len(f)) + f
    return out
seeds("core", "org.netstack4j.device", "PcapReaderFuzzer", "pcap", [
    ("ethernet", pcap([P[n] for n in ("SYN", "SYN_ACK", "DATA", "ARP_REQUEST")], 1)),
    ("raw-big-endian-nanos", pcap([P[n] for n in RAW], 101, big=True, nanos=True)),
    ("linktype-ipv4", pcap([P["RST_RAW"]], 228)),
    ("empty", pcap([], 1)),
])

# TcpConnectionFuzzer programs: config, SYN options, fixture, then steps (see the class).
def seg(flags, seq=0, ack=0, window=65535, n=0, opts=0, variant=0):
    return bytes([variant << 4, 0x00, seq & 255, ack & 255, flags]) + struct.pack(">H", window) + bytes([opts, n, 0])
ACK, PSH, FIN, SYN, RST = 0x10, 0x08, 0x01, 0x02, 0x04
ADV = lambda v, scale=1: bytes([4 | scale << 4, v])
SEND, RECV, CLOSE, ACCEPT = bytes([5, 20]), bytes([6, 0xff, 0xff]), bytes([7]), bytes([8])
progs = {
    "established-data-both-ways": bytes([0, 0x0c, 1]) + seg(ACK | PSH, n=100) + RECV + SEND + ADV(40, 1) + seg(ACK, n=0) + CLOSE + ADV(100, 2),
    "listen-handshake-accept": bytes([1, 0x1c, 9]) + seg(SYN) + ADV(1) + seg(ACK, seq=1) + ACCEPT + seg(ACK | PSH, n=50) + RECV,
    "syn-sent-synack": bytes([0, 0x04, 0]) + seg(SYN | ACK) + SEND + ADV(10, 1),
    "fin-wait-1-fin": bytes([2, 0x00, 4]) + seg(FIN | ACK) + ADV(200, 2),
    "time-wait-rst": bytes([0, 0x00, 6]) + seg(RST) + ADV(60, 3),
    "close-wait-rto": bytes([3, 0x0c, 7]) + SEND + ADV(250, 2) + seg(ACK) + CLOSE,
    "last-ack-ack": bytes([0, 0x00, 8]) + seg(ACK, ack=0),
    "syn-received-data": bytes([1, 0x0c, 2]) + seg(ACK | PSH, seq=1, n=200) + ACCEPT + RECV,
    "out-of-order-sack": bytes([0, 0x04, 1]) + seg(ACK, seq=100, n=100) + seg(ACK, seq=50, n=30) + seg(ACK, n=0) + RECV,
    "icmp-frag-needed": bytes([0, 0x00, 3]) + SEND + bytes([9, 0, 0, 4, 0, 68]) + ADV(10, 1),
}
seeds("core", "org.netstack4j.tcp", "TcpConnectionFuzzer", "segments", list(progs.items()))

dt = open(os.path.join(ROOT, "apps/src/test/java/org/netstack4j/apps/dns/DnsCodecTest.java")).read()
DNS = {m.group(1): bytes.fromhex(re.sub(r'[^0-9a-f]', '', m.group(2))) for m in
       re.finditer(r'static final String (\w+) = ((?:"[0-9a-f ]*"\s*\+?\s*)+);', dt)}
seeds("apps", "org.netstack4j.apps.dns", "DnsFuzzer", "message",
      [(n, v) for n, v in DNS.items()] + [("packets-dns-query", l4("DNS_QUERY")[8:])])

sd = os.path.join(ROOT, "packetdrill/src/test/resources/scripts")
pkts = sorted(os.listdir(sd), key=lambda f: os.path.getsize(os.path.join(sd, f)))[:8]
seeds("packetdrill", "org.netstack4j.packetdrill", "ScriptParserFuzzer", "script",
      [(f.replace(".pkt", ""), open(os.path.join(sd, f), "rb").read()) for f in pkts])

reqs = {
    "get": b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    "keepalive-two": b"GET /sub/data.bin HTTP/1.1\r\nHost: x\r\n\r\nHEAD /a%20b.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    "http10-dir": b"GET /sub HTTP/1.0\r\n\r\n",
    "post-body": b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /sub/ HTTP/1.1\r\nHost: x\r\n\r\n",
    "traversal": b"GET /../secret.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /%2e%2e/secret.txt HTTP/1.1\r\nHost: x\r\n\r\n",
    "absolute-form": b"GET http://x/index.html?q=1#f HTTP/1.1\r\nHost: x\r\n\r\n",
    "bad-header": b"GET / HTTP/1.1\r\nHost : x\r\n\r\n",
    "chunked": b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
}
seeds("cli", "org.netstack4j.cli", "HttpRequestFuzzer", "request", list(reqs.items()))
print("seeds written")
