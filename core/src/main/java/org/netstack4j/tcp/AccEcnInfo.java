package org.netstack4j.tcp;

/**
 * Accurate ECN feedback of one connection as Linux's tcp_info reports it (tcpi_delivered_ce,
 * tcpi_delivered_ce_bytes, tcpi_delivered_e0_bytes, tcpi_delivered_e1_bytes, tcpi_received_ce);
 * see {@link TcpConnection#accEcnInfo()}.
 */
public record AccEcnInfo(boolean active, long deliveredCe, long deliveredCeBytes, long deliveredE0Bytes,
                         long deliveredE1Bytes, long receivedCe) {}
