package dev.jlay.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every glibc arena from malloc_info's XML: bytes obtained from the system, bytes in
 * free chunks (free but not returned), and bytes in use; plus large allocations served
 * by mmap directly, which belong to no arena.
 */
public record MallocStats(List<ArenaStats> arenas, long mmapBytes, long mmapCount) {
    private static final Pattern HEAP = Pattern.compile("<heap nr=\"(\\d+)\">");
    private static final Pattern TOTAL = Pattern.compile("<total type=\"(\\w+)\" count=\"(\\d+)\" size=\"(\\d+)\"/>");
    private static final Pattern SYSTEM = Pattern.compile("<system type=\"current\" size=\"(\\d+)\"/>");

    public record ArenaStats(int number, long systemBytes, long freeBytes) {
        public long inUseBytes() {
            return Math.max(0, systemBytes - freeBytes);
        }
    }

    public long systemBytes() {
        return arenas.stream().mapToLong(ArenaStats::systemBytes).sum() + mmapBytes;
    }

    public long freeBytes() {
        return arenas.stream().mapToLong(ArenaStats::freeBytes).sum();
    }

    public long inUseBytes() {
        return arenas.stream().mapToLong(ArenaStats::inUseBytes).sum() + mmapBytes;
    }

    static MallocStats parse(String xml) {
        var arenas = new ArrayList<ArenaStats>();
        long mmapBytes = 0;
        long mmapCount = 0;
        int current = -1;
        long free = 0;
        long system = 0;
        for (String raw : xml.split("\n")) {
            String line = raw.trim();
            Matcher heap = HEAP.matcher(line);
            if (heap.find()) {
                current = Integer.parseInt(heap.group(1));
                free = 0;
                system = 0;
                continue;
            }
            if (line.startsWith("</heap>")) {
                arenas.add(new ArenaStats(current, system, free));
                current = -1;
                continue;
            }
            Matcher total = TOTAL.matcher(line);
            if (total.find()) {
                String type = total.group(1);
                long size = Long.parseLong(total.group(3));
                if (current >= 0 && (type.equals("fast") || type.equals("rest"))) {
                    free += size;
                } else if (current < 0 && type.equals("mmap")) {
                    mmapCount = Long.parseLong(total.group(2));
                    mmapBytes = size;
                }
                continue;
            }
            Matcher sys = SYSTEM.matcher(line);
            if (sys.find() && current >= 0) {
                system = Long.parseLong(sys.group(1));
            }
        }
        return new MallocStats(List.copyOf(arenas), mmapBytes, mmapCount);
    }
}
