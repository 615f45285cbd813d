package org.netstack4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.netstack4j.linux.LinuxNet;

/**
 * Limits whole processes (every thread, and threads they start later) to the first online
 * CPU with {@code taskset -a -p}, and gives them all online CPUs back on {@link #close()}.
 */
final class Cpus implements AutoCloseable {
    /** The CPU the pinned rows run on. */
    static final int FIRST = 0;

    private final String taskset;
    private final long[] pids;

    private Cpus(String taskset, long[] pids) {
        this.taskset = taskset;
        this.pids = pids;
    }

    /** Why the processes cannot be pinned here, or null. */
    static String whyNotPinnable() {
        if (LinuxNet.findOnPath("taskset") == null) return "taskset not installed (scripts/install-deps.sh installs util-linux)";
        if (online().equals(Integer.toString(FIRST))) return "only one CPU online: bulk already is the one-core figure";
        return null;
    }

    static Cpus pinToFirst(long... pids) throws IOException {
        String taskset = LinuxNet.findOnPath("taskset");
        if (taskset == null) throw new IOException("taskset not installed");
        for (long pid : pids) setAll(taskset, Integer.toString(FIRST), pid);
        return new Cpus(taskset, pids);
    }

    @Override public void close() throws IOException {
        String all = online();
        for (long pid : pids) setAll(taskset, all, pid);
    }

    /**
     * {@code taskset -a -p -c CPUS PID}: every thread of the process. A thread that ends while
     * taskset walks the list makes it fail ("No such process"); the walk is then repeated.
     */
    private static void setAll(String taskset, String cpus, long pid) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                LinuxNet.run(taskset, "-a", "-p", "-c", cpus, Long.toString(pid));
                return;
            } catch (LinuxNet.CommandException e) {
                if (attempt == 10 || !String.valueOf(e.getMessage()).contains("No such process")) throw e;
            }
        }
    }

    /** The online CPUs in taskset's list form, e.g. "0-1". */
    private static String online() {
        try {
            return Files.readString(Path.of("/sys/devices/system/cpu/online")).trim();
        } catch (IOException e) {
            return "0-" + (Runtime.getRuntime().availableProcessors() - 1);
        }
    }
}
