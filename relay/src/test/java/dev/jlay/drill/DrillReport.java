package dev.jlay.drill;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a drill measured: its parameters (the load and the fault) and its figures, printed as
 * one line and written to {@code target/drills/NAME.json}, from which docs/reliability.md's
 * rows are taken. Insertion order is kept so the file reads in the order the drill ran.
 */
public final class DrillReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String name;
    private final Map<String, Object> figures = new LinkedHashMap<>();

    public DrillReport(String name) {
        this.name = name;
        figures.put("drill", name);
        figures.put("started", Instant.now().toString());
    }

    /** A drill parameter from {@code -Ddrill.KEY=VALUE} (scripts/drill passes them), or its default. */
    public static long param(String key, long defaultValue) {
        return Long.getLong("drill." + key, defaultValue);
    }

    public static String param(String key, String defaultValue) {
        return System.getProperty("drill." + key, defaultValue);
    }

    public DrillReport put(String key, Object value) {
        figures.put(key, value);
        return this;
    }

    /** Prints the figures and writes them; call once at the end (also when an assertion is about to fail). */
    public Path write() {
        figures.put("finished", Instant.now().toString());
        try {
            Path dir = Files.createDirectories(Path.of("target", "drills"));
            Path file = dir.resolve(name + ".json");
            JSON.writeValue(file.toFile(), figures);
            System.out.println("drill " + name + ": " + JSON.copy().disable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(figures));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
