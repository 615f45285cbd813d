package org.netstack4j.packetdrill;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How to run scripts: the profile (AUTO = per script from its markers), verbose (print each
 * script's conversation), a JSON report file (null = none), a tolerance override in
 * microseconds (null = the script's or packetdrill's 4 ms), the seed for the stack, the
 * stack factory (null = the real TCP engine), packetdrill's own command-line options
 * ({@code --ip_version=ipv6}, {@code --mss=N}, {@code --tolerance_usecs=N}, ...: applied to
 * every script, over the script's own option lines, as packetdrill's command line does) and the
 * {@code -D NAME=VALUE} definitions (NAME is defined for {@code #ifdef}, and the identifier
 * NAME in a script reads as VALUE).
 */
public record Options(Profile profile, boolean verbose, Path json, Long toleranceUsecs, long seed,
                      TcpStack.Factory stackFactory, Map<String, String> scriptOptions, Map<String, String> defines) {
    public Options {
        scriptOptions = Map.copyOf(scriptOptions);
        defines = Map.copyOf(defines);
    }

    public static Options defaults() { return new Options(Profile.AUTO, false, null, null, 1, null, Map.of(), Map.of()); }

    public Options withProfile(Profile p) { return new Options(p, verbose, json, toleranceUsecs, seed, stackFactory, scriptOptions, defines); }
    public Options withVerbose(boolean v) { return new Options(profile, v, json, toleranceUsecs, seed, stackFactory, scriptOptions, defines); }
    public Options withJson(Path j) { return new Options(profile, verbose, j, toleranceUsecs, seed, stackFactory, scriptOptions, defines); }
    public Options withToleranceUsecs(Long t) { return new Options(profile, verbose, json, t, seed, stackFactory, scriptOptions, defines); }
    public Options withSeed(long s) { return new Options(profile, verbose, json, toleranceUsecs, s, stackFactory, scriptOptions, defines); }
    public Options withStackFactory(TcpStack.Factory f) { return new Options(profile, verbose, json, toleranceUsecs, seed, f, scriptOptions, defines); }

    /** packetdrill's own options the runner passes to every script (the names its command line takes). */
    public static final java.util.Set<String> SCRIPT_OPTIONS = java.util.Set.of("ip_version", "mss", "mtu", "tolerance_usecs",
        "tolerance_percent", "local_ip", "remote_ip", "gateway_ip", "netmask_ip", "bind_port", "connect_port",
        "tcp_ts_tick_usecs", "strict_segments", "non_fatal");

    /** The values packetdrill's {@code --ip_version} takes. */
    public static final java.util.Set<String> IP_VERSIONS = java.util.Set.of("ipv4", "ipv6", "ipv4-mapped-ipv6");

    /**
     * One more packetdrill option, as {@code --name=value} on its command line. Throws
     * IllegalArgumentException, with a message for the user, for a name not in {@link
     * #SCRIPT_OPTIONS} or an {@code ip_version} not in {@link #IP_VERSIONS}.
     */
    public Options withScriptOption(String name, String value) {
        if (!SCRIPT_OPTIONS.contains(name)) throw new IllegalArgumentException("unknown packetdrill option --" + name);
        if (name.equals("ip_version") && !IP_VERSIONS.contains(value))
            throw new IllegalArgumentException("--ip_version wants ipv4, ipv6 or ipv4-mapped-ipv6, not '" + value + "'");
        Map<String, String> m = new LinkedHashMap<>(scriptOptions);
        m.put(name, value);
        return new Options(profile, verbose, json, toleranceUsecs, seed, stackFactory, m, defines);
    }

    /** {@code -D name=value}; IllegalArgumentException when name is not an identifier. */
    public Options withDefine(String name, String value) {
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) throw new IllegalArgumentException("-D wants NAME=VALUE, not '" + name + "'");
        Map<String, String> m = new LinkedHashMap<>(defines);
        m.put(name, value);
        return new Options(profile, verbose, json, toleranceUsecs, seed, stackFactory, scriptOptions, m);
    }
}
