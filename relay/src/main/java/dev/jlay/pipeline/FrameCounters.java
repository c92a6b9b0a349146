package dev.jlay.pipeline;

import dev.jlay.validate.DropReason;
import dev.jlay.validate.Verdict;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code relay_frames_total{type,result}}: every frame's verdict, by message type
 * and result. Both label sets are closed, so the series count is fixed.
 */
public final class FrameCounters implements FrameOutcomes {

    /** Message types as labels; anything else is {@code other}. */
    public static final String[] TYPES = {"commit", "sync", "identity", "account", "info", "other"};

    private static final int ACCEPTED = 0;
    private static final int DISCONTINUITY = 1;
    private static final int FIRST_DROP = 2;
    private static final DropReason[] REASONS = DropReason.values();

    private final LongAdder[][] counts = new LongAdder[TYPES.length][FIRST_DROP + REASONS.length];

    public FrameCounters() {
        for (var row : counts) {
            for (int i = 0; i < row.length; i++) row[i] = new LongAdder();
        }
    }

    @Override
    public void settled(InboundFrame frame, Verdict verdict) {
        record(frame.type(), verdict);
    }

    public void record(String type, Verdict verdict) {
        counts[typeIndex(type)][resultIndex(verdict)].increment();
    }

    /**
     * Registers {@code relay_frames_total{type,result}}: every type × result series, zeros included
     * (6 × 28 = 168, a closed set), read from the same adders at scrape time.
     */
    public FrameCounters export(dev.jlay.metrics.MetricRegistry metrics) {
        for (int t = 0; t < TYPES.length; t++) {
            for (int r = 0; r < counts[t].length; r++) {
                var adder = counts[t][r];
                metrics.counter("relay_frames_total", "Frames from hosts by message type and result (accepted, "
                        + "accepted_discontinuity, or dropped_<reason>).", "type", TYPES[t], "result",
                        resultLabel(r), adder::sum);
            }
        }
        return this;
    }

    public long count(String typeLabel, String result) {
        var all = snapshot();
        return all.getOrDefault(typeLabel, Map.of()).getOrDefault(result, 0L);
    }

    /** type label → result label → count, zero series included (Prometheus wants them present). */
    public Map<String, Map<String, Long>> snapshot() {
        var out = new LinkedHashMap<String, Map<String, Long>>();
        for (int t = 0; t < TYPES.length; t++) {
            var row = new LinkedHashMap<String, Long>();
            for (int r = 0; r < counts[t].length; r++) row.put(resultLabel(r), counts[t][r].sum());
            out.put(TYPES[t], row);
        }
        return out;
    }

    public long total(String result) {
        long sum = 0;
        for (var row : snapshot().values()) sum += row.getOrDefault(result, 0L);
        return sum;
    }

    public static String resultLabel(Verdict v) {
        return resultLabel(resultIndex(v));
    }

    private static String resultLabel(int r) {
        return switch (r) {
            case ACCEPTED -> "accepted";
            // passed downstream: dashboards count results starting with "accepted" as output
            case DISCONTINUITY -> "accepted_discontinuity";
            default -> "dropped_" + REASONS[r - FIRST_DROP].label();
        };
    }

    private static int resultIndex(Verdict v) {
        return switch (v) {
            case Verdict.Pass p -> ACCEPTED;
            case Verdict.Discontinuity d -> DISCONTINUITY;
            case Verdict.Drop d -> FIRST_DROP + d.reason().ordinal();
        };
    }

    /** Header type ({@code #commit} or {@code commit}) → label index. */
    static int typeIndex(String type) {
        if (type == null) return TYPES.length - 1;
        String t = type.startsWith("#") ? type.substring(1) : type;
        for (int i = 0; i < TYPES.length - 1; i++) {
            if (TYPES[i].equals(t)) return i;
        }
        return TYPES.length - 1;
    }

    public static String typeLabel(String type) {
        return TYPES[typeIndex(type)];
    }
}
