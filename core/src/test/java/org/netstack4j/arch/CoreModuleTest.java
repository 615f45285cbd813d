package org.netstack4j.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.Utf8Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The core as a library (issue 19): no class refers to java.lang.foreign (so it runs where FFM
 * does not, e.g. over a VpnService's FileDescriptor), and its module-info exports exactly the API
 * packages, with the TCP engine's own parts left out.
 */
class CoreModuleTest {
    private static Path classes() throws Exception {
        return Path.of(org.netstack4j.wire.IpAddress.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test void noClassOfTheCoreUsesJavaLangForeign() throws Exception {
        List<String> users = new ArrayList<>();
        int read = 0;
        try (Stream<Path> files = Files.walk(classes())) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                read++;
                ClassModel cm = ClassFile.of().parse(Files.readAllBytes(f));
                for (PoolEntry e : cm.constantPool())
                    if (e instanceof Utf8Entry u && u.stringValue().contains("java/lang/foreign/")) {
                        users.add(cm.thisClass().asInternalName() + " -> " + u.stringValue());
                        break;
                    }
            }
        }
        assertTrue(read > 100, "read only " + read + " class files under " + classes());
        assertEquals(List.of(), users, "core must stay free of java.lang.foreign (the linux module holds the FFM code)");
    }

    @Test void moduleInfoExportsTheApiPackagesOnly() throws Exception {
        ClassModel mi = ClassFile.of().parse(Files.readAllBytes(classes().resolve("module-info.class")));
        var module = mi.findAttribute(Attributes.module()).orElseThrow();
        assertEquals("org.netstack4j.core", module.moduleName().name().stringValue());
        Set<String> open = new TreeSet<>(), qualified = new TreeSet<>();
        for (var e : module.exports()) {
            String pkg = e.exportedPackage().name().stringValue().replace('/', '.');
            if (e.exportsTo().isEmpty()) open.add(pkg);
            else qualified.add(pkg + " to " + e.exportsTo().stream().map(m -> m.name().stringValue()).toList());
        }
        assertEquals(new TreeSet<>(List.of("org.netstack4j.device", "org.netstack4j.filter", "org.netstack4j.host",
                "org.netstack4j.ip", "org.netstack4j.path", "org.netstack4j.runtime", "org.netstack4j.sim", "org.netstack4j.socket", "org.netstack4j.tcp",
                "org.netstack4j.tcp.cc", "org.netstack4j.time", "org.netstack4j.trace", "org.netstack4j.wire")), open);
        assertEquals(Set.of("org.netstack4j.device.offload to [org.netstack4j.linux]"), qualified);
        assertTrue(module.requires().stream().allMatch(r -> r.requires().name().stringValue().equals("java.base")),
                "core requires java.base only");
        assertEquals(17 + 44, mi.majorVersion(), "module-info.class is a Java 17 class file (parent pom, module-descriptor)");
    }
}
