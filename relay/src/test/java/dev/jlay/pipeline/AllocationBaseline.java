package dev.jlay.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The committed per-stage heap bytes per frame of the corpus through the pipeline
 * ({@code alloc-baseline.json}, issue 16 item 5), and the rule that guards it: a stage, or the sum
 * of all of them, fails when it allocates more than {@link #TOLERANCE} above its baseline. Stages
 * whose baseline is below {@link #FLOOR_BYTES} are held to the floor instead, so that a stage of a
 * few hundred bytes does not fail on noise.
 */
record AllocationBaseline(Map<String, Long> bytesPerFrame, long totalBytesPerFrame) {
    static final double TOLERANCE = 0.20;
    static final long FLOOR_BYTES = 512;
    static final String RESOURCE = "/alloc-baseline.json";

    static AllocationBaseline load() throws IOException {
        try (InputStream in = AllocationBaseline.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IOException(RESOURCE + " is not on the test class path");
            var root = new ObjectMapper().readTree(in);
            var stages = new LinkedHashMap<String, Long>();
            root.get("bytes_per_frame").properties().forEach(e -> stages.put(e.getKey(), e.getValue().asLong()));
            return new AllocationBaseline(stages, root.get("total_bytes_per_frame").asLong());
        }
    }

    /** The figures of a run, named as the baseline names them. */
    record Measured(Map<String, Long> bytesPerFrame) {
        long total() {
            long sum = 0;
            for (long v : bytesPerFrame.values()) sum += v;
            return sum;
        }

        /** The baseline file's body for these figures (to paste when a commit changes the baseline on purpose). */
        String json() {
            var mapper = new ObjectMapper();
            ObjectNode root = mapper.createObjectNode();
            var by = root.putObject("bytes_per_frame");
            bytesPerFrame.forEach(by::put);
            root.put("total_bytes_per_frame", total());
            return root.toPrettyString();
        }
    }

    /** The upper bound a measured figure may reach for a baseline figure. */
    static long limit(long baseline) {
        return (long) Math.floor(Math.max(baseline, FLOOR_BYTES) * (1 + TOLERANCE));
    }

    /** Every stage (and the total) that rose above its limit; empty when the run is within the baseline. */
    List<String> regressions(Measured measured) {
        var out = new ArrayList<String>();
        var names = new TreeSet<>(bytesPerFrame.keySet());
        names.addAll(measured.bytesPerFrame().keySet());
        for (var stage : names) {
            long base = bytesPerFrame.getOrDefault(stage, 0L);
            long now = measured.bytesPerFrame().getOrDefault(stage, 0L);
            if (now > limit(base)) {
                out.add("%s: %d B/frame, baseline %d, limit %d".formatted(stage, now, base, limit(base)));
            }
        }
        if (measured.total() > limit(totalBytesPerFrame)) {
            out.add("total: %d B/frame, baseline %d, limit %d".formatted(measured.total(), totalBytesPerFrame,
                    limit(totalBytesPerFrame)));
        }
        return out;
    }
}
