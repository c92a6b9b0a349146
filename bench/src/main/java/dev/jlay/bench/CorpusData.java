package dev.jlay.bench;

import dev.jlay.pipeline.FrameFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Loads the recorded firehose corpus (../shared/corpus beside the project, or -Djlay.corpus=DIR). */
public final class CorpusData {
    private CorpusData() {}

    public static Path corpusDir() {
        String prop = System.getProperty("jlay.corpus");
        if (prop != null) {
            return Path.of(prop);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("corpus");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("cannot find shared/corpus; pass -Djlay.corpus=DIR");
    }

    /** Frames of one corpus file, read as the relay's {@code verify} reads a capture. */
    public static List<byte[]> frames(String file) {
        try {
            return FrameFile.read(corpusDir().resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
