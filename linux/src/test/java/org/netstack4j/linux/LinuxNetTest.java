package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class LinuxNetTest {
    @Test
    void failureShowsCommandExitCodeAndStderr() {
        assumeTrue(LinuxNet.findOnPath("sh") != null, "needs /bin/sh");
        LinuxNet.CommandException e = assertThrows(LinuxNet.CommandException.class,
                () -> LinuxNet.run("sh", "-c", "echo oops >&2; exit 3"));
        assertTrue(e.getMessage().contains("exit 3"), e.getMessage());
        assertTrue(e.getMessage().contains("sh -c echo oops >&2; exit 3"), e.getMessage());
        assertTrue(e.getMessage().contains("stderr: oops"), e.getMessage());
        assertEquals(3, e.result().exitCode());
    }

    @Test
    void missingCommandIsACommandException() {
        LinuxNet.CommandException e = assertThrows(LinuxNet.CommandException.class,
                () -> LinuxNet.run("/nonexistent/nsj-no-such-command"));
        assertTrue(e.getMessage().contains("cannot run /nonexistent/nsj-no-such-command"), e.getMessage());
    }

    @Test
    void netnsLifecycle() throws Exception {
        RootEnv.requireTun();
        String ns = RootEnv.netnsName();
        try {
            LinuxNet.netnsAdd(ns);
            LinuxNet.Result r = LinuxNet.netnsExec(ns, LinuxNet.ipCommand(), "-o", "link");
            assertTrue(r.ok(), r.toString());
            assertEquals(List.of("lo"), r.stdout().lines().map(l -> l.split(":")[1].trim()).toList(),
                    "a fresh namespace has only lo");
            LinuxNet.CommandException dup = assertThrows(LinuxNet.CommandException.class, () -> LinuxNet.netnsAdd(ns));
            assertTrue(dup.getMessage().contains("netns add " + ns), dup.getMessage());
            assertTrue(dup.getMessage().contains("stderr:"), dup.getMessage());
        } finally {
            LinuxNet.netnsDeleteQuietly(ns);
        }
        assertTrue(!LinuxNet.exec(LinuxNet.ipArgs(ns, "link")).ok(), "namespace gone");
    }
}
