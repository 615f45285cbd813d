package org.netstack4j.apps.smtp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stores each accepted message in a directory as {@code N.eml} (the bytes as received, after
 * dot-unstuffing) and {@code N.envelope} (MAIL FROM and RCPT TO lines), written to a temporary
 * name first and renamed, so a reader never sees half a message.
 */
public final class MailStore implements SmtpServerSession.Mailbox {
    private final Path dir;
    private final AtomicLong next;

    public MailStore(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
        long n = 0;
        try (var s = Files.list(dir)) {
            n = s.map(p -> p.getFileName().toString()).filter(f -> f.matches("\\d+\\.eml"))
                    .mapToLong(f -> Long.parseLong(f.substring(0, f.length() - 4))).max().orElse(0);
        }
        this.next = new AtomicLong(n + 1);
    }

    @Override public String deliver(String from, List<String> recipients, byte[] message) {
        long n = next.getAndIncrement();
        try {
            StringBuilder env = new StringBuilder("MAIL FROM:<" + from + ">\n");
            for (String r : recipients) env.append("RCPT TO:<").append(r).append(">\n");
            write(dir.resolve(n + ".envelope"), env.toString().getBytes(StandardCharsets.UTF_8));
            write(dir.resolve(n + ".eml"), message);
            return null;
        } catch (IOException e) {
            return "cannot store the message: " + e.getMessage();
        }
    }

    private void write(Path target, byte[] data) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(tmp, data, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
        Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    public Path dir() { return dir; }
}
