package org.netstack4j.ip;

/**
 * The token bucket that limits the ICMP errors a host sends (RFC 1812 4.3.2.8, RFC 1122 3.2.2,
 * RFC 4443 2.4 (f)): {@link IpStack#ICMP_ERROR_BURST} at most, refilled one token per
 * {@link IpStack#ICMP_ERROR_INTERVAL_NS} (Linux: icmp_msgs_per_sec 1000, burst 50).
 */
final class ErrorRateLimit {
    private int tokens = IpStack.ICMP_ERROR_BURST;
    private long refilledAt = Long.MIN_VALUE;

    /** Takes a token if there is one. */
    boolean allows(long now) {
        if (refilledAt == Long.MIN_VALUE) refilledAt = now;
        long elapsed = now - refilledAt;
        if (elapsed >= IpStack.ICMP_ERROR_INTERVAL_NS) {
            long add = elapsed / IpStack.ICMP_ERROR_INTERVAL_NS;
            tokens = (int) Math.min(IpStack.ICMP_ERROR_BURST, tokens + add);
            refilledAt += add * IpStack.ICMP_ERROR_INTERVAL_NS;
        }
        if (tokens == 0) return false;
        tokens--;
        return true;
    }
}
