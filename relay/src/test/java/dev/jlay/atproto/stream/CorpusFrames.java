package dev.jlay.atproto.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlay.testing.SharedFixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** The recorded firehose corpus: each frame with its golden decoded values from frames.jsonl. */
public final class CorpusFrames {
    public static final List<String> FILES = List.of("pds0.frames", "pds1.frames");

    public record Frame(String file, int index, byte[] bytes, JsonNode golden) {
        public String name() {
            return file + "#" + index + " " + golden.path("t").asText("op" + golden.path("op").asInt());
        }
    }

    private CorpusFrames() {}

    /** Every frame of both files, in frames.jsonl order, with its golden line. */
    public static List<Frame> all() {
        try {
            var mapper = new ObjectMapper();
            var lines = Files.readAllLines(SharedFixtures.corpusDir().resolve("frames.jsonl"));
            var out = new ArrayList<Frame>();
            int line = 0;
            for (String file : FILES) {
                List<byte[]> frames = SharedFixtures.corpusFrames(file);
                for (int i = 0; i < frames.size(); i++) {
                    JsonNode golden = mapper.readTree(lines.get(line++));
                    if (!golden.get("file").asText().equals(file) || golden.get("index").asInt() != i) {
                        throw new IllegalStateException("frames.jsonl out of step at " + file + "#" + i);
                    }
                    out.add(new Frame(file, i, frames.get(i), golden));
                }
            }
            if (line != lines.size()) {
                throw new IllegalStateException("frames.jsonl has more lines than frames");
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
