package org.netstack4j.packetdrill;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.netstack4j.tcp.TcpConfig;

/**
 * The stack knobs a script can turn (through --options, socket options set before the stack
 * exists and the sysctl shim), on top of the profile. Knobs the engine has are kept as edits of
 * {@link TcpConfig}'s groups ({@link #change}), applied in order to the profile's config
 * ({@link #applyTo}), so no TcpConfig field is mirrored here; the fields below are what the
 * script's harness has beside TcpConfig. Mutable while the script's leading commands run; the
 * stack is created from it at the first event that needs the stack.
 */
public final class StackSettings {
    public Profile profile = Profile.LINUX;
    public int mtu = 1500;
    /** The family of the script's addresses (--ip_version): the MSS is the MTU less 40 or 60. */
    public org.netstack4j.wire.IpAddress.Family family = org.netstack4j.wire.IpAddress.Family.IPV4;
    /** TCP_MAXSEG set on the first socket before the stack existed (null = MTU - 40). */
    public Integer maxSeg;
    /** The buffer sizes came from SO_RCVBUF / SO_SNDBUF (Linux reports those doubled). */
    public boolean rcvBufBySockopt, sndBufBySockopt;
    /** How long a closed socket's connection may stay in FIN-WAIT-2 (Linux tcp_fin_timeout, FreeBSD finwait2_timeout). */
    public long finWait2TimeoutNs = 60_000_000_000L;
    /** Linux tcp_tw_reuse (1 = reuse TIME-WAIT 4-tuples for active opens) and tcp_tw_reuse_delay in ms: together one knob, Timers.timeWaitReuseDelayNs. */
    public Integer twReuse;
    public Long twReuseDelayMs;
    /** net.ipv4.tcp_fastopen (null: Linux's default, 0x1) and net.ipv4.tcp_fastopen_key (null: a random key). */
    public Integer fastOpenMode;
    public String fastOpenKey;
    /**
     * Linux net.ipv4.tcp_rmem[2] and net.core.rmem_max (null: the profile's): the larger picks the
     * window scale (TcpConfig.Buffers.maxReceiveBufferSize) unless SO_RCVBUF locked the buffer.
     */
    public Integer rmemMax, coreRmemMax;
    /** google's defaults.sh: tcp_rmem = "4096 540000 15728640" (window scale 8). */
    static final int GOOGLE_RMEM_MAX = 15 << 20;
    /** SO_RCVBUF was set: the window scale follows the socket's buffer, not rmemMax. */
    public boolean rcvBufLocked;
    private final List<UnaryOperator<TcpConfig>> edits = new ArrayList<>();

    /**
     * The receive buffer the script asked for (SO_RCVBUF, tcp_rmem, recvspace), as the socket
     * API reports it; the engine's may differ (clamped to 65535 without window scaling, rounded
     * to the MSS by FreeBSD). Null: the profile's.
     */
    public Integer requestedRcvBuf;

    /** Sets the receive buffer: {@link #requestedRcvBuf} and the config's. */
    public void receiveBuffer(int bytes) {
        requestedRcvBuf = bytes;
        change(c -> c.withBuffers(b -> b.withReceiveBufferSize(bytes)));
    }

    /**
     * SO_RCVBUF on the socket before the stack exists: the receive buffer, locked as Linux locks
     * it (the window scale then follows it, not tcp_rmem[2]; TcpConfig.Buffers.withSocketReceiveBuffer).
     */
    public void socketReceiveBuffer(int bytes) {
        requestedRcvBuf = bytes;
        rcvBufLocked = true;
        change(c -> c.withBuffers(b -> b.withSocketReceiveBuffer(bytes)));
    }

    /** Records a change of the stack's TcpConfig, applied after the profile and the earlier changes. */
    public void change(UnaryOperator<TcpConfig> edit) { edits.add(edit); }

    /** The profile's config with the script's changes on top, in the order the script made them. */
    public TcpConfig applyTo(TcpConfig profileConfig) {
        TcpConfig c = profileConfig;
        for (UnaryOperator<TcpConfig> e : edits) c = e.apply(c);
        return c;
    }

    /** The settings as the stack would be built from them: two equal strings build equal stacks. */
    @Override public String toString() { return outsideConfig() + " " + applyTo(TcpConfig.defaults()); }

    /** The settings that are not TcpConfig edits (the stack is built from them as well). */
    String outsideConfig() {
        return "profile=" + profile + " mtu=" + mtu + " maxseg=" + maxSeg + " finwait2=" + finWait2TimeoutNs
            + " rmem=" + rmemMax + "/" + coreRmemMax + "/" + rcvBufLocked + " twreuse=" + twReuse + "/" + twReuseDelayMs + " tfo=" + fastOpenMode + "/" + fastOpenKey;
    }
}
