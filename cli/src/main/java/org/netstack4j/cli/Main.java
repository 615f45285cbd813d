package org.netstack4j.cli;

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
        subcommands = {DemoCommand.class, LabCommand.class, ExplainCommand.class, PingCommand.class, DecodeCommand.class,
            TransferCommand.class, PacketdrillCommand.class, ServeCommand.class, GetCommand.class, BenchCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: try 'netstack4j --help'");
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
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
