package org.netstack4j.apps.ftp;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The FTP server's password file: one account a line, {@code USER:pbkdf2-sha256:ITERATIONS:SALT:HASH}
 * with SALT and HASH in base64 (HASH is PBKDF2-HMAC-SHA256 of the UTF-8 password, 32 bytes; at
 * least 10,000 iterations). Blank lines and lines starting with {@code #} are ignored. The same
 * derivation as Python's {@code hashlib.pbkdf2_hmac('sha256', password, salt, iterations)}, so a
 * line can be made with:
 *
 * <pre>{@code
 * python3 -c 'import hashlib,os,base64,sys; s=os.urandom(16); n=200000
 * print("%s:pbkdf2-sha256:%d:%s:%s" % (sys.argv[1], n, base64.b64encode(s).decode(),
 *   base64.b64encode(hashlib.pbkdf2_hmac("sha256", sys.argv[2].encode(), s, n)).decode()))' alice 'secret'
 * }</pre>
 *
 * or with {@link #line}. The parsed map goes into {@link FtpServerSession.Config#accounts()}.
 */
public final class FtpUsers {
    static final String SCHEME = "pbkdf2-sha256";
    public static final int MIN_ITERATIONS = 10_000;
    public static final int DEFAULT_ITERATIONS = 200_000;
    private static final int MAX_ITERATIONS = 10_000_000;

    private FtpUsers() {}

    /** A bad password file: the message names the line. */
    public static final class FormatException extends Exception {
        public FormatException(String message) { super(message); }
    }

    /**
     * Parses a password file: user name to its stored form ({@code pbkdf2-sha256:N:SALT:HASH}),
     * in file order.
     */
    public static Map<String, String> parse(String text) throws FormatException {
        Map<String, String> accounts = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String where = "line " + (i + 1) + ": ";
            String[] f = line.split(":", -1);
            if (f.length != 5) throw new FormatException(where + "expected USER:pbkdf2-sha256:ITERATIONS:SALT:HASH");
            String user = f[0];
            if (user.isEmpty() || !user.chars().allMatch(c -> c > ' ' && c < 0x7f))
                throw new FormatException(where + "the user name must be printable ASCII without spaces");
            if (user.equalsIgnoreCase("anonymous") || user.equalsIgnoreCase("ftp"))
                throw new FormatException(where + "'" + user + "' is the anonymous login, not an account");
            if (!f[1].equals(SCHEME)) throw new FormatException(where + "unknown scheme '" + f[1] + "' (only " + SCHEME + ")");
            long n;
            try {
                n = Long.parseLong(f[2]);
            } catch (NumberFormatException e) {
                throw new FormatException(where + "ITERATIONS is not a number");
            }
            if (n < MIN_ITERATIONS || n > MAX_ITERATIONS)
                throw new FormatException(where + "ITERATIONS must be from " + MIN_ITERATIONS + " to " + MAX_ITERATIONS);
            byte[] salt, hash;
            try {
                salt = Base64.getDecoder().decode(f[3]);
                hash = Base64.getDecoder().decode(f[4]);
            } catch (IllegalArgumentException e) {
                throw new FormatException(where + "SALT and HASH must be base64");
            }
            if (salt.length < 8) throw new FormatException(where + "the salt must have at least 8 bytes");
            if (hash.length != 32) throw new FormatException(where + "the hash must have 32 bytes (PBKDF2-HMAC-SHA256)");
            if (accounts.putIfAbsent(user, String.join(":", f[1], f[2], f[3], f[4])) != null)
                throw new FormatException(where + "user " + user + " appears twice");
        }
        return accounts;
    }

    /** A password file line for {@code user} with a fresh random salt. */
    public static String line(String user, String password, int iterations) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder();
        return user + ":" + SCHEME + ":" + iterations + ":" + b64.encodeToString(salt) + ":"
                + b64.encodeToString(derive(password, salt, iterations));
    }

    /**
     * Whether {@code password} matches {@code stored}: a PBKDF2 form as {@link #parse} returns,
     * or else a plain password (accounts given in code), compared in constant time.
     */
    public static boolean matches(String stored, String password) {
        if (!stored.startsWith(SCHEME + ":")) {
            return MessageDigest.isEqual(stored.getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8));
        }
        String[] f = stored.split(":", -1);
        if (f.length != 4) return false;
        try {
            int n = Integer.parseInt(f[1]);
            if (n < MIN_ITERATIONS || n > MAX_ITERATIONS) return false;
            byte[] salt = Base64.getDecoder().decode(f[2]);
            return MessageDigest.isEqual(Base64.getDecoder().decode(f[3]), derive(password, salt, n));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] derive(String password, byte[] salt, int iterations) {
        // PBEKeySpec takes chars; the JDK's PBKDF2WithHmacSHA256 encodes them as UTF-8, as hashlib does with .encode().
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from this JDK", e);
        } finally {
            spec.clearPassword();
        }
    }
}
