package dev.jlay.api;

import dev.jlay.config.RelayConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The admin bearer token: RELAY_ADMIN_TOKEN when set; otherwise the one stored
 * in {@code <data dir>/admin-token}; otherwise a new random one, stored there
 * (mode 600) and printed once.
 */
public final class AdminToken {
    static final String FILE = "admin-token";

    private AdminToken() {
    }

    public static String resolve(RelayConfig config, PrintStream out) {
        var configured = config.adminToken();
        if (configured.isPresent()) {
            return configured.get();
        }
        var file = config.dataDir().resolve(FILE);
        try {
            if (Files.isRegularFile(file)) {
                var stored = Files.readString(file, StandardCharsets.US_ASCII).trim();
                if (!stored.isEmpty()) {
                    return stored;
                }
            }
            var bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
            var token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            Files.createDirectories(config.dataDir());
            write(file, token);
            out.println("jlay: generated admin token (stored in " + file + "; set RELAY_ADMIN_TOKEN to choose one):");
            out.println("jlay: admin token: " + token);
            return token;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read or store the admin token at " + file + ": " + e, e);
        }
    }

    private static void write(Path file, String token) throws IOException {
        var tmp = file.resolveSibling(FILE + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(
                    Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE)));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, token + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Constant-time comparison of a presented token. */
    public static boolean matches(String expected, String presented) {
        if (presented == null) {
            return false;
        }
        return java.security.MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                presented.getBytes(StandardCharsets.UTF_8));
    }
}
