package org.netstack4j.tcp;

/** Errors reported to the user, worded as RFC 9293 3.10 words them. */
public enum TcpError {
    CONNECTION_REFUSED("connection refused"),
    CONNECTION_RESET("connection reset"),
    TIMED_OUT("connection timed out"),
    CONNECTION_ABORTED("connection aborted"),
    HOST_UNREACHABLE("host unreachable"),
    NETWORK_UNREACHABLE("network unreachable"),
    CONNECTION_DOES_NOT_EXIST("connection does not exist"),
    CONNECTION_CLOSING("connection closing"),
    CONNECTION_ALREADY_EXISTS("connection already exists"),
    INSUFFICIENT_RESOURCES("insufficient resources");

    private final String message;

    TcpError(String message) { this.message = message; }

    public String message() { return message; }

    @Override public String toString() { return message; }
}
