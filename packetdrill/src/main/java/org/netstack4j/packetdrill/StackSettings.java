package org.netstack4j.packetdrill;

/**
 * The stack knobs a script can turn (through --options and the sysctl shim), on top of the
 * profile. Null means "the profile's value". Mutable while the script's leading commands run;
 * the stack is created from it at the first event that needs the stack.
 */
public final class StackSettings {
    public Profile profile = Profile.LINUX;
    public int mtu = 1500;
    /** TCP_MAXSEG set on the first socket before the stack existed (null = MTU - 40). */
    public Integer maxSeg;
    public Boolean sack, timestamps, windowScaling;
    /** Linux net.ipv4.tcp_congestion_control (reno or cubic); null: the profile's. */
    public org.netstack4j.tcp.TcpConfig.CongestionControlKind congestionControl;
    public Integer rcvBuf, sndBuf;
    /** The buffer sizes came from SO_RCVBUF / SO_SNDBUF (Linux reports those doubled). */
    public boolean rcvBufBySockopt, sndBufBySockopt;
    /** Our window scale shift (Linux derives it from tcp_rmem's maximum). */
    public Integer windowScaleShift;
    public Long delayedAckNs, initialRtoNs, minRtoNs, synTimeoutNs;
    /** RFC 5961 mitigations (FreeBSD insecure_rst/insecure_syn = 0 means on). */
    public Boolean rfc5961Rst, rfc5961Syn;
    /** ICMP hard errors may end a connection in SYN-SENT (FreeBSD net.inet.tcp.icmp_may_rst). */
    public Boolean icmpMayRst;
    public Boolean keepAlive;
    /** SYN-ACK retransmissions (FreeBSD syncache.rexmtlimit). */
    public Integer synAckRetries;
    /** SYN retransmissions (Linux tcp_syn_retries) and data retransmissions (tcp_retries2). */
    public Integer synRetries, dataRetries;
    /** FreeBSD rexmit_drop_options: SYN retransmissions from this one on carry the MSS only (0 = never). */
    public int bareSynAfterRetries;
    /** How long a closed socket's connection may stay in FIN-WAIT-2 (Linux tcp_fin_timeout, FreeBSD finwait2_timeout). */
    public long finWait2TimeoutNs = 60_000_000_000L;
    public Long keepIdleNs, keepIntvlNs;
    public Integer keepCnt;
    /** RFC 7323 3.2 strictness (FreeBSD net.inet.tcp.tolerate_missing_ts=0). */
    public Boolean dropMissingTimestamps;
    /** RFC 5681 4.1 restart window (Linux tcp_slow_start_after_idle). */
    public Boolean slowStartAfterIdle;
    /** Linux tcp_early_retrans: RFC 5827 early retransmit (0 off, 1 at once, 2 delayed) and tail loss probes. */
    public Integer earlyRetransmit;
    public Boolean tailLossProbe;
    /** Linux tcp_recovery bit 0x1: RACK-TLP loss detection (RFC 8985); null: the profile's. */
    public Boolean rack;
    /** Linux tcp_tw_reuse (1 = reuse TIME-WAIT 4-tuples for active opens) and tcp_tw_reuse_delay in ms. */
    public Integer twReuse;
    public Long twReuseDelayMs;
    /** Linux net.ipv4.tcp_syncookies (0 never, 1 when the SYN queue is full, 2 always); null: the profile's (1). */
    public org.netstack4j.tcp.Hardening.SynCookieMode synCookies;

    @Override public String toString() {
        return "profile=" + profile + " mtu=" + mtu + " maxseg=" + maxSeg + " ka=" + keepAlive + "/" + keepIdleNs + "/" + keepIntvlNs + "/" + keepCnt + " sack=" + sack + " ts=" + timestamps + " ws=" + windowScaling + "/" + windowScaleShift
            + " rcvbuf=" + rcvBuf + " sndbuf=" + sndBuf + " delack=" + delayedAckNs + " rto=" + initialRtoNs + " synackretries=" + synAckRetries;
    }
}
