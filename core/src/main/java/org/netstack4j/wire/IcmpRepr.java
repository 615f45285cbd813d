package org.netstack4j.wire;

/**
 * ICMPv4 (RFC 792) message. Variants carry what their type needs; {@code data} is the
 * echo payload or the quoted original datagram (IP header + first bytes) for errors.
 */
public sealed interface IcmpRepr {
    int TYPE_ECHO_REPLY = 0, TYPE_DEST_UNREACHABLE = 3, TYPE_ECHO_REQUEST = 8, TYPE_TIME_EXCEEDED = 11;
    int CODE_NET_UNREACHABLE = 0, CODE_HOST_UNREACHABLE = 1, CODE_PROTOCOL_UNREACHABLE = 2,
        CODE_PORT_UNREACHABLE = 3, CODE_FRAGMENTATION_NEEDED = 4;
    int CODE_TTL_EXCEEDED = 0, CODE_REASSEMBLY_TIME_EXCEEDED = 1;

    record EchoRequest(int identifier, int sequence, byte[] data) implements IcmpRepr {}
    record EchoReply(int identifier, int sequence, byte[] data) implements IcmpRepr {}
    /** nextHopMtu is meaningful for code 4 (fragmentation needed, RFC 1191), else 0. */
    record DestinationUnreachable(int code, int nextHopMtu, byte[] data) implements IcmpRepr {}
    record TimeExceeded(int code, byte[] data) implements IcmpRepr {}
    /** Any other type/code, kept for display. rest is the 4 bytes after the checksum, then data. */
    record Other(int type, int code, byte[] rest) implements IcmpRepr {}

    /** Parses and verifies the checksum over buf[off..off+len). */
    static Parsed<IcmpRepr> parse(byte[] buf, int off, int len) { throw new UnsupportedOperationException("TODO(wire)"); }

    default int length() { throw new UnsupportedOperationException("TODO(wire)"); }

    /** Writes the message with its checksum at buf[off]; returns length(). */
    default int emit(byte[] buf, int off) { throw new UnsupportedOperationException("TODO(wire)"); }
}
