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

    /** One more packetdrill option, as {@code --name=value} on its command line. */
    public Options withScriptOption(String name, String value) {
        Map<String, String> m = new LinkedHashMap<>(scriptOptions);
        m.put(name, value);
        return new Options(profile, verbose, json, toleranceUsecs, seed, stackFactory, m, defines);
    }

    /** {@code -D name=value}. */
    public Options withDefine(String name, String value) {
        Map<String, String> m = new LinkedHashMap<>(defines);
        m.put(name, value);
        return new Options(profile, verbose, json, toleranceUsecs, seed, stackFactory, scriptOptions, m);
    }
}
