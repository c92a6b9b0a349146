package dev.jlay.config;

import java.util.Locale;

/**
 * One configuration key: its YAML path (dots between levels, kebab-case words),
 * default and meaning. The environment variable that overrides it is
 * {@code RELAY_} + the path upper-cased with every '.' and '-' turned into '_'
 * ({@code eventlog.retention-hours} → {@code RELAY_EVENTLOG_RETENTION_HOURS}).
 */
public record ConfigKey(String path, Type type, String defaultValue, String description) {

    /** How a value is parsed and checked. */
    public enum Type { INT, PORT, LONG, BYTES, BOOL, STRING, URL }

    public String envName() {
        return envName(path);
    }

    public static String envName(String path) {
        return "RELAY_" + path.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
