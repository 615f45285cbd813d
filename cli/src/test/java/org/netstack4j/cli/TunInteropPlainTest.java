package org.netstack4j.cli;

import org.junit.jupiter.api.BeforeAll;

/** Every {@link TunInteropTest} again with the TUN in the plain mode (no virtio-net header, 1500-byte packets). */
class TunInteropPlainTest extends TunInteropTest {
    @BeforeAll
    static void setUp() throws Exception {
        open(false);
    }
}
