# Makes IPv6 / ICMPv6 / Neighbor Discovery / extension header packets with Scapy, with known
# field values from a fixed seed, and prints one line per packet for ScapyIpv6Test:
#   name|hex|key=value;key=value;...
# The values are read back from Scapy's own dissection of the bytes (IPv6(raw)), so they are
# Scapy's view of the packet; the verdict is what RFC 8200 4 asks of a host that handles
# TCP, UDP and ICMPv6, worked out here from what was built. Addresses are also given in
# Python's ipaddress form (RFC 5952) as an independent check of the text form.
import ipaddress
import random
import sys
import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import raw, IPv6, UDP, TCP, Raw
from scapy.layers.inet6 import (ICMPv6EchoRequest, ICMPv6EchoReply, ICMPv6DestUnreach, ICMPv6PacketTooBig,
    ICMPv6TimeExceeded, ICMPv6ParamProblem, ICMPv6ND_RS, ICMPv6ND_RA, ICMPv6ND_NS, ICMPv6ND_NA,
    ICMPv6ND_Redirect, ICMPv6NDOptSrcLLAddr, ICMPv6NDOptDstLLAddr, ICMPv6NDOptMTU, ICMPv6NDOptPrefixInfo,
    IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt, IPv6ExtHdrRouting, IPv6ExtHdrFragment, RouterAlert, HBHOptUnknown, PadN,
    IPv6ExtHdrSegmentRouting)

rng = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 7)

def addr(link_local=False):
    groups = [0 if rng.random() < 0.45 else rng.randrange(1, 0x10000) for _ in range(8)]
    if link_local:
        groups[0:4] = [0xfe80, 0, 0, 0]
    if groups[0] == 0 and groups[1:5] == [0, 0, 0, 0] and groups[5] in (0, 0xffff):
        groups[5] = 0x1234  # not IPv4-mapped or -compatible: Python 3.11 writes those differently
    return ipaddress.IPv6Address(":".join("%x" % g for g in groups)).compressed

def mac():
    return "02:%02x:%02x:%02x:%02x:%02x" % tuple(rng.randrange(256) for _ in range(5))

def text(a):
    return ipaddress.IPv6Address(a).compressed

def ip_fields(p, f):
    f["ip.tc"] = p.tc; f["ip.fl"] = p.fl; f["ip.plen"] = p.plen; f["ip.nh"] = p.nh; f["ip.hlim"] = p.hlim
    f["ip.src"] = text(p.src); f["ip.dst"] = text(p.dst)

def nd_options(layer, f):
    i = 0
    o = layer.payload
    while o is not None and o.name != "NoPayload" and not isinstance(o, Raw):
        f["opt.%d.type" % i] = o.type
        if isinstance(o, (ICMPv6NDOptSrcLLAddr, ICMPv6NDOptDstLLAddr)):
            f["opt.%d.lladdr" % i] = o.lladdr
        elif isinstance(o, ICMPv6NDOptMTU):
            f["opt.%d.mtu" % i] = o.mtu
        elif isinstance(o, ICMPv6NDOptPrefixInfo):
            f["opt.%d.prefixlen" % i] = o.prefixlen; f["opt.%d.L" % i] = o.L; f["opt.%d.A" % i] = o.A
            f["opt.%d.valid" % i] = o.validlifetime; f["opt.%d.preferred" % i] = o.preferredlifetime
            f["opt.%d.prefix" % i] = text(o.prefix)
        i += 1
        o = o.payload
    f["opt.count"] = i

def icmp_fields(m, f):
    f["icmp.type"] = m.type; f["icmp.code"] = m.code; f["icmp.cksum_ok"] = "true"
    if isinstance(m, (ICMPv6EchoRequest, ICMPv6EchoReply)):
        f["icmp.id"] = m.id; f["icmp.seq"] = m.seq; f["icmp.datalen"] = len(m.data)
    elif isinstance(m, ICMPv6PacketTooBig):
        f["icmp.mtu"] = m.mtu
    elif isinstance(m, ICMPv6ParamProblem):
        f["icmp.ptr"] = m.ptr
    elif isinstance(m, ICMPv6ND_RA):
        f["ra.chlim"] = m.chlim; f["ra.M"] = m.M; f["ra.O"] = m.O; f["ra.H"] = m.H; f["ra.prf"] = m.prf; f["ra.P"] = m.P
        f["ra.lifetime"] = m.routerlifetime; f["ra.reachable"] = m.reachabletime; f["ra.retrans"] = m.retranstimer
        nd_options(m, f)
    elif isinstance(m, ICMPv6ND_NS):
        f["nd.tgt"] = text(m.tgt); nd_options(m, f)
    elif isinstance(m, ICMPv6ND_NA):
        f["na.R"] = m.R; f["na.S"] = m.S; f["na.O"] = m.O; f["nd.tgt"] = text(m.tgt); nd_options(m, f)
    elif isinstance(m, ICMPv6ND_Redirect):
        f["nd.tgt"] = text(m.tgt); f["nd.dst"] = text(m.dst); nd_options(m, f)
    elif isinstance(m, ICMPv6ND_RS):
        nd_options(m, f)

