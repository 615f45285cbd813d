package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.netstack4j.device.Medium;

/** Errno-to-advice mapping, checked directly so "not root" needs no unprivileged user. */
class TunExceptionTest {
    @Test
    void notRootSaysRunWithSudo() {
        for (int errno : new int[] {Errno.EACCES, Errno.EPERM}) {
            TunException e = TunException.openControlDevice(errno);
            assertEquals(errno, e.errno());
            assertEquals("opening /dev/net/tun needs root or CAP_NET_ADMIN: run with sudo",
                    e.getMessage().substring(0, "opening /dev/net/tun needs root or CAP_NET_ADMIN: run with sudo".length()));
        }
        TunException e = TunException.setInterface("nsj0", Medium.IP, Errno.EPERM);
        assertTrue(e.getMessage().contains("needs root or CAP_NET_ADMIN: run with sudo"), e.getMessage());
    }

    @Test
    void missingDeviceSaysModprobe() {
        assertTrue(TunException.openControlDevice(Errno.ENOENT).getMessage().contains("modprobe tun"));
        assertTrue(TunException.openControlDevice(Errno.ENODEV).getMessage().contains("modprobe tun"));
    }

    @Test
    void busyAndWrongKind() {
        TunException busy = TunException.setInterface("nsj0", Medium.ETHERNET, Errno.EBUSY);
        assertTrue(busy.getMessage().startsWith("TAP interface 'nsj0' is already in use (EBUSY)"), busy.getMessage());
        TunException kind = TunException.setInterface("nsj0", Medium.IP, Errno.EINVAL);
        assertTrue(kind.getMessage().contains("is not a TUN device"), kind.getMessage());
        assertTrue(kind.getMessage().contains("ip link del nsj0"), kind.getMessage());
    }

    @Test
    void unknownErrnoShowsLibcTextAndName() {
        TunException e = TunException.openControlDevice(Errno.EIO);
        assertTrue(e.getMessage().contains("(EIO)"), e.getMessage());
        assertTrue(e.getMessage().contains("Input/output error"), e.getMessage());
    }

    @Test
    void namesAreCheckedLikeTheKernel() {
        assertNull(TunException.checkName("nsj0"));
        assertNull(TunException.checkName(""), "empty: the kernel picks tunN");
        assertNull(TunException.checkName("x".repeat(15)));
        assertTrue(TunException.checkName("x".repeat(16)).getMessage().contains("16 bytes long; Linux allows at most 15"));
        assertNotNull(TunException.checkName("a/b"));
        assertNotNull(TunException.checkName("a b"));
        assertNotNull(TunException.checkName("eth0:1"));
        assertNotNull(TunException.checkName(".."));
        assertNotNull(TunException.checkName(null));
    }

    @Test
    void pollTimeoutRoundsUp() {
        assertEquals(-1, LibC.pollTimeoutMs(-1));
        assertEquals(0, LibC.pollTimeoutMs(0));
        assertEquals(1, LibC.pollTimeoutMs(1));
        assertEquals(1, LibC.pollTimeoutMs(1_000_000));
        assertEquals(2, LibC.pollTimeoutMs(1_000_001));
        assertEquals(Integer.MAX_VALUE, LibC.pollTimeoutMs(Long.MAX_VALUE));
    }
}
