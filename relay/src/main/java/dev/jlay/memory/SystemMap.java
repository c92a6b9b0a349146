package dev.jlay.memory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Resident bytes per kind of mapping, from the System.map diagnostic command: every
 * mapping of the process with its RSS and, with NMT on, the JVM subsystem that owns it
 * (JAVAHEAP, CLASS, META, CODE, GC, STACK, ...). This is resident memory, not committed
 * memory, so it adds up to RSS.
 *
 * <p>Among the untagged anonymous mappings it also picks out glibc's arenas by their shape,
 * so that memory malloc holds can be told from other anonymous memory: the main arena is
 * {@code [heap]} (brk), and every other arena is made of heaps that glibc reserves as
 * {@value #ARENA_HEAP_BYTES}-byte regions aligned to their size, read-write from the start
 * for as far as the heap has grown and {@code ---p} for the rest.
 *
 * @param mallocArenaResident resident bytes of the mappings recognised as glibc arenas
 * @param mallocArenaMapped   their read-write size, comparable with malloc_info's system bytes
 * @param mallocHeaps         how many such mappings ({@code [heap]} included)
 */
public record SystemMap(Map<String, Long> residentByTag, long anonymousUntagged, long fileUntagged,
                        long mallocArenaResident, long mallocArenaMapped, int mallocHeaps) {
    private static final Pattern WS = Pattern.compile("\\s+");
    /** glibc's HEAP_MAX_SIZE on 64-bit: 2 × DEFAULT_MMAP_THRESHOLD_MAX (32 MiB). */
    static final long ARENA_HEAP_BYTES = 64L << 20;

    private record Mapping(long from, long to, String prot, long rss, boolean anonymousUntagged, String path) {
        boolean readWrite() {
            return prot.startsWith("rw");
        }

        boolean inaccessible() {
            return prot.startsWith("---");
        }
    }

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
        var mappings = new ArrayList<Mapping>();
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
            String info = f[7];
            String path = f[8];
            boolean anonymous = path.equals("-") || path.equals("[heap]") || path.startsWith("[anon");
            int dash = f[0].indexOf('-');
            if (dash > 0) {
                mappings.add(new Mapping(Long.parseUnsignedLong(f[0].substring(2, dash), 16),
                        Long.parseUnsignedLong(f[0].substring(dash + 3), 16), f[2], rss,
                        anonymous && info.equals("-"), path));
            }
            if (rss == 0) {
                continue;
            }
            if (!info.equals("-")) {
                int tagEnd = info.indexOf('-');
                byTag.merge(tagEnd > 0 ? info.substring(0, tagEnd) : info, rss, Long::sum);
            } else if (anonymous) {
                anon += rss;
            } else {
                file += rss;
            }
        }
        long arenaResident = 0;
        long arenaMapped = 0;
        int heaps = 0;
        for (int i = 0; i < mappings.size(); i++) {
            Mapping m = mappings.get(i);
            if (isArena(m, i + 1 < mappings.size() ? mappings.get(i + 1) : null)) {
                arenaResident += m.rss();
                arenaMapped += m.to() - m.from();
                heaps++;
            }
        }
        return new SystemMap(Map.copyOf(byTag), anon, file, arenaResident, arenaMapped, heaps);
    }

    /**
     * The main arena's {@code [heap]}, or a read-write anonymous mapping that starts on an arena
     * boundary and ends on one (a full heap, or full heaps the kernel merged) or where the heap's
     * own {@code ---p} reserve continues to the next boundary. An mmap of another library's lands
     * there only by matching both the alignment and that neighbour.
     */
    private static boolean isArena(Mapping m, Mapping next) {
        if (!m.anonymousUntagged() || !m.readWrite()) {
            return false;
        }
        if (m.path().equals("[heap]")) {
            return true;
        }
        if (m.from() % ARENA_HEAP_BYTES != 0) {
            return false;
        }
        if (m.to() % ARENA_HEAP_BYTES == 0) {
            return true;
        }
        return next != null && next.anonymousUntagged() && next.inaccessible() && next.from() == m.to()
                && next.to() % ARENA_HEAP_BYTES == 0 && next.to() - m.to() < ARENA_HEAP_BYTES;
    }

    public static SystemMap read(DiagnosticCommands commands) {
        return parse(commands.run("systemMap", ""));
    }
}
