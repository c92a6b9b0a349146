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
    private static final Pattern STACK = Pattern.compile("^\\s+\\(stack: reserved=\\d+, committed=(\\d+)");
    private static final String THREAD = "Thread";
    private static final String THREAD_STACK = "Thread Stack";
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
        long stacks = 0;
        String category = null;
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
                category = m.group(1).trim();
                committed.put(category, Long.parseLong(m.group(3)));
            } else if (THREAD.equals(category) && (m = STACK.matcher(line)).find()) {
                stacks = Long.parseLong(m.group(1));
            }
        }
        return new Summary(!text.contains("not enabled") && !committed.isEmpty(), malloc, Map.copyOf(committed),
                stacks);
    }

    /**
     * Committed bytes per NMT category, and the JVM's own malloc total (it lives inside glibc's arenas).
     * The summary counts thread stacks into "Thread"; {@code threadStackBytes} is that part.
     */
    public record Summary(boolean enabled, long mallocBytes, Map<String, Long> committedByCategory,
                          long threadStackBytes) {
        /**
         * The categories as JFR's {@code jdk.NativeMemoryUsage} reports them: there "Thread Stack"
         * is a category of its own and "Thread" is the rest, so a gauge seeded from the summary
         * does not jump when the first event arrives.
         */
        public Map<String, Long> committedByJfrType() {
            var out = new LinkedHashMap<>(committedByCategory);
            Long thread = out.get(THREAD);
            if (thread != null && threadStackBytes > 0) {
                out.put(THREAD, Math.max(0, thread - threadStackBytes));
                out.put(THREAD_STACK, threadStackBytes);
            }
            return out;
        }

        /** Metric label form of a category name: "Java Heap" becomes java_heap. */
        public static String label(String category) {
            return category.toLowerCase().replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
        }
    }
}
