package dev.jlay.testing;

import dev.jlay.pipeline.FrameFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Locates the shared fixture directories (interop vectors, corpus, scenarios). */
public final class SharedFixtures {
    private SharedFixtures() {}

    /** INTEROP_DIR, default ../shared/interop beside the project root. A missing directory is an error. */
    public static Path interopDir() {
        String env = System.getenv("INTEROP_DIR");
        Path dir = env != null && !env.isBlank() ? Path.of(env) : sharedDir().resolve("interop");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("interop directory does not exist: " + dir.toAbsolutePath()
                    + " (set INTEROP_DIR)");
        }
        return dir;
    }

    /** ../shared beside the project root; tests run with the module directory as working directory. */
    public static Path sharedDir() {
        Path cwd = Path.of("").toAbsolutePath();
        for (Path p = cwd; p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared");
            if (Files.isDirectory(candidate.resolve("interop")) && !p.equals(cwd)) {
                return candidate;
            }
        }
        throw new IllegalStateException("cannot find ../shared from " + cwd);
    }

    public static Path corpusDir() {
        return sharedDir().resolve("corpus");
    }

    /** The frames of one corpus file, e.g. {@code pds0.frames}, read as {@code capture} wrote them. */
    public static List<byte[]> corpusFrames(String file) {
        try {
            return FrameFile.read(corpusDir().resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read corpus " + file, e);
        }
    }

    public static Path scenariosDir() {
        return sharedDir().resolve("relay-scenarios");
    }
}
