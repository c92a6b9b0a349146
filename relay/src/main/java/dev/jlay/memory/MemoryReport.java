package dev.jlay.memory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where every byte of RSS is. {@code owners} adds up to {@code rss} exactly: the last
 * owner, {@code unaccounted}, is RSS minus all the others (negative would mean an owner
 * is over-counted). {@code details} holds figures that are part of an owner or not
 * resident (heap used, committed sizes, buffer pools), for reading, not for summing.
 * {@code estimates} says which owners are estimated and within what bound.
 */
public record MemoryReport(long rss, boolean nmtEnabled, Map<String, Long> owners,
                           Map<String, Long> details, Map<String, Estimate> estimates, MallocStats malloc) {

    /**
     * An owner that is not read directly but estimated: {@code measured} is the figure it was
     * derived from, {@code bytes} that figure clamped to [0, {@code upperBound}].
     */
    public record Estimate(long bytes, long measured, long upperBound) {
        public boolean clamped() {
            return bytes != measured;
        }

        Map<String, Object> toMap() {
            var out = new LinkedHashMap<String, Object>();
            out.put("bytes", bytes);
            out.put("measured_bytes", measured);
            out.put("upper_bound_bytes", upperBound);
            out.put("clamped", clamped());
            return out;
        }
    }

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
        var estimated = new LinkedHashMap<String, Object>();
        estimates.forEach((owner, e) -> estimated.put(owner, e.toMap()));
        out.put("estimates", estimated);
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
