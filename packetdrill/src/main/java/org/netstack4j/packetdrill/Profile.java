package org.netstack4j.packetdrill;

import java.util.regex.Pattern;

/**
 * Which kernel personality a script was written against (NOTES.md 3.3). The TCP side of a
 * profile is TcpConfig data chosen by the stack adapter; the socket side (O_NONBLOCK value,
 * whether PSH is compared) lives here.
 */
public enum Profile {
    AUTO, FREEBSD, LINUX;

    private static final Pattern FREEBSD_MARKS = Pattern.compile(
        "sysctl\\s+-w\\s+(net\\.inet\\.|kern\\.ipc)|sockstat|tcpdrop|#ifdef\\s+FreeBSD|\\beol\\b|>[^\\n<]*\\bwin 65535\\b");
    private static final Pattern LINUX_MARKS = Pattern.compile(
        "defaults\\.sh|net\\.ipv4\\.|/proc/sys/|#ifdef\\s+Linux|TCP_INFO|tcpi_snd_cwnd");

    private static final Pattern FREEBSD_PATH = Pattern.compile("(?i)(^|[/+_-])(free)?bsd([/+_-]|$)");

    /**
     * AUTO resolved from the script's own markers (sysctl keys, shell idioms, option padding,
     * FreeBSD's unscaled window), then from an OS name among its folders (nplab keeps
     * tests/bsd and tests/linux apart); LINUX, packetdrill's home, when nothing decides.
     */
    public static Profile detect(Script s) {
        String src = s.source();
        int bsd = count(FREEBSD_MARKS, src), linux = count(LINUX_MARKS, src);
        if (bsd != linux) return bsd > linux ? FREEBSD : LINUX;
        String path = s.path() == null ? "" : s.path().toString().replace('\\', '/');
        if (FREEBSD_PATH.matcher(path).find()) return FREEBSD;
        return LINUX;
    }

    private static int count(Pattern p, String s) {
        var m = p.matcher(s);
        int n = 0;
        while (m.find()) n++;
        return n;
    }

    /** O_NONBLOCK as fcntl reports it. */
    public long oNonblock() { return this == FREEBSD ? 0x4 : 0x800; }

    /** Whether PSH is compared on outbound segments (google's non-strict mode ignores it). */
    public boolean comparesPsh() { return this == FREEBSD; }
}
