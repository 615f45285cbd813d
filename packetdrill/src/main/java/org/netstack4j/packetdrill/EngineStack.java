package org.netstack4j.packetdrill;

/**
 * The adapter from {@link TcpStack} to org.netstack4j.tcp.TcpLayer. TRANSITIONAL: the TCP
 * engine is not on this branch yet, so every script that needs a stack is SKIPped with that
 * reason. Replaced by the real adapter when the tcp branch is merged.
 */
final class EngineStack {
    private EngineStack() {}

    static final TcpStack.Factory FACTORY = (settings, output, seed) -> {
        throw new Unsupported(0, "TCP engine not merged into this branch yet");
    };
}
