package dev.jlay.sim;

import java.util.Map;
import java.util.TreeMap;

/**
 * What the relay is doing, read from two {@code /metrics} scrapes: hosts connected, frames
 * per second in (from hosts) and out (sequenced), drops by reason (validation and the
 * upstream reader), RSS. The demo prints it every two seconds; soak keeps the drops.
 */
public record RelayStatus(double hostsConnected, double inPerSecond, double outPerSecond, double seq,
                          Map<String, Long> drops, double rssBytes) {

    /** Validation results that are not drops. */
    static boolean accepted(String result) {
        return result.startsWith("accepted") || result.equals("discontinuity");
    }

    /** Drops by reason so far: validation ({@code relay_frames_total}) and upstream reader ones. */
    public static Map<String, Long> drops(MetricsText m) {
        var out = new TreeMap<String, Long>();
        m.byLabel("relay_frames_total", "result").forEach((result, v) -> {
            if (!accepted(result) && v > 0) {
                out.merge(result.startsWith("dropped_") ? result.substring(8) : result, Math.round(v), Long::sum);
            }
        });
        m.byLabel("relay_upstream_dropped_total", "reason").forEach((reason, v) -> {
            if (v > 0) out.merge("upstream_" + reason, Math.round(v), Long::sum);
        });
        return out;
    }

    /** Frames read from hosts so far. */
    public static double framesIn(MetricsText m) {
        return m.sum("relay_upstream_messages_total");
    }

    public static RelayStatus between(MetricsText before, MetricsText now, double seconds) {
        double dt = seconds > 0 ? seconds : 1;
        return new RelayStatus(now.sum("relay_upstream_connections"),
                Math.max(0, framesIn(now) - framesIn(before)) / dt,
                Math.max(0, now.sum("relay_seq") - before.sum("relay_seq")) / dt,
                now.sum("relay_seq"), drops(now), now.sum("relay_process_resident_memory_bytes"));
    }

    public long dropped() {
        return drops.values().stream().mapToLong(Long::longValue).sum();
    }

    /** One line, e.g. {@code hosts 24/24 | in 812/s | out 810/s | seq 12034 | drops 0 | rss 412 MiB}. */
    public String line(int hostsConfigured, long rssFallback) {
        var sb = new StringBuilder();
        sb.append("hosts ").append(Math.round(hostsConnected)).append('/').append(hostsConfigured);
        sb.append(" | in ").append(Math.round(inPerSecond)).append("/s");
        sb.append(" | out ").append(Math.round(outPerSecond)).append("/s");
        sb.append(" | seq ").append(Math.round(seq));
        sb.append(" | drops ").append(dropped());
        if (!drops.isEmpty()) {
            sb.append(" (");
            var first = true;
            for (var e : drops.entrySet()) {
                if (!first) sb.append(' ');
                sb.append(e.getKey()).append('=').append(e.getValue());
                first = false;
            }
            sb.append(')');
        }
        long rss = rssBytes > 0 ? (long) rssBytes : rssFallback;
        sb.append(" | rss ").append(rss >> 20).append(" MiB");
        return sb.toString();
    }
}
