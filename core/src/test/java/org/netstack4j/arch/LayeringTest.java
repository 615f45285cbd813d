package org.netstack4j.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.Utf8Entry;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of the core (issue 12, DESIGN.md "the shape"), read from the compiled classes:
 * every reference to one of our classes in a class file's constant pool (class entries,
 * descriptors, generic signatures) counts, so a fully qualified name cannot slip past as an
 * import line would.
 */
class LayeringTest {
    private static final Pattern OURS = Pattern.compile("org/netstack4j/([a-z0-9_]+(?:/[a-z0-9_]+)*)/[A-Z$_a-z][\\w$-]*");

    /**
     * Package cycles that exist today and belong to another change: none. (tcp and tcp.cc no
     * longer import each other since recovery moved to tcp.recovery and CongestionControl shrank;
     * TcpPackageCyclesTest checks the tcp subpackages in detail.)
     */
    private static final Set<Set<String>> KNOWN_CYCLES = Set.of();

    /** package -> packages of ours it refers to (itself excluded). */
    private static Map<String, Set<String>> deps;

    @BeforeAll static void readClasses() throws IOException, URISyntaxException {
        Path root = Path.of(org.netstack4j.wire.IpAddress.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path base = root.resolve("org/netstack4j");
        deps = new TreeMap<>();
        try (Stream<Path> files = Files.walk(base)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String pkg = base.relativize(f.getParent()).toString().replace('/', '.');
                Set<String> out = deps.computeIfAbsent(pkg, k -> new TreeSet<>());
                ClassModel cm = ClassFile.of().parse(readAll(f));
                for (PoolEntry e : cm.constantPool()) {
                    if (!(e instanceof Utf8Entry u)) continue;
                    Matcher m = OURS.matcher(u.stringValue());
                    while (m.find()) {
                        String target = m.group(1).replace('/', '.');
                        if (!target.equals(pkg)) out.add(target);
                    }
                }
            }
        }
        assertTrue(deps.keySet().containsAll(List.of("wire", "ip", "tcp", "tcp.cc", "socket", "runtime")),
                "core packages not found under " + base + ": " + deps.keySet());
        // the reading itself works: what host is known to join
        assertTrue(deps.get("host").containsAll(List.of("ip", "tcp", "wire", "trace")), "host -> " + deps.get("host"));
    }

    private static byte[] readAll(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean refersTo(String from, String to) {
        return deps.getOrDefault(from, Set.of()).stream().anyMatch(d -> d.equals(to) || d.startsWith(to + "."));
    }

    @Test void wireUsesNothingOfOurs() {
        assertEquals(Set.of(), deps.get("wire"), "wire must stay at the bottom");
    }

    @Test void ipAndTcpNeverReferToEachOther() {
        for (String tcp : List.of("tcp", "tcp.cc")) {
            assertTrue(!refersTo("ip", tcp), "ip refers to " + tcp + ": " + deps.get("ip"));
            assertTrue(!refersTo(tcp, "ip"), tcp + " refers to ip: " + deps.get(tcp));
        }
    }

    @Test void onlySocketUsesTheRuntime() {
        List<String> users = new ArrayList<>();
        for (var e : deps.entrySet()) if (!e.getKey().equals("runtime") && e.getValue().contains("runtime")) users.add(e.getKey());
        assertEquals(List.of("socket"), users, "packages that use runtime (the real-time event loop)");
    }

    @Test void noPackageCyclesBeyondTheKnownOne() {
        List<Set<String>> cycles = stronglyConnected();
        for (Set<String> c : cycles)
            assertTrue(KNOWN_CYCLES.contains(c), "package cycle " + c + " (" + edgesWithin(c) + ")");
    }

    private static String edgesWithin(Set<String> c) {
        StringBuilder sb = new StringBuilder();
        for (String a : c) for (String b : deps.get(a)) if (c.contains(b)) sb.append(a).append(" -> ").append(b).append("; ");
        return sb.toString();
    }

    /** Tarjan's algorithm: the components of more than one package. */
    private static List<Set<String>> stronglyConnected() {
        Map<String, Integer> index = new HashMap<>(), low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new java.util.HashSet<>();
        List<Set<String>> out = new ArrayList<>();
        int[] counter = {0};
        for (String v : deps.keySet()) if (!index.containsKey(v)) strong(v, index, low, stack, onStack, out, counter);
        return out;
    }

    private static void strong(String v, Map<String, Integer> index, Map<String, Integer> low, Deque<String> stack,
                               Set<String> onStack, List<Set<String>> out, int[] counter) {
        index.put(v, counter[0]);
        low.put(v, counter[0]++);
        stack.push(v);
        onStack.add(v);
        for (String w : deps.getOrDefault(v, Set.of())) {
            if (!deps.containsKey(w)) continue;
            if (!index.containsKey(w)) {
                strong(w, index, low, stack, onStack, out, counter);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> comp = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                comp.add(w);
            } while (!w.equals(v));
            if (comp.size() > 1) out.add(comp);
        }
    }
}
