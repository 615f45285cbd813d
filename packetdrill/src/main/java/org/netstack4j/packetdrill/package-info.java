/**
 * Runs packetdrill scripts against one TCP stack in virtual time: {@link org.netstack4j.packetdrill.ScriptParser}
 * (text to {@link org.netstack4j.packetdrill.Script}), {@link org.netstack4j.packetdrill.Interpreter}
 * (one script against one fresh {@link org.netstack4j.packetdrill.TcpStack}), {@link org.netstack4j.packetdrill.Runner}
 * (files and directories, one line per script, the summary, the JSON report), profiles and shims.
 *
 * <p>It must never read a clock, sleep or touch the host (no shell: backtick commands go through
 * shims or SKIP), never copy a corpus script into the project, and never special-case a file:
 * every behaviour is chosen from what the script itself says.
 */
package org.netstack4j.packetdrill;
