package org.netstack4j.linux;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.atomic.AtomicInteger;

/** Preconditions and unique names for the tests that need a real kernel. */
final class RootEnv {
    private RootEnv() {}

    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final long PID = ProcessHandle.current().pid() % 10000;

    /** Skips the test, with the reason shown, unless root/CAP_NET_ADMIN, /dev/net/tun and ip are all present. */
    static void requireTun() {
        String why = LinuxNet.whyUnavailable();
        assumeTrue(why == null, "needs root and /dev/net/tun: " + why);
    }

    static String requirePing() {
        requireTun();
        String ping = LinuxNet.findOnPath("ping");
        assumeTrue(ping != null, "needs the ping command: apt-get install iputils-ping");
        return ping;
    }

    /** "nsjt1234a": at most 15 bytes, unique per JVM and call. */
    static String ifName(char kind) {
        return "nsj" + kind + PID + (char) ('a' + SEQ.getAndIncrement() % 26);
    }

    static String netnsName() {
        return "nsj-test-" + ProcessHandle.current().pid() + "-" + SEQ.getAndIncrement();
    }
}
