package org.netstack4j.tcp;

/** The eleven connection states of RFC 9293 3.3.2. */
public enum TcpState {
    CLOSED("CLOSED"), LISTEN("LISTEN"), SYN_SENT("SYN-SENT"), SYN_RECEIVED("SYN-RECEIVED"),
    ESTABLISHED("ESTABLISHED"), FIN_WAIT_1("FIN-WAIT-1"), FIN_WAIT_2("FIN-WAIT-2"),
    CLOSE_WAIT("CLOSE-WAIT"), CLOSING("CLOSING"), LAST_ACK("LAST-ACK"), TIME_WAIT("TIME-WAIT");

    private final String rfcName;

    TcpState(String rfcName) { this.rfcName = rfcName; }

    /** The name as RFC 9293 writes it: "SYN-SENT", "TIME-WAIT". */
    public String rfcName() { return rfcName; }

    /** RFC 9293 3.3.2: states after the handshake has synchronized both sequence spaces. */
    public boolean isSynchronized() {
        return switch (this) {
            case CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED -> false;
            case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT -> true;
        };
    }

    @Override public String toString() { return rfcName; }
}
