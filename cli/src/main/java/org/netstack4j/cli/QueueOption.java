package org.netstack4j.cli;

import picocli.CommandLine.Option;

/** {@code --queues N} of the commands that can spread a TUN over cores (serve, get, gateway). */
final class QueueOption {
    @Option(names = "--queues", paramLabel = "N",
            description = "Open the TUN as N queues (IFF_MULTI_QUEUE), each served by its own stack and thread; default: the number of CPUs (1 with --pcap: one capture file; with more, queue K writes FILE.qK). 1 is a single plain queue; a kernel that refuses falls back to 1 and says why.")
    Integer queues;

    /** The queues asked for: the option, else 1 with a capture ({@code pcap} non-null), else the number of CPUs. */
    int queues(java.nio.file.Path pcap) {
        int n = queues != null ? queues : pcap != null ? 1 : Runtime.getRuntime().availableProcessors();
        Options.range("--queues", n, 1, 64);
        return n;
    }
}
