package org.netstack4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Small files of {@link HttpFileServer} held in memory with their response pre-rendered, so a
 * repeated GET of a small file costs no system call, no path resolution and no header building
 * (nginx's {@code open_file_cache} plays this part there).
 *
 * <p>Keyed by the request's path (before decoding, without query). An entry is made only from a
 * real path the server resolved inside its root, and is trusted for at most the validation
 * interval ({@link #VALID_NANOS}, 1 s) of the server's clock: after that the request goes through
 * the full resolution again (real path, symbolic links, the root check) and the file is reread,
 * so a changed link target, a replaced, changed or deleted file is served stale for at most that
 * long and the cache never serves anything the resolution would refuse now.
 *
 * <p>Bounded: only regular files of at most {@code maxFileBytes}, at most {@code maxBytes} of
 * bodies and {@link #MAX_ENTRIES} entries in all; making room evicts other entries (counted).
 */
final class HttpFileCache {
    /** How long a resolved entry is trusted without looking at the file system again. */
    static final long VALID_NANOS = 1_000_000_000L;
    /** Entries at most (every distinct spelling of a path is one). */
    static final int MAX_ENTRIES = 4096;
    /** The defaults of {@code serve}: files up to 64 KiB, 32 MiB of them. */
    static final long DEFAULT_MAX_BYTES = 32L << 20;
    static final int DEFAULT_MAX_FILE_BYTES = 64 << 10;

    /** A cached file: its body, the headers that depend only on it, when it was last resolved. */
    static final class Entry {
        final Path real;
        final byte[] body;
        final String lastModified;
        /** "Last-Modified: ...\r\nAccept-Ranges: bytes\r\n". */
        final String fileHeaders;
        final String type;
        final long validatedAt;
        /** The 200 response (header and body) for the current second: see {@link #full}. */
        private volatile Rendered keepAlive, close;

        Entry(Path real, byte[] body, String lastModified, String type, long validatedAt) {
            this.real = real;
            this.body = body;
            this.lastModified = lastModified;
            this.fileHeaders = "Last-Modified: " + lastModified + "\r\nAccept-Ranges: bytes\r\n";
            this.type = type;
            this.validatedAt = validatedAt;
        }

        /**
         * The whole 200 response for this second's Date ({@code date}, an IMF-fixdate): built
         * once a second per entry and connection persistence, shared read-only by every connection
         * (a socket write copies it). The header is {@link Rendered#headerLength} bytes long.
         */
        Rendered full(String date, boolean keepAlive) {
            Rendered r = keepAlive ? this.keepAlive : this.close;
            if (r != null && r.date.equals(date)) return r;
            StringBuilder h = new StringBuilder(256);
            HttpFileServer.statusLine(h, 200, "OK");
            HttpFileServer.commonHeaders(h, date, fileHeaders, type, body.length, keepAlive);
            h.append("\r\n");
            byte[] head = h.toString().getBytes(StandardCharsets.ISO_8859_1);
            byte[] all = new byte[head.length + body.length];
            System.arraycopy(head, 0, all, 0, head.length);
            System.arraycopy(body, 0, all, head.length, body.length);
            r = new Rendered(date, all, head.length);
            if (keepAlive) this.keepAlive = r;
            else this.close = r;
            return r;
        }
    }

    /** A response rendered for the Date {@code date}: {@code bytes[0, headerLength)} is the header. */
    record Rendered(String date, byte[] bytes, int headerLength) {}

    private final long maxBytes;
    private final int maxFileBytes;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private final LongAdder hits = new LongAdder();
    private final LongAdder loads = new LongAdder();
    private final LongAdder evictions = new LongAdder();

    /** {@code maxBytes} of bodies in all, files of at most {@code maxFileBytes}; 0 turns caching off. */
    HttpFileCache(long maxBytes, int maxFileBytes) {
        if (maxBytes < 0 || maxFileBytes < 0) throw new IllegalArgumentException("negative cache limit");
        this.maxBytes = maxBytes;
        this.maxFileBytes = (int) Math.min(maxFileBytes, maxBytes);
    }

    /** The entry for {@code key} if it was resolved within the validation interval before {@code now}, else null. */
    Entry fresh(String key, long now) {
        Entry e = entries.get(key);
        if (e == null || now - e.validatedAt >= VALID_NANOS || now - e.validatedAt < 0) return null;
        hits.increment();
        return e;
    }

    /**
     * Reads {@code real} (a regular file the server just resolved inside its root) into an entry
     * for {@code key}, or null when it is too large, not a regular file, changes while being read,
     * or caching is off; the file is then served from disk as before.
     */
    Entry load(String key, Path real, String type, long now) throws IOException {
        if (maxFileBytes == 0) return null;
        BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
        if (!a.isRegularFile() || a.size() > maxFileBytes) {
            drop(key);
            return null;
        }
        byte[] body = Files.readAllBytes(real);
        BasicFileAttributes after = Files.readAttributes(real, BasicFileAttributes.class);
        if (body.length != a.size() || after.size() != a.size() || !after.lastModifiedTime().equals(a.lastModifiedTime())) {
            drop(key); // being written: serve it from disk this time
            return null;
        }
        Entry e = new Entry(real, body, HttpFileServer.httpDate(a.lastModifiedTime().toInstant()), type, now);
        loads.increment();
        Entry old = entries.put(key, e);
        bytes.addAndGet(body.length - (old == null ? 0 : old.body.length));
        makeRoom(key);
        return e;
    }

    private void drop(String key) {
        Entry old = entries.remove(key);
        if (old != null) bytes.addAndGet(-old.body.length);
    }

    /** Evicts entries other than {@code keep} until the limits hold (no order: any entry is as good a victim). */
    private void makeRoom(String keep) {
        Iterator<java.util.Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while ((bytes.get() > maxBytes || entries.size() > MAX_ENTRIES) && it.hasNext()) {
            java.util.Map.Entry<String, Entry> victim = it.next();
            if (victim.getKey().equals(keep)) continue;
            if (entries.remove(victim.getKey(), victim.getValue())) {
                bytes.addAndGet(-victim.getValue().body.length);
                evictions.increment();
            }
        }
    }

    /** Requests answered from the cache. */
    long hits() { return hits.sum(); }

    /** Files read into the cache (first use, or again after the validation interval). */
    long loads() { return loads.sum(); }

    /** Entries evicted to keep within the limits. */
    long evictions() { return evictions.sum(); }

    /** Body bytes held now. */
    long bytes() { return bytes.get(); }

    int size() { return entries.size(); }

    long maxBytes() { return maxBytes; }
}
