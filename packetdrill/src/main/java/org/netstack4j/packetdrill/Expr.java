package org.netstack4j.packetdrill;

import java.util.List;

/** A syscall argument or return value as written in a script. */
public sealed interface Expr {
    /** {@code ...}: "whatever the runner chooses" (an address, a buffer). */
    record Ellipsis() implements Expr { @Override public String toString() { return "..."; } }
    record Int(long value, String text) implements Expr { @Override public String toString() { return text; } }
    /** A symbolic constant: SOCK_STREAM, O_NONBLOCK, ECONNRESET, ... */
    record Symbol(String name) implements Expr { @Override public String toString() { return name; } }
    record Str(String value) implements Expr { @Override public String toString() { return '"' + value + '"'; } }
    /** {@code A|B}. */
    record Or(Expr left, Expr right) implements Expr { @Override public String toString() { return left + "|" + right; } }
    /** {@code [a, b]}: an in/out pointer to a value. */
    record Array(List<Expr> items) implements Expr { @Override public String toString() { return items.toString(); } }
    /** {@code {name=value, ...}} (linger, sockaddr, pollfd, iovec, msghdr...). A field without a name has name null. */
    record Struct(List<Field> fields) implements Expr {
        @Override public String toString() { return "{" + String.join(", ", fields.stream().map(Field::toString).toList()) + "}"; }
    }
    record Field(String name, Expr index, Expr value) {
        @Override public String toString() {
            return name == null ? String.valueOf(value) : name + (index == null ? "" : "(" + index + ")") + "=" + value;
        }
    }
    /** {@code htons(8080)}, {@code inet_addr("1.2.3.4")}. */
    record Call(String name, List<Expr> args) implements Expr {
        @Override public String toString() { return name + args.toString().replace('[', '(').replace(']', ')'); }
    }
}
