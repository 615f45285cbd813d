/**
 * Linux TUN and TAP devices for netstack4j through {@code java.lang.foreign} (no JNI): the
 * devices, a host on a TUN device ({@code TunHost}) and a router over several
 * ({@code TunRouter}).
 *
 * <p>The FFM downcalls (open, ioctl, read, write, poll) are restricted methods: run with
 * {@code --enable-native-access=org.netstack4j.linux} on the module path (or
 * {@code --enable-native-access=ALL-UNNAMED} on the class path), or the JDK warns at the first
 * call and a later JDK will refuse it.
 */
module org.netstack4j.linux {
    requires transitive org.netstack4j.core;
    /** TunBench reads the process's CPU time (com.sun.management.OperatingSystemMXBean). */
    requires jdk.management;

    exports org.netstack4j.linux;
}
