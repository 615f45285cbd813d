package org.netstack4j.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code netstack4j} command. */
@Command(name = "netstack4j",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "A user-space TCP/IP stack in pure Java, and a lab that shows how TCP works.",
            "Every command runs on netstack4j's own stack; simulated runs are deterministic (same --seed, same bytes)."
        },
        footer = {"", "Memory: the ./netstack4j launcher limits the Java heap to 2g; raise it with",
            "NETSTACK4J_HEAP, e.g. NETSTACK4J_HEAP=8g ./netstack4j bench"},
        subcommands = {DemoCommand.class, LabCommand.class, ExplainCommand.class, PingCommand.class, DecodeCommand.class,
            TransferCommand.class, PacketdrillCommand.class, ServeCommand.class, GetCommand.class, ResolveCommand.class, MailCommand.class, BenchCommand.class, RouteCommand.class, GatewayCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        reflow(cl);
        // A parser error is one line on what is wrong and one on where to get help, not the whole usage.
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            String name = cmd.getCommandSpec().qualifiedName();
            cmd.getErr().println(name + ": " + parseProblem(ex, cmd == cl));
            cmd.getErr().println("Try '" + name + " --help' for more information.");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            if (ex instanceof UsageError u) {
                cmd.getErr().println("netstack4j " + cmd.getCommandName() + ": " + u.getMessage());
                return 2;
            }
            cmd.getErr().println("netstack4j " + cmd.getCommandName() + ": " + ex);
            ex.printStackTrace(cmd.getErr());
            return 70;
        });
        return cl;
    }

    /** The first line of a picocli parser message, said plainly; "did you mean" suggestions kept. */
    static String parseProblem(CommandLine.ParameterException ex, boolean root) {
        String msg = ex.getMessage() == null ? "invalid arguments" : ex.getMessage().lines().findFirst().orElse("invalid arguments");
        if (ex instanceof CommandLine.UnmatchedArgumentException u) {
            List<String> unmatched = u.getUnmatched();
            String first = unmatched.isEmpty() ? "" : unmatched.getFirst();
            if (root && !first.startsWith("-")) msg = "unknown command '" + first + "'";
            else if (first.startsWith("-")) msg = "unknown option '" + first + "'";
            List<String> suggestions = u.getSuggestions();
            if (!suggestions.isEmpty()) msg += " (did you mean " + String.join(" or ", suggestions.subList(0, Math.min(3, suggestions.size()))) + "?)";
        }
        return msg;
    }

    /** Help text width: picocli's default; descriptions are wrapped to fit it here. */
    static final int WIDTH = 80;

    /**
     * Rewraps every command's description to {@link #WIDTH} columns: the source keeps one
     * line of text per line of code, and picocli would otherwise break each of them again, leaving
     * ragged half-lines. A line starting with "name: " starts an item; an indented line continues
     * it with a hanging indent; an empty line separates paragraphs.
     */
    static void reflow(CommandLine cl) {
        CommandLine.Model.UsageMessageSpec u = cl.getCommandSpec().usageMessage();
        u.description(wrap(u.description(), WIDTH - 1));
        for (CommandLine sub : cl.getSubcommands().values()) reflow(sub);
    }

    static String[] wrap(String[] lines, int width) {
        List<String> out = new java.util.ArrayList<>();
        StringBuilder block = null;
        int hang = 0;
        boolean inItems = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            boolean indented = !line.isEmpty() && Character.isWhitespace(line.charAt(0));
            // "label: text" starts an item when items are under way, or an indented line continues it.
            boolean item = !indented && line.matches("^[\\w-]+:\\s.*")
                    && (inItems || (i + 1 < lines.length && !lines[i + 1].isBlank() && Character.isWhitespace(lines[i + 1].charAt(0))));
            if (line.isBlank() || item || block == null) {
                if (block != null) fill(block.toString(), hang, inItems, width, out);
                block = null;
                hang = 0;
                inItems = item;
                if (line.isBlank()) {
                    out.add("");
                    continue;
                }
                block = new StringBuilder(line.strip());
                continue;
            }
            if (indented && hang == 0) hang = line.length() - line.stripLeading().length();
            block.append(' ').append(line.strip());
        }
        if (block != null) fill(block.toString(), hang, inItems, width, out);
        return out.toArray(String[]::new);
    }

    private static void fill(String text, int hang, boolean isItem, int width, List<String> out) {
        StringBuilder line = new StringBuilder();
        java.util.regex.Matcher item = java.util.regex.Pattern.compile("^([\\w-]+:\\s+)(.*)").matcher(text);
        if (isItem && item.matches()) { // "layers:     the OSI...": keep the label's alignment
            line.append(item.group(1), 0, item.group(1).length() - 1);
            text = item.group(2);
            hang = item.group(1).length();
        }
        for (String word : text.split(" +")) {
            if (!line.isEmpty() && line.length() + 1 + word.length() > width) {
                out.add(line.toString());
                line.setLength(0);
                line.append(" ".repeat(hang));
            }
            if (!line.isEmpty() && !line.toString().isBlank()) line.append(' ');
            line.append(word);
        }
        if (!line.toString().isBlank()) out.add(line.toString());
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** A mistake by the user, reported as one line without a stack trace. */
    public static final class UsageError extends RuntimeException {
        public UsageError(String message) { super(message); }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"netstack4j " + (v == null ? "0.1.0-SNAPSHOT" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
