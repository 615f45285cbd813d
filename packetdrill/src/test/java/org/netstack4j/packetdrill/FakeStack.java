package org.netstack4j.packetdrill;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.netstack4j.time.Time;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * A deliberately tiny passive-open-only TCP used to test the interpreter on its own: answers a
 * SYN with SYN-ACK (ISS 1000000, options mss 1460,nop,wscale 7), ACKs data and FIN at once,
 * sends FIN on close, and can be told to delay its ACKs.
 */
final class FakeStack implements TcpStack {
    private final Output out;
    long ackDelayNs = 0;
    private long pendingAckAt = Time.NEVER;
    private final List<Conn> conns = new ArrayList<>();
    private FakeConn conn;
    private Listen listen;

    FakeStack(Output out) { this.out = out; }

    static final TcpStack.Factory FACTORY = (settings, output, seed) -> new FakeStack(output);

    final class FakeConn implements Conn {
        String state = "SYN-RECEIVED";
        IpAddress local, remote;
        int localPort, remotePort;
        int iss = 1_000_000, sndNxt = iss + 1, rcvNxt;
        int buffered;
        boolean fin;

        @Override public String state() { return state; }
        @Override public int localPort() { return localPort; }
        @Override public int remotePort() { return remotePort; }
        @Override public int send(long now, byte[] b, int off, int len) {
            emit(now, TcpRepr.ACK | TcpRepr.PSH, sndNxt, len);
            sndNxt += len;
            return len;
        }
        @Override public int receive(long now, byte[] b, int off, int len) {
            int n = Math.min(len, buffered);
            buffered -= n;
            return n == 0 && fin ? -1 : n;
        }
        @Override public int readable() { return buffered; }
        @Override public int writable() { return state.equals("ESTABLISHED") || state.equals("CLOSE-WAIT") ? 65536 : 0; }
        @Override public boolean remoteClosed() { return fin; }
        @Override public void close(long now) {
            emit(now, TcpRepr.FIN | TcpRepr.ACK, sndNxt, 0);
            sndNxt++;
            state = fin ? "LAST-ACK" : "FIN-WAIT-1";
        }
        @Override public void abort(long now) { state = "CLOSED"; }
        @Override public String errno() { return null; }
        @Override public Map<String, Long> tcpInfo() { return Map.of("tcpi_snd_mss", 1460L); }
        @Override public int receiveBufferSize() { return 65536; }
        @Override public int sendBufferSize() { return 65536; }
        @Override public void setNoDelay(boolean on) {}

        void emit(long now, int flags, int seq, int len) {
            out.send(now, local, remote, new TcpRepr(localPort, remotePort, seq, rcvNxt, flags, 1000, 0, List.of()), new byte[len]);
        }
    }

    @Override public void segmentArrives(long now, IpAddress src, IpAddress dst, TcpRepr seg, byte[] payload) {
        if (seg.has(TcpRepr.SYN) && listen != null) {
            conn = new FakeConn();
            conn.local = dst; conn.remote = src; conn.localPort = seg.dstPort(); conn.remotePort = seg.srcPort();
            conn.rcvNxt = seg.seq() + 1;
            conns.add(conn);
            out.send(now, dst, src, new TcpRepr(seg.dstPort(), seg.srcPort(), conn.iss, conn.rcvNxt, TcpRepr.SYN | TcpRepr.ACK,
                65535, 0, List.of(new TcpOption.Mss(1460), new TcpOption.Nop(), new TcpOption.WindowScale(7))), new byte[0]);
            return;
        }
        if (conn == null) return;
        if (conn.state.equals("SYN-RECEIVED") && seg.has(TcpRepr.ACK) && seg.ack() == conn.iss + 1) conn.state = "ESTABLISHED";
        if (conn.state.equals("FIN-WAIT-1") && seg.ack() == conn.sndNxt) conn.state = "FIN-WAIT-2";
        if (conn.state.equals("LAST-ACK") && seg.ack() == conn.sndNxt) conn.state = "CLOSED";
        int len = payload.length;
        if (len > 0 && seg.seq() == conn.rcvNxt) {
            conn.rcvNxt += len;
            conn.buffered += len;
        }
        if (seg.has(TcpRepr.FIN)) {
            conn.rcvNxt++;
            conn.fin = true;
            if (conn.state.equals("ESTABLISHED")) conn.state = "CLOSE-WAIT";
        }
        if (len > 0 || seg.has(TcpRepr.FIN)) {
            if (ackDelayNs == 0) conn.emit(now, TcpRepr.ACK, conn.sndNxt, 0);
            else pendingAckAt = now + ackDelayNs;
        }
    }

    @Override public void icmpUnreachable(long now, IpAddress src, IpAddress dst, int code, int mtu, int sp,
                                          int dp, int seq) {}

    @Override public void icmpTimeExceeded(long now, IpAddress src, IpAddress dst, int sp, int dp, int seq) {}
    @Override public void icmpv6Error(long now, org.netstack4j.wire.Icmpv6Repr e, IpAddress src, IpAddress dst, int sp, int dp, int seq) {}

    @Override public Conn connect(long now, IpAddress l, int lp, IpAddress r, int rp, SocketOptions o) throws Failure {
        throw new Failure("EOPNOTSUPP", "fake stack: passive only");
    }

    @Override public Listen listen(long now, IpAddress local, int port, int backlog, SocketOptions opts) {
        listen = new Listen() {
            boolean taken;
            @Override public Conn accept() {
                if (conn != null && !taken && !conn.state.equals("SYN-RECEIVED")) { taken = true; return conn; }
                return null;
            }
            @Override public int pending() { return conn != null && !taken && !conn.state.equals("SYN-RECEIVED") ? 1 : 0; }
            @Override public void close(long now) {}
            @Override public int receiveBufferSize() { return 65536; }
        };
        return listen;
    }

    @Override public List<Conn> connections() { return conns; }
    @Override public int defaultReceiveBuffer() { return 65536; }
    @Override public int defaultSendBuffer() { return 32768; }
    @Override public void drop(long now, Conn c) { conns.remove(c); }
    @Override public long pollAt() { return pendingAckAt; }
    @Override public void poll(long now) {
        if (now >= pendingAckAt) {
            pendingAckAt = Time.NEVER;
            conn.emit(now, TcpRepr.ACK, conn.sndNxt, 0);
        }
    }
}
