package org.netstack4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.SocketFactory;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.netstack4j.linux.LinuxNet;
import org.netstack4j.javanet.NetstackSocketFactory;
import org.netstack4j.linux.TunHost;

/**
 * Real client libraries that take a {@link SocketFactory}, unchanged, on netstack4j over a real
 * TUN device, against real servers on the kernel's side in a network namespace this test
 * creates: PostgreSQL's JDBC driver ({@code socketFactory} connection property) creates a table,
 * inserts 10,000 rows and reads them back from a PostgreSQL server; OkHttp downloads 10 MB from
 * nginx (SHA-256 checked). Needs root, /dev/net/tun, ip, PostgreSQL and nginx; skips with the
 * reason otherwise.
 */
class ClientsOverTunTest {
    private static final String KERNEL = "10.219.23.1";
    private static final String US = "10.219.23.2";

    private static String ns;
    private static Path dir;
    private static TunHost host;
    private static final List<Process> servers = new ArrayList<>();

    /** The factory PostgreSQL's driver instantiates by class name: sockets on this test's TUN host. */
    public static final class TunSocketFactory extends SocketFactory {
        private static volatile SocketFactory delegate;

        public TunSocketFactory() {}

        @Override public Socket createSocket() throws IOException { return delegate.createSocket(); }
        @Override public Socket createSocket(String h, int p) throws IOException { return delegate.createSocket(h, p); }
        @Override public Socket createSocket(String h, int p, InetAddress la, int lp) throws IOException { return delegate.createSocket(h, p, la, lp); }
        @Override public Socket createSocket(InetAddress h, int p) throws IOException { return delegate.createSocket(h, p); }
        @Override public Socket createSocket(InetAddress h, int p, InetAddress la, int lp) throws IOException { return delegate.createSocket(h, p, la, lp); }
    }

    @BeforeAll
    static void setUp() throws Exception {
        String why = LinuxNet.whyUnavailable();
        Assumptions.assumeTrue(why == null, "clients over TUN need a real TUN: " + why);
        dir = Files.createTempDirectory("nsj-clients");
        long pid = ProcessHandle.current().pid();
        ns = "nsj-cli-" + pid;
        LinuxNet.netnsAdd(ns);
        LinuxNet.linkUp(ns, "lo");
        host = TunHost.builder("nsjc" + pid % 100000).address(US + "/24").hostAddress(KERNEL + "/24").netns(ns).seed(23).open();
        TunSocketFactory.delegate = NetstackSocketFactory.of(host.net()).withConnectTimeout(10_000);
    }

