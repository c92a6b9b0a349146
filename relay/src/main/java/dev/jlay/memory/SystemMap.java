package dev.jlay.memory;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Resident bytes per kind of mapping, from the System.map diagnostic command: every
 * mapping of the process with its RSS and, with NMT on, the JVM subsystem that owns it
 * (JAVAHEAP, CLASS, META, CODE, GC, STACK, ...). This is resident memory, not committed
 * memory, so it adds up to RSS.
 */
public record SystemMap(Map<String, Long> residentByTag, long anonymousUntagged, long fileUntagged) {
    private static final Pattern WS = Pattern.compile("\\s+");

    public long resident(String... tags) {
        long sum = 0;
        for (String t : tags) {
            sum += residentByTag.getOrDefault(t, 0L);
        }
        return sum;
    }

    public long taggedTotal() {
        return residentByTag.values().stream().mapToLong(Long::longValue).sum();
    }

    static SystemMap parse(String text) {
        var byTag = new HashMap<String, Long>();
        long anon = 0;
        long file = 0;
        for (String line : text.split("\n")) {
            if (!line.startsWith("0x")) {
                continue;
            }
            // from-to vsize prot rss hugetlb pgsz notes info file
            String[] f = WS.split(line.trim());
            if (f.length < 9) {
                continue;
            }
            long rss = Long.parseLong(f[3]);
            if (rss == 0) {
                continue;
            }
            String info = f[7];
            String path = f[8];
            if (!info.equals("-")) {
                int dash = info.indexOf('-');
                byTag.merge(dash > 0 ? info.substring(0, dash) : info, rss, Long::sum);
            } else if (path.equals("-") || path.equals("[heap]") || path.startsWith("[anon")) {
                anon += rss;
            } else {
                file += rss;
            }
        }
        return new SystemMap(Map.copyOf(byTag), anon, file);
    }

    public static SystemMap read(DiagnosticCommands commands) {
        return parse(commands.run("systemMap", ""));
    }
}
