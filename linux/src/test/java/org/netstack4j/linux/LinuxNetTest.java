package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

    /**
     * A namespace made through {@link LinuxNet#netnsAdd} does not outlive its JVM: a child JVM
     * makes one and is then stopped the way a Maven build or Ctrl-C stops it (SIGTERM), before
     * any tear-down of its own; the namespace is gone afterwards.
     */
    @Test
    void namespaceIsDeletedWhenItsJvmIsStopped() throws Exception {
        RootEnv.requireTun();
        String ns = RootEnv.netnsName() + "x";
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                NamespaceHolder.class.getName(), ns).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", out.readLine(), "the child made its namespace");
            assertTrue(LinuxNet.exec(LinuxNet.ipArgs(ns, "link")).ok(), "namespace exists while its JVM runs");
            List<String> pids = LinuxNet.exec(LinuxNet.ipArgs(null, "netns", "pids", ns)).stdout().lines().toList();
            assertEquals(1, pids.size(), "one process runs in the namespace: " + pids);
            ProcessHandle server = ProcessHandle.of(Long.parseLong(pids.get(0).trim())).orElseThrow();
            child.destroy();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child stops on SIGTERM");
            assertTrue(!LinuxNet.exec(LinuxNet.ipArgs(ns, "link")).ok(), "namespace deleted by the child's exit hook");
            assertTrue(server.onExit().get(30, TimeUnit.SECONDS) != null && !server.isAlive(), "the process left in the namespace was stopped");
        } finally {
            child.destroyForcibly();
            LinuxNet.netnsDeleteQuietly(ns);
        }
    }

    /** The child JVM of {@link #namespaceIsDeletedWhenItsJvmIsStopped}: makes the namespace, says so, waits on stdin. */
    static final class NamespaceHolder {
        public static void main(String[] args) throws Exception {
            LinuxNet.netnsAdd(args[0]);
            // a server left running in the namespace, as a test's http.server would be
            new ProcessBuilder(LinuxNet.ipCommand(), "netns", "exec", args[0], "sleep", "600").start();
            System.out.println("ready");
            System.out.flush();
            System.in.read();
        }
    }
}
