package org.netstack4j.apps.ftp;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FtpServerSessionTest {
    @TempDir Path tmp;
    Path root;
    FtpServerSession s;

    @BeforeEach void setUp() throws Exception {
        root = Files.createDirectories(tmp.resolve("root"));
        Files.writeString(root.resolve("hello.txt"), "hello\n");
        Files.createDirectories(root.resolve("pub/deep"));
        Files.write(root.resolve("pub/data.bin"), new byte[1000]);
        Files.writeString(tmp.resolve("secret"), "outside");
        Files.createSymbolicLink(root.resolve("escape"), tmp.resolve("secret"));
        Files.createSymbolicLink(root.resolve("inside"), root.resolve("hello.txt"));
        s = new FtpServerSession(root, FtpServerSession.Config.ANONYMOUS, "10.7.0.1");
        assertTrue(s.takeOutput().startsWith("220 "));
    }

    String cmd(String line) {
        Object r = s.command(line);
        assertNull(r instanceof FtpServerSession.DataRequest ? null : r, "no data request expected for " + line);
        return s.takeOutput();
    }

    void login() {
        assertTrue(cmd("USER anonymous").startsWith("331"));
        assertTrue(cmd("PASS guest@").startsWith("230"));
    }

    @Test void nothingWithoutLogin() {
        assertTrue(cmd("PWD").startsWith("530"));
        assertTrue(cmd("SYST").startsWith("215"), "SYST is allowed before login");
        login();
        assertEquals("257 \"/\" is the current directory\r\n", cmd("PWD"));
    }

    @Test void accountsWithPasswords() throws Exception {
        s = new FtpServerSession(root, new FtpServerSession.Config(Map.of("alice", "s3cret"), false, 20, 1024), "10.7.0.1");
        s.takeOutput();
        assertTrue(cmd("USER anonymous").startsWith("530"));
        cmd("USER alice");
        assertTrue(cmd("PASS wrong").startsWith("530"));
        cmd("USER alice");
        assertTrue(cmd("PASS s3cret").startsWith("230"));
    }

    @Test void noPathLeavesTheRoot() {
        login();
        assertEquals(root.toAbsolutePath().toString().length() > 0, true);
        assertNull(s.resolve("../secret"));
        assertEquals(root.resolve("hello.txt").toString(), s.resolve("/../../hello.txt").toString(), ".. at the root stays at the root");
        assertNull(s.resolve("escape"), "a link out of the root");
        assertEquals(root.resolve("hello.txt").toString(), s.resolve("inside").toString(), "a link inside is fine");
        assertNull(s.resolve("hello.txt\0.png"));
        assertTrue(cmd("CWD ../..").startsWith("250"));
        assertEquals("257 \"/\" is the current directory\r\n", cmd("PWD"));
        assertTrue(cmd("CWD pub/deep").startsWith("250"));
        assertEquals("257 \"/pub/deep\" is the current directory\r\n", cmd("PWD"));
        assertTrue(cmd("CDUP").startsWith("250"));
        assertTrue(cmd("SIZE data.bin").startsWith("213 1000"));
        assertTrue(cmd("SIZE ../escape").startsWith("550"));
        assertTrue(cmd("CWD /escape").startsWith("550"));
    }

    @Test void passiveRetrieveWithRestart() {
        login();
        cmd("TYPE I");
        assertEquals("EPSV", s.command("EPSV"));
        s.passiveReady(true, "10.7.0.2", 50000);
        assertEquals("229 Entering Extended Passive Mode (|||50000|)\r\n", s.takeOutput());
        assertTrue(cmd("REST 2").startsWith("350"));
        var r = assertInstanceOf(FtpServerSession.DataRequest.class, s.command("RETR hello.txt"));
        assertTrue(r.passive());
        assertEquals(2, r.offset());
        assertFalse(r.ascii());
        assertEquals(root.resolve("hello.txt"), r.file());
        assertTrue(s.takeOutput().startsWith("150 Opening BINARY mode data connection for hello.txt (6 bytes)"));
        assertTrue(cmd("PWD").startsWith("425"), "commands wait while the transfer runs");
        s.dataFinished(null);
        assertEquals("226 Transfer complete\r\n", s.takeOutput());
        assertTrue(cmd("RETR hello.txt").startsWith("425"), "each transfer needs its own PASV or PORT");
    }

    @Test void activeModeOnlyToTheClientItself() {
        login();
        assertTrue(cmd("PORT 10,7,0,1,195,80").startsWith("200"));
        var r = assertInstanceOf(FtpServerSession.DataRequest.class, s.command("NLST"));
        assertFalse(r.passive());
        assertEquals("10.7.0.1", r.activeHost());
        assertEquals(50000, r.activePort());
        assertEquals("escape\r\n", "escape\r\n");
        String names = new String(r.listing(), StandardCharsets.UTF_8);
        assertEquals("hello.txt\r\ninside\r\npub\r\n", names, "the link out of the root is not listed");
        s.takeOutput();
        s.dataFinished("connect refused");
        assertTrue(s.takeOutput().startsWith("425"));
        assertTrue(cmd("PORT 192,0,2,1,195,80").startsWith("500"), "FTP bounce: a third host");
        assertTrue(cmd("PORT 10,7,0,1,0,21").startsWith("500"), "a privileged port");
        assertTrue(cmd("EPRT |2|::1|5000|").startsWith("500"));
        assertTrue(cmd("EPRT |1|10.7.0.1|5000|").startsWith("200"));
        assertTrue(cmd("EPRT |3|x|5000|").startsWith("522"));
    }

    @Test void listingsAndFacts() {
        login();
        s.command("PASV");
        s.passiveReady(false, "10.7.0.2", 0x1234);
        assertEquals("227 Entering Passive Mode (10,7,0,2,18,52)\r\n", s.takeOutput());
        var r = assertInstanceOf(FtpServerSession.DataRequest.class, s.command("MLSD pub"));
        String mlsd = new String(r.listing(), StandardCharsets.UTF_8);
        assertTrue(mlsd.contains("type=file;size=1000;modify=") && mlsd.contains("; data.bin\r\n"), mlsd);
        assertTrue(mlsd.contains("type=dir;"), mlsd);
        s.dataFinished(null);
        s.takeOutput();
        assertTrue(cmd("MDTM hello.txt").matches("213 \\d{14}\r\n"));
        assertTrue(cmd("FEAT").contains(" EPSV\r\n"));
    }

    @Test void writesAreRefusedAndErrorsAreBounded() {
        login();
        assertTrue(cmd("STOR x").startsWith("502"));
        assertTrue(cmd("DELE hello.txt").startsWith("502"));
        for (int i = 0; i < 30 && !s.closed(); i++) cmd("BOGUS " + i);
        assertTrue(s.closed());
        assertTrue(cmd("X" .repeat(2000)).isEmpty(), "nothing after closing");
    }
}
