package org.netstack4j.tcp;

/** Connection events for the user; all no-ops by default. Called from inside the stack. */
public interface TcpEventListener {
    TcpEventListener NONE = new TcpEventListener() {};

    default void onEstablished(TcpConnection c) {}
    default void onReadable(TcpConnection c) {}
    default void onWritable(TcpConnection c) {}
    /** The peer's FIN arrived: after the buffered data, receive() returns -1. */
    default void onRemoteClosed(TcpConnection c) {}
    /** The connection reached CLOSED; error is null for an orderly end. */
    default void onClosed(TcpConnection c, TcpError errorOrNull) {}
}