    @AfterAll
    static void tearDown() throws Exception {
        for (Process p : servers) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
        }
        if (host != null) host.close();
        if (ns != null) LinuxNet.netnsDeleteQuietly(ns);
        if (dir != null) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Starts a server in the namespace, output to {@code log}. */
    private static Process startInNs(Path log, String... cmd) throws IOException {
        List<String> full = new ArrayList<>(List.of(LinuxNet.ipCommand(), "netns", "exec", ns));
        full.addAll(List.of(cmd));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        servers.add(p);
        return p;
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + String.join(" ", cmd));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
    }

    /** The newest PostgreSQL server's bin directory (Debian keeps them under /usr/lib/postgresql/N/bin). */
    private static Path postgresBin() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        Path found = null;
        if (Files.isDirectory(root)) {
            try (Stream<Path> s = Files.list(root)) {
                found = s.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("postgres")))
                        .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0")))).orElse(null);
            }
        }
        Assumptions.assumeTrue(found != null && LinuxNet.findOnPath("runuser") != null,
                "PostgreSQL is not installed: apt-get install postgresql (scripts/install-deps.sh installs it)");
        return found;
    }

    @Test
    void postgresJdbcDriverOverTheTun() throws Exception {
        Path bin = postgresBin();
        Path data = dir.resolve("pg");
        Files.createDirectories(data);
        run("chown", "-R", "postgres:postgres", dir.toString());
        run("chmod", "755", dir.toString());
        run("runuser", "-u", "postgres", "--", bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres",
                "--auth=trust", "-E", "UTF8", "--no-sync");
        Files.writeString(data.resolve("pg_hba.conf"), "host all all " + US + "/32 trust\n", java.nio.file.StandardOpenOption.APPEND);
        Path log = dir.resolve("pg.log");
        Process pg = startInNs(log, "runuser", "-u", "postgres", "--", bin.resolve("postgres").toString(), "-D", data.toString(),
                "-c", "listen_addresses=" + KERNEL, "-c", "port=5432", "-c", "unix_socket_directories=" + data,
                "-c", "fsync=off", "-c", "synchronous_commit=off");

        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("socketFactory", TunSocketFactory.class.getName());
        props.setProperty("connectTimeout", "10");
        props.setProperty("sslmode", "disable");
        String url = "jdbc:postgresql://" + KERNEL + ":5432/postgres";
        Connection c = null;
        SQLException last = null;
        for (int i = 0; i < 60 && c == null; i++) { // the server needs a moment to start listening
            try {
                c = DriverManager.getConnection(url, props);
            } catch (SQLException e) {
                last = e;
                assertTrue(pg.isAlive(), () -> "postgres died: " + read(log));
                Thread.sleep(250);
            }
        }
        SQLException why = last;
        assertNotNull(c, () -> "no connection to PostgreSQL: " + why + "\n" + read(log));
        try (Connection conn = c) {
            try (Statement st = conn.createStatement()) {
                st.execute("CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL, payload bytea NOT NULL)");
            }
            SplittableRandom r = new SplittableRandom(23);
            MessageDigest sent = MessageDigest.getInstance("SHA-256");
            conn.setAutoCommit(false);
            try (PreparedStatement ins = conn.prepareStatement("INSERT INTO items (id, name, payload) VALUES (?, ?, ?)")) {
                for (int i = 0; i < 10_000; i++) {
                    byte[] payload = new byte[r.nextInt(200)];
                    r.nextBytes(payload);
                    ins.setInt(1, i);
                    ins.setString(2, "item-" + i);
                    ins.setBytes(3, payload);
                    ins.addBatch();
                    sent.update(payload);
                    if (i % 1000 == 999) ins.executeBatch();
                }
            }
            conn.commit();
            MessageDigest got = MessageDigest.getInstance("SHA-256");
            int rows = 0;
            try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT id, name, payload FROM items ORDER BY id")) {
                while (rs.next()) {
                    assertEquals(rows, rs.getInt(1));
                    assertEquals("item-" + rows, rs.getString(2));
                    got.update(rs.getBytes(3));
                    rows++;
                }
            }
            assertEquals(10_000, rows);
            assertEquals(HexFormat.of().formatHex(sent.digest()), HexFormat.of().formatHex(got.digest()), "every payload read back intact");
            try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT inet_client_addr()::text")) {
                assertTrue(rs.next());
                assertEquals(US + "/32", rs.getString(1), "the server saw netstack4j's address");
            }
        }
    }

    @Test
    void okHttpDownloadsFromNginxOverTheTun() throws Exception {
        String nginx = LinuxNet.findOnPath("nginx");
        if (nginx == null && Files.isExecutable(Path.of("/usr/sbin/nginx"))) nginx = "/usr/sbin/nginx";
        Assumptions.assumeTrue(nginx != null, "nginx is not installed: apt-get install nginx-light (scripts/install-deps.sh installs it)");
        Path www = Files.createDirectories(dir.resolve("www"));
        byte[] file = new byte[10_000_000];
        new SplittableRandom(10).nextBytes(file);
        Files.write(www.resolve("ten.bin"), file);
        Path prefix = Files.createDirectories(dir.resolve("nginx"));
        Path conf = prefix.resolve("nginx.conf");
        Files.writeString(conf, """
                user root;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log;
                events { worker_connections 64; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/body; proxy_temp_path %1$s/proxy; fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi; scgi_temp_path %1$s/scgi;
                    server { listen %2$s:8081; root %3$s; }
                }
                """.formatted(prefix, KERNEL, www));
        Path log = dir.resolve("nginx.log");
        Process p = startInNs(log, nginx, "-p", prefix.toString(), "-c", conf.toString(), "-g", "daemon off;");
        OkHttpClient client = new OkHttpClient.Builder().socketFactory(NetstackSocketFactory.of(host.net()))
                .connectTimeout(java.time.Duration.ofSeconds(10)).readTimeout(java.time.Duration.ofSeconds(30)).build();
        byte[] body = null;
        IOException last = null;
        for (int i = 0; i < 40 && body == null; i++) { // nginx needs a moment to bind
            try (Response res = client.newCall(new Request.Builder().url("http://" + KERNEL + ":8081/ten.bin").build()).execute()) {
                assertEquals(200, res.code());
                body = res.body().bytes();
            } catch (java.net.ConnectException e) {
                last = e;
                assertTrue(p.isAlive(), () -> "nginx died: " + read(log) + read(prefix.resolve("error.log")));
                Thread.sleep(250);
            }
        }
        IOException why = last;
        assertNotNull(body, () -> "nginx never answered: " + why);
        assertEquals(file.length, body.length);
        assertEquals(sha(file), sha(body), "10 MB intact");
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }

    private static String sha(byte[] b) throws Exception { return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b)); }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }
}
