package dev.jlay.memory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Native Memory Tracking through the VM.native_memory diagnostic command. When the
 * JVM runs without -XX:NativeMemoryTracking, {@link #enabled()} is false and the
 * reports say so instead of failing.
 */
public final class NativeMemoryTracking {
    public static final String DISABLED_MESSAGE =
            "Native Memory Tracking is off: start the JVM with -XX:NativeMemoryTracking=summary";
    private static final Pattern CATEGORY =
            Pattern.compile("^-\\s+(.+?) \\(reserved=(\\d+), committed=(\\d+)");
    private static final Pattern TOTAL_MALLOC = Pattern.compile("^\\s+malloc: (\\d+) #");

    private final DiagnosticCommands commands;

    public NativeMemoryTracking(DiagnosticCommands commands) {
        this.commands = commands;
    }

    public boolean enabled() {
        return !commands.run("vmNativeMemory", "summary scale=b").contains("not enabled");
    }

    /** The summary as the JVM prints it (bytes), or {@link #DISABLED_MESSAGE}. */
    public String summaryText() {
        return orDisabled(commands.run("vmNativeMemory", "summary scale=b"));
    }

    public String baseline() {
        return orDisabled(commands.run("vmNativeMemory", "baseline"));
    }

    public String diffText() {
        return orDisabled(commands.run("vmNativeMemory", "summary.diff scale=b"));
    }

    /** Parsed summary; empty categories when NMT is off. */
    public Summary summary() {
        return parse(commands.run("vmNativeMemory", "summary scale=b"));
    }

    private static String orDisabled(String out) {
        return out.contains("not enabled") ? DISABLED_MESSAGE : out;
    }

    static Summary parse(String text) {
        var committed = new LinkedHashMap<String, Long>();
        long malloc = 0;
        boolean inTotal = false;
        for (String line : text.split("\n")) {
            if (line.startsWith("Total:")) {
                inTotal = true;
                continue;
            }
            if (inTotal) {
                Matcher m = TOTAL_MALLOC.matcher(line);
                if (m.find()) {
                    malloc = Long.parseLong(m.group(1));
                    inTotal = false;
                }
            }
            Matcher m = CATEGORY.matcher(line);
            if (m.find()) {
                committed.put(m.group(1).trim(), Long.parseLong(m.group(3)));
            }
        }
        return new Summary(!text.contains("not enabled") && !committed.isEmpty(), malloc, Map.copyOf(committed));
    }

    /** Committed bytes per NMT category, and the JVM's own malloc total (it lives inside glibc's arenas). */
    public record Summary(boolean enabled, long mallocBytes, Map<String, Long> committedByCategory) {
        /** Metric label form of a category name: "Java Heap" becomes java_heap. */
        public static String label(String category) {
            return category.toLowerCase().replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
        }
    }
}
