package org.netstack4j.tcp;

/**
 * Our window scale and the window of our SYN or SYN,ACK (RFC 7323 2.2: never scaled). With
 * {@link TcpConfig.Buffers#maxReceiveBufferSize} set, both follow Linux's
 * tcp_select_initial_window: the shift is the one the largest receive buffer needs,
 * {@code ilog2(max(buffer, max buffer)) - 15} within 0..14 (a socket's SO_RCVBUF is its own
 * maximum, Linux's window_clamp), and the offered window is the buffer rounded down to a
 * multiple of the MSS. Without it, the configured shift and min(free space, 65535).
 */
final class InitialWindow {
    private InitialWindow() {}

    /** RFC 7323 2.3: the largest shift. */
    static final int MAX_SHIFT = 14;

    /** The shift we announce in a SYN or SYN,ACK. */
    static int shift(TcpConfig cfg) {
        int max = cfg.buffers().maxReceiveBufferSize();
        if (max == 0) return cfg.options().windowScaleShift();
        long space = Math.max(cfg.buffers().receiveBufferSize(), max);
        int ilog2 = 63 - Long.numberOfLeadingZeros(space);
        return Math.clamp(ilog2 - 15, 0, MAX_SHIFT);
    }

    /** The window field of a SYN or SYN,ACK offering {@code free} bytes of buffer, for our MSS {@code mss}. */
    static int synWindow(TcpConfig cfg, int free, int mss) {
        int space = free;
        // Linux: "Quantize space offering to a multiple of mss if possible"
        if (cfg.buffers().maxReceiveBufferSize() != 0 && mss > 0 && space > mss) space -= space % mss;
        return Math.min(space, 65535);
    }
}
