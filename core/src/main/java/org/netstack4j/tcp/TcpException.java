package org.netstack4j.tcp;

/** A user call that the RFC answers with an error ("connection closing", "connection reset"). */
public final class TcpException extends RuntimeException {
    private final TcpError error;

    public TcpException(TcpError error) { this(error, error.message()); }

    public TcpException(TcpError error, String message) {
        super(message);
        this.error = error;
    }

    public TcpError error() { return error; }
}
