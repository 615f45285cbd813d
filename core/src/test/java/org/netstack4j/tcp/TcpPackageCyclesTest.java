package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering of the TCP packages, read from the compiled classes (every class a class refers
 * to is in its constant pool): tcp uses tcp.recovery, which uses tcp.cc, and all of them
 * tcp.seqnum, never the other way round, so no two of them depend on each other.
 */
class TcpPackageCyclesTest {
    static final String BASE = "org.netstack4j.";

    /** Package -> the org.netstack4j packages its classes refer to (itself excluded). */
    static Map<String, Set<String>> dependencies() throws IOException, URISyntaxException {
        Path root = Path.of(TcpConnection.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(Files.isDirectory(root), "compiled classes in a directory: " + root);
        Map<String, Set<String>> deps = new TreeMap<>();
        List<Path> classes;
        try (Stream<Path> s = Files.walk(root.resolve("org/netstack4j"))) {
            classes = s.filter(p -> p.toString().endsWith(".class")).toList();
        }
        for (Path p : classes) {
            var model = ClassFile.of().parse(Files.readAllBytes(p));
            String pkg = packageOf(model.thisClass().asInternalName());
            Set<String> out = deps.computeIfAbsent(pkg, k -> new TreeSet<>());
            for (PoolEntry e : model.constantPool()) {
                if (!(e instanceof ClassEntry c)) continue;
                String name = c.asInternalName();
                while (name.startsWith("[")) name = name.substring(1);
                if (name.startsWith("L")) name = name.substring(1);
                if (!name.startsWith("org/netstack4j/")) continue;
                String to = packageOf(name);
                if (!to.equals(pkg)) out.add(to);
            }
        }
        return deps;
    }

    static String packageOf(String internalName) {
        return internalName.substring(0, internalName.lastIndexOf('/')).replace('/', '.');
    }

    @Test void noCyclesAmongTheTcpPackages() throws Exception {
        Map<String, Set<String>> deps = dependencies();
        List<String> tcp = List.of(BASE + "tcp", BASE + "tcp.cc", BASE + "tcp.recovery", BASE + "tcp.seqnum");
        for (String p : tcp) assertTrue(deps.containsKey(p), "package " + p + " exists");
        List<String> cycles = new ArrayList<>();
        for (String a : tcp)
            for (String b : tcp)
                if (a.compareTo(b) < 0 && reaches(deps, a, b, tcp) && reaches(deps, b, a, tcp)) cycles.add(a + " <-> " + b);
        assertEquals(List.of(), cycles, "package cycles: " + deps);
    }

    @Test void eachTcpPackageUsesOnlyTheOnesBelowIt() throws Exception {
        Map<String, Set<String>> deps = dependencies();
        assertFalse(deps.get(BASE + "tcp.cc").contains(BASE + "tcp"), "tcp.cc -> tcp: " + deps.get(BASE + "tcp.cc"));
        assertFalse(deps.get(BASE + "tcp.cc").contains(BASE + "tcp.recovery"), "tcp.cc -> tcp.recovery");
        assertFalse(deps.get(BASE + "tcp.recovery").contains(BASE + "tcp"), "tcp.recovery -> tcp: " + deps.get(BASE + "tcp.recovery"));
        for (String p : List.of("tcp", "tcp.cc", "tcp.recovery"))
            assertFalse(deps.get(BASE + "tcp.seqnum").contains(BASE + p), "tcp.seqnum -> " + p);
        assertTrue(deps.get(BASE + "tcp").contains(BASE + "tcp.recovery"), "the connection drives its loss recovery");
    }

    /** Whether {@code from} reaches {@code to} through packages of {@code within}. */
    static boolean reaches(Map<String, Set<String>> deps, String from, String to, List<String> within) {
        Set<String> seen = new TreeSet<>();
        List<String> todo = new ArrayList<>(List.of(from));
        while (!todo.isEmpty()) {
            String p = todo.removeLast();
            if (!seen.add(p)) continue;
            for (String q : deps.getOrDefault(p, Set.of())) {
                if (q.equals(to)) return true;
                if (within.contains(q)) todo.add(q);
            }
        }
        return false;
    }
}
