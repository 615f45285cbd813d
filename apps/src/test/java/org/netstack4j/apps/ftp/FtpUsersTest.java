package org.netstack4j.apps.ftp;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The FTP password file: its format, PBKDF2 as Python computes it, and logins with it. */
class FtpUsersTest {
    @TempDir Path tmp;

    @Test void aLineMadeHereVerifiesTheRightPasswordOnly() throws Exception {
        Map<String, String> a = FtpUsers.parse("# team\n\n" + FtpUsers.line("alice", "s\u00e9cret", FtpUsers.MIN_ITERATIONS) + "\n");
        assertEquals(1, a.size());
        assertTrue(a.get("alice").startsWith("pbkdf2-sha256:10000:"), a.toString());
        assertTrue(FtpUsers.matches(a.get("alice"), "s\u00e9cret"));
        assertFalse(FtpUsers.matches(a.get("alice"), "secret"));
        assertFalse(FtpUsers.matches(a.get("alice"), ""));
        assertNotEquals(FtpUsers.line("a", "p", FtpUsers.MIN_ITERATIONS), FtpUsers.line("a", "p", FtpUsers.MIN_ITERATIONS), "a fresh salt each time");
    }

    @Test void aLineMadeByPythonsHashlibVerifies() throws Exception {
        Path py = Path.of("/usr/bin/python3");
        Assumptions.assumeTrue(Files.isExecutable(py), "no /usr/bin/python3");
        // The one-liner the README and FtpUsers give, with a non-ASCII password (UTF-8 on both sides).
        Process p = new ProcessBuilder(py.toString(), "-c", """
                import hashlib,os,base64,sys; s=os.urandom(16); n=20000
                print("%s:pbkdf2-sha256:%d:%s:%s" % (sys.argv[1], n, base64.b64encode(s).decode(),
                  base64.b64encode(hashlib.pbkdf2_hmac("sha256", sys.argv[2].encode(), s, n)).decode()))""", "bob", "p\u00e4ss w\u00f6rd")
                .redirectErrorStream(true).start();
        String line = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), line);
        Map<String, String> a = FtpUsers.parse(line + "\n");
        assertTrue(FtpUsers.matches(a.get("bob"), "p\u00e4ss w\u00f6rd"), line);
        assertFalse(FtpUsers.matches(a.get("bob"), "pass word"));
    }

    @Test void badFilesAreRefusedWithTheLine() {
        String good = FtpUsers.line("alice", "x", FtpUsers.MIN_ITERATIONS);
        String[][] cases = {
            {"alice:x", "line 1: expected USER:pbkdf2-sha256:ITERATIONS:SALT:HASH"},
            {"\nalice:md5:10000:AAAAAAAAAAA=:" + "A".repeat(44), "line 2: unknown scheme 'md5'"},
            {"alice:pbkdf2-sha256:ten:AAAAAAAAAAA=:" + "A".repeat(44), "ITERATIONS is not a number"},
            {"alice:pbkdf2-sha256:9999:AAAAAAAAAAA=:" + "A".repeat(44), "ITERATIONS must be from 10000"},
            {"alice:pbkdf2-sha256:10000:AAAA:" + "A".repeat(44), "the salt must have at least 8 bytes"},
            {"alice:pbkdf2-sha256:10000:AAAAAAAAAAA=:AAAA", "the hash must have 32 bytes"},
            {"alice:pbkdf2-sha256:10000:!!:" + "A".repeat(44), "base64"},
            {"anonymous:pbkdf2-sha256:10000:AAAAAAAAAAA=:" + "A".repeat(44), "is the anonymous login"},
            {"a b:pbkdf2-sha256:10000:AAAAAAAAAAA=:" + "A".repeat(44), "printable ASCII without spaces"},
            {good + "\n" + good, "line 2: user alice appears twice"},
        };
        for (String[] c : cases) {
            FtpUsers.FormatException e = assertThrows(FtpUsers.FormatException.class, () -> FtpUsers.parse(c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage() + " should say " + c[1]);
        }
        assertFalse(FtpUsers.matches("pbkdf2-sha256:5:AAAAAAAAAAA=:" + "A".repeat(44), "x"), "too few iterations never match");
    }

    @Test void theServerLogsInAccountsAndRefusesAnonymousWhenOff() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Map<String, String> accounts = FtpUsers.parse(FtpUsers.line("alice", "right", FtpUsers.MIN_ITERATIONS));
        FtpServerSession s = new FtpServerSession(root, new FtpServerSession.Config(accounts, false, 3, 1024), "10.7.0.1");
        s.takeOutput();
        s.command("USER anonymous");
        assertTrue(s.takeOutput().startsWith("530 Anonymous access is off"));
        s.command("USER alice");
        assertTrue(s.takeOutput().startsWith("331 "));
        s.command("PASS wrong");
        assertTrue(s.takeOutput().startsWith("530 Login incorrect"));
        s.command("USER alice");
        s.takeOutput();
        s.command("PASS right");
        assertTrue(s.takeOutput().startsWith("230 Logged in"), "the PBKDF2 account logs in");
        assertFalse(s.tooManyErrors());
        s.command("RETR ../../etc/passwd");
        assertTrue(s.takeOutput().startsWith("550"));
        assertTrue(s.closed() && s.tooManyErrors(), "the third error ends the session");
    }
}
