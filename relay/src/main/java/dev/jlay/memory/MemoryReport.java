package dev.jlay.memory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where every byte of RSS is. {@code owners} adds up to {@code rss} exactly: the last
 * owner, {@code unaccounted}, is RSS minus all the others (negative would mean an owner
 * is over-counted). {@code details} holds figures that are part of an owner or not
 * resident (heap used, committed sizes, buffer pools), for reading, not for summing.
 */
public record MemoryReport(long rss, boolean nmtEnabled, Map<String, Long> owners,
                           Map<String, Long> details, MallocStats malloc) {

    public long owner(String name) {
        return owners.getOrDefault(name, 0L);
    }

    public long unaccounted() {
        return owner("unaccounted");
    }

    /** A JSON-ready view (maps, lists, numbers). */
    public Map<String, Object> toMap() {
        var out = new LinkedHashMap<String, Object>();
        out.put("rss_bytes", rss);
        out.put("nmt_enabled", nmtEnabled);
        out.put("owners", owners);
        out.put("details", details);
        if (malloc != null) {
            var arenas = malloc.arenas().stream().map(a -> Map.<String, Object>of(
                    "arena", a.number(), "system_bytes", a.systemBytes(),
                    "in_use_bytes", a.inUseBytes(), "free_bytes", a.freeBytes())).toList();
            out.put("malloc", Map.of("arenas", arenas, "mmap_bytes", malloc.mmapBytes(),
                    "in_use_bytes", malloc.inUseBytes(), "free_bytes", malloc.freeBytes()));
        }
        return out;
    }
}