out = []

def emit(name, pkt, verdict="deliver", extra=None):
    b = raw(pkt)
    p = IPv6(b)  # Scapy's own reading of the bytes
    f = {}
    ip_fields(p, f)
    f["verdict"] = verdict
    layer = p.payload
    i = 0
    # Scapy reads a routing header of type 4 as a Segment Routing header (RFC 8754): same first four bytes
    while isinstance(layer, (IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt, IPv6ExtHdrRouting, IPv6ExtHdrSegmentRouting, IPv6ExtHdrFragment)):
        f["ext.%d.nh" % i] = layer.nh
        if isinstance(layer, (IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt)):
            f["ext.%d.kind" % i] = "hbh" if isinstance(layer, IPv6ExtHdrHopByHop) else "dst"
            f["ext.%d.opts" % i] = ",".join(str(o.otype) for o in layer.options)
        elif isinstance(layer, (IPv6ExtHdrRouting, IPv6ExtHdrSegmentRouting)):
            f["ext.%d.kind" % i] = "rt"; f["ext.%d.rtype" % i] = layer.type; f["ext.%d.segleft" % i] = layer.segleft
        else:
            f["ext.%d.kind" % i] = "frag"; f["ext.%d.offset" % i] = layer.offset * 8; f["ext.%d.m" % i] = layer.m
            f["ext.%d.id" % i] = layer.id
        layer = layer.payload
        i += 1
    f["ext.count"] = i
    if verdict == "deliver":
        if isinstance(layer, UDP):
            f["udp.sport"] = layer.sport; f["udp.dport"] = layer.dport; f["udp.len"] = layer.len; f["udp.cksum_ok"] = "true"
        elif isinstance(layer, TCP):
            f["tcp.sport"] = layer.sport; f["tcp.dport"] = layer.dport; f["tcp.seq"] = layer.seq; f["tcp.cksum_ok"] = "true"
        elif layer is not None and "code" in [fd.name for fd in layer.fields_desc]:
            icmp_fields(layer, f)
    if extra:
        f.update(extra)
    out.append("%s|%s|%s" % (name, b.hex(), ";".join("%s=%s" % kv for kv in f.items())))

def quoted():
    return IPv6(src=addr(), dst=addr(), hlim=64) / UDP(sport=rng.randrange(65536), dport=rng.randrange(65536)) / (b"q" * rng.randrange(40))

def ipv6(hlim=None, ll=False, dst=None):
    return IPv6(src=addr(ll), dst=dst or addr(ll), hlim=rng.randrange(256) if hlim is None else hlim,
                tc=rng.randrange(256), fl=rng.randrange(1 << 20))

# ---- ICMPv6 (RFC 4443)
for n in range(6):
    data = bytes(rng.randrange(256) for _ in range(rng.randrange(64)))
    cls = ICMPv6EchoRequest if n % 2 == 0 else ICMPv6EchoReply
    emit("echo%d" % n, ipv6() / cls(id=rng.randrange(65536), seq=rng.randrange(65536), data=data))
for n in range(4):
    emit("unreach%d" % n, ipv6() / ICMPv6DestUnreach(code=rng.randrange(8)) / quoted())
    emit("ptb%d" % n, ipv6() / ICMPv6PacketTooBig(mtu=rng.randrange(1 << 32)) / quoted())
    emit("timex%d" % n, ipv6() / ICMPv6TimeExceeded(code=rng.randrange(2)) / quoted())
    emit("param%d" % n, ipv6() / ICMPv6ParamProblem(code=rng.randrange(4), ptr=rng.randrange(1 << 32)) / quoted())

# ---- Neighbor Discovery (RFC 4861 4)
def prefix_info():
    return ICMPv6NDOptPrefixInfo(prefixlen=rng.randrange(129), L=rng.randrange(2), A=rng.randrange(2),
                                 validlifetime=rng.choice([0, 0xffffffff, rng.randrange(1 << 32)]),
                                 preferredlifetime=rng.randrange(1 << 32), prefix=addr())
for n in range(4):
    emit("rs%d" % n, ipv6(255, True, "ff02::2") / ICMPv6ND_RS() / ICMPv6NDOptSrcLLAddr(lladdr=mac()))
    ra = ICMPv6ND_RA(chlim=rng.randrange(256), M=rng.randrange(2), O=rng.randrange(2), H=rng.randrange(2),
                     prf=rng.randrange(4), P=rng.randrange(2), routerlifetime=rng.randrange(65536),
                     reachabletime=rng.randrange(1 << 32), retranstimer=rng.randrange(1 << 32))
    opts = ICMPv6NDOptSrcLLAddr(lladdr=mac()) / ICMPv6NDOptMTU(mtu=rng.randrange(1 << 32)) / prefix_info()
    if n % 2:
        opts = opts / prefix_info()
    emit("ra%d" % n, ipv6(255, True, "ff02::1") / ra / opts)
    tgt = addr()
    low = ipaddress.IPv6Address(tgt).packed[-3:]
    solicited = text("ff02::1:ff%02x:%02x%02x" % (low[0], low[1], low[2]))
    emit("ns%d" % n, ipv6(255, True, solicited) / ICMPv6ND_NS(tgt=tgt) / ICMPv6NDOptSrcLLAddr(lladdr=mac()))
    emit("na%d" % n, ipv6(255, True) / ICMPv6ND_NA(R=rng.randrange(2), S=rng.randrange(2), O=rng.randrange(2), tgt=addr())
         / ICMPv6NDOptDstLLAddr(lladdr=mac()))
    emit("redirect%d" % n, ipv6(255, True) / ICMPv6ND_Redirect(tgt=addr(True), dst=addr()) / ICMPv6NDOptDstLLAddr(lladdr=mac()))

