package org.netstack4j.packetdrill;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The entry the CLI calls: {@code netstack4j packetdrill [--profile ..] [--verbose] [--json F] PATH...}.
 * Each .pkt file (directories recursively) runs against a fresh stack; one line per script,
 * then {@code N passed, M failed, K skipped}.
 */
public final class Runner {
    private Runner() {}

    public static Summary run(List<Path> paths, Options options, PrintStream out) {
        List<ScriptResult> results = new ArrayList<>();
        int pass = 0, fail = 0, skip = 0;
        for (Path p : Corpus.expand(paths)) {
            ScriptResult r = runOne(p, options);
            results.add(r);
            switch (r.status()) {
                case PASS -> pass++;
                case FAIL -> fail++;
                case SKIP -> skip++;
            }
            out.println(r.oneLine());
            if (options.verbose()) {
                out.println("  profile: " + r.profile().name().toLowerCase(java.util.Locale.ROOT));
                for (String l : r.log()) out.println("  " + l);
            }
        }
        Summary s = new Summary(pass, fail, skip, List.copyOf(results));
        out.println(s.line());
        if (options.json() != null) {
            try {
                JsonReport.write(s, options.json());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + options.json(), e);
            }
        }
        return s;
    }

    public static final String USAGE =
        "usage: packetdrill [--profile auto|freebsd|linux] [--verbose] [--json FILE] [--tolerance-usecs N] [--seed N]"
        + " [--ip_version ipv4|ipv6|ipv4-mapped-ipv6] [--mss N] [--mtu N] [--tolerance_usecs N] [--local_ip A] [--remote_ip A]"
        + " [-D NAME=VALUE] PATH...";

    /**
     * The whole command for a CLI that wants no parsing of its own: the flags of {@link #USAGE}
     * ({@code --flag value} or {@code --flag=value}); no PATH means the shared corpus
     * ({@link Corpus#locate()}). Returns the exit status: 0 nothing failed, 1 failures, 2 usage.
     */
    public static int main(String[] args, PrintStream out, PrintStream err) {
        Options o = Options.defaults();
        List<Path> paths = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String value = null;
                int eq = a.indexOf('=');
                if (a.startsWith("--") && eq > 0) { value = a.substring(eq + 1); a = a.substring(0, eq); }
                switch (a) {
                    case "--verbose", "-v" -> o = o.withVerbose(true);
                    case "--profile", "--json", "--tolerance-usecs", "--seed" -> {
                        if (value == null) {
                            if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
                            value = args[++i];
                        }
                        switch (a) {
                            case "--profile" -> o = o.withProfile(Profile.valueOf(value.toUpperCase(java.util.Locale.ROOT)));
                            case "--json" -> o = o.withJson(Path.of(value));
                            case "--tolerance-usecs" -> o = o.withToleranceUsecs(Long.parseLong(value));
                            default -> o = o.withSeed(Long.parseLong(value));
                        }
                    }
                    case "--help", "-h" -> { out.println(USAGE); return 0; }
                    case "-D", "--define" -> {
                        if (value == null) {
                            if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs NAME=VALUE");
                            value = args[++i];
                        }
                        o = define(o, value);
                    }
                    default -> {
                        if (a.startsWith("-D") && a.length() > 2) {
                            o = define(o, a.substring(2));
                            continue;
                        }
                        String name = a.startsWith("--") ? a.substring(2) : null;
                        if (name != null && Options.SCRIPT_OPTIONS.contains(name)) {
                            boolean flag = name.equals("strict_segments");
                            if (value == null && !flag) {
                                if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
                                value = args[++i];
                            }
                            o = o.withScriptOption(name, value == null ? "" : value);
                            continue;
                        }
                        if (a.startsWith("-")) throw new IllegalArgumentException("unknown option " + a);
                        paths.add(Path.of(a));
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            err.println("packetdrill: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (paths.isEmpty()) {
            var corpus = Corpus.locate();
            if (corpus.isEmpty()) {
                err.println("packetdrill: no PATH given and no shared/conformance/packetdrill found");
                err.println(USAGE);
                return 2;
            }
            paths.add(corpus.get());
        }
        return run(paths, o, out).exitCode();
    }

    private static Options define(Options o, String nameValue) {
        int eq = nameValue.indexOf('=');
        return o.withDefine(eq < 0 ? nameValue : nameValue.substring(0, eq), eq < 0 ? "" : nameValue.substring(eq + 1));
    }

    /** Parses and runs one script; never throws for a bad or unsupported script. */
    public static ScriptResult runOne(Path path, Options options) {
        Script script;
        Profile profile = options.profile() == Profile.AUTO ? Profile.LINUX : options.profile();
        try {
            if (!Files.isRegularFile(path))
                return new ScriptResult(path, ScriptResult.Status.FAIL, 0, "no such file", profile, List.of());
            script = ScriptParser.parse(path, Files.readString(path, java.nio.charset.StandardCharsets.UTF_8), options.defines());
        } catch (Unsupported u) {
            return new ScriptResult(path, ScriptResult.Status.SKIP, u.line(), u.getMessage(), profile, List.of());
        } catch (ScriptSyntaxError e) {
            return new ScriptResult(path, ScriptResult.Status.FAIL, e.line(), "syntax: " + e.getMessage(), profile, List.of());
        } catch (IOException e) {
            return new ScriptResult(path, ScriptResult.Status.FAIL, 0, "cannot read: " + e.getMessage(), profile, List.of());
        }
        if (options.profile() == Profile.AUTO) profile = Profile.detect(script);
        TcpStack.Factory f = options.stackFactory() != null ? options.stackFactory() : EngineStack.FACTORY;
        return new Interpreter(script, profile, f, options.seed(), options.toleranceUsecs(), options.scriptOptions()).run();
    }
}
