package org.netstack4j.packetdrill;

import java.nio.file.Path;

/**
 * How to run scripts: the profile (AUTO = per script from its markers), verbose (print each
 * script's conversation), a JSON report file (null = none), a tolerance override in
 * microseconds (null = the script's or packetdrill's 4 ms), the seed for the stack, and the
 * stack factory (null = the real TCP engine).
 */
public record Options(Profile profile, boolean verbose, Path json, Long toleranceUsecs, long seed,
                      TcpStack.Factory stackFactory) {
    public static Options defaults() { return new Options(Profile.AUTO, false, null, null, 1, null); }

    public Options withProfile(Profile p) { return new Options(p, verbose, json, toleranceUsecs, seed, stackFactory); }
    public Options withVerbose(boolean v) { return new Options(profile, v, json, toleranceUsecs, seed, stackFactory); }
    public Options withJson(Path j) { return new Options(profile, verbose, j, toleranceUsecs, seed, stackFactory); }
    public Options withToleranceUsecs(Long t) { return new Options(profile, verbose, json, t, seed, stackFactory); }
    public Options withStackFactory(TcpStack.Factory f) { return new Options(profile, verbose, json, toleranceUsecs, seed, f); }
}