# ---- extension headers (RFC 8200 4), with the verdict a host reaches
def upper():
    """An upper-layer header and the fields it was built with (Scapy does not read past every extension header)."""
    k = rng.randrange(3)
    if k == 0:
        u = UDP(sport=rng.randrange(65536), dport=rng.randrange(65536)) / (b"u" * rng.randrange(20))
        return u, {"udp.sport": u.sport, "udp.dport": u.dport, "udp.cksum_ok": "true"}
    if k == 1:
        u = TCP(sport=rng.randrange(65536), dport=rng.randrange(65536), seq=rng.randrange(1 << 32), flags="S")
        return u, {"tcp.sport": u.sport, "tcp.dport": u.dport, "tcp.seq": u.seq, "tcp.cksum_ok": "true"}
    u = ICMPv6EchoRequest(id=rng.randrange(65536), seq=rng.randrange(65536))
    return u, {"icmp.type": 128, "icmp.id": u.id, "icmp.seq": u.seq, "icmp.cksum_ok": "true"}

for n in range(40):
    dst = rng.choice(["ff02::1", None])
    base = ipv6(dst=dst)
    multicast = dst is not None
    chain = []
    verdict = None
    at = 40
    kinds = [rng.choice(["hbh", "dst", "rt", "frag"]) for _ in range(rng.randrange(1, 4))]
    for i, kind in enumerate(kinds):
        if kind == "hbh" and i > 0:
            kind = "dst"
        if kind in ("hbh", "dst"):
            opts = []
            if kind == "hbh" and rng.random() < 0.5:
                opts.append(RouterAlert(value=rng.randrange(65536)))
            for _ in range(rng.randrange(3)):
                t = rng.choice([0x1e, 0x3e, 0x5e, 0x9e, 0xde])
                opts.append(HBHOptUnknown(otype=t, optdata=b"o" * rng.randrange(6)))
            h = (IPv6ExtHdrHopByHop if kind == "hbh" else IPv6ExtHdrDestOpt)(options=opts)
            built = (IPv6ExtHdrHopByHop if kind == "hbh" else IPv6ExtHdrDestOpt)(raw(h / Raw(b""))[:])
            # the verdict of the options, first decisive one wins (RFC 8200 4.2)
            p = at + 2
            for o in built.options:
                if verdict is None and o.otype not in (0, 1, 5):
                    action = o.otype >> 6
                    if action == 1:
                        verdict = "drop"
                    elif action == 2 or (action == 3 and not multicast):
                        verdict = "pp:2:%d" % p
                    elif action == 3:
                        verdict = "drop"
                p += 1 if o.otype == 0 else 2 + len(o.optdata) if hasattr(o, "optdata") else 2 + o.optlen
            size = len(raw(h / Raw(b"")))
        elif kind == "rt":
            t = rng.choice([0, 2, 3, 4, 253])
            segleft = rng.choice([0, 0, 1, 2])
            h = IPv6ExtHdrRouting(type=t, segleft=segleft, addresses=[addr() for _ in range(max(1, segleft))])
            if verdict is None and segleft > 0:
                verdict = "pp:0:%d" % (at + 2)
            size = len(raw(h / Raw(b"")))
        else:
            atomic = rng.random() < 0.5
            h = IPv6ExtHdrFragment(offset=0 if atomic else rng.randrange(1, 100), m=0, id=rng.randrange(1 << 32))
            if verdict is None and not atomic:
                verdict = "reassemble"
            size = 8
        chain.append(h)
        at += size
    pkt = base
    for h in chain:
        pkt = pkt / h
    u, fields = upper()
    emit("ext%d" % n, pkt / u, verdict or "deliver", fields if verdict is None else None)

# ---- TCP and UDP over IPv6 (checksums over the RFC 8200 8.1 pseudo-header)
for n in range(5):
    emit("tcp%d" % n, ipv6() / TCP(sport=rng.randrange(65536), dport=rng.randrange(65536), seq=rng.randrange(1 << 32),
                                   flags="PA") / (b"t" * rng.randrange(100)))
    emit("udp%d" % n, ipv6() / UDP(sport=rng.randrange(65536), dport=rng.randrange(65536)) / (b"d" * rng.randrange(100)))

print("\n".join(out))
