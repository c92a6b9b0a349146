package dev.jlay.upstream;

import dev.jlay.metrics.MetricRegistry;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Set;

/**
 * {@code relay_host_frames_total{host}} with a bounded, stable label set. The first
 * {@code maxSeries - 1} hosts seen at a scrape keep their own series while they are connected;
 * every later host is counted in {@code host="other"} for as long as it is connected, and when it
 * stops its total stays in {@code other} ("retired"), so {@code other} never goes down. A freed
 * slot goes to a host never seen before, never to one already in {@code other} (that would make
 * {@code other} drop). Frames are counted by the host readers themselves (no map lookup per frame);
 * this class only reads their counters at scrape time.
 */
final class HostFrameSeries {
    /** What the series read of a host reader ({@link HostConnection}). */
    interface Source {
        String host();

        long framesReceived();
    }

    private final int maxLabelled;
    private final LinkedHashMap<String, Source> labelled = new LinkedHashMap<>();
    private final Set<String> folded = new HashSet<>();
    private long retired;

    HostFrameSeries(int maxSeries) {
        this.maxLabelled = maxSeries - 1;
    }

    void register(MetricRegistry metrics, int maxSeries, Collection<? extends Source> connections) {
        metrics.collect("relay_host_frames_total", "Frames received per upstream host (the first "
                        + (maxSeries - 1) + " hosts seen; the rest summed in host=\"other\").",
                MetricRegistry.Kind.COUNTER, "host", maxSeries, MetricRegistry.Fold.SUM, sink -> sample(connections, sink));
    }

    synchronized void sample(Collection<? extends Source> connections, MetricRegistry.SampleSink sink) {
        long other = retired;
        for (var c : connections) {
            String host = c.host();
            if (labelled.containsKey(host)) {
                labelled.put(host, c); // a restarted host has a new connection (its counter restarts at 0)
            } else if (!folded.contains(host) && labelled.size() < maxLabelled) {
                labelled.put(host, c);
            } else {
                folded.add(host);
                other += c.framesReceived();
            }
        }
        for (var e : labelled.entrySet()) {
            sink.sample(e.getKey(), e.getValue().framesReceived());
        }
        sink.sample(MetricRegistry.OTHER, other);
    }

    /** The host's reader stopped: a labelled host frees its slot; a folded one leaves its total in other. */
    synchronized void stopped(Source c) {
        if (labelled.remove(c.host()) == null && folded.remove(c.host())) {
            retired += c.framesReceived();
        }
    }
}
