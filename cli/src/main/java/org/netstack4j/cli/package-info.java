/**
 * The {@code netstack4j} command (picocli): one class per subcommand. Commands validate their
 * options and report misuse as one line (exit 2) through {@link org.netstack4j.cli.Main.UsageError};
 * they hold no protocol logic, only wiring of the stack, the lab and the devices.
 */
package org.netstack4j.cli;
