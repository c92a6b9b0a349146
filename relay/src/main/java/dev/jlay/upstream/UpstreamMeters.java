package dev.jlay.upstream;

import dev.jlay.metrics.Counter;
import dev.jlay.metrics.MetricRegistry;
import dev.jlay.memory.Stage;
import dev.jlay.memory.StageMeter;

/**
 * Relay-wide counters of all host readers (per-host figures live in {@link HostConnectionStatus}; metrics
 * carry no host label, to keep cardinality bounded).
 */
public final class UpstreamMeters {
    final Counter messages;
    final Counter bytes;
    final Counter forwarded;
    final Counter connects;
    final Counter[] disconnects = new Counter[DisconnectReason.values().length];
    final Counter sinkWaits;
    final Counter[] drops = new Counter[UpstreamDropReason.values().length];
    final StageMeter receive;
    private volatile DisconnectLog disconnectLog = DisconnectLog.standard();

    private UpstreamMeters(MetricRegistry m) {
        if (m == null) {
            messages = new Counter();
            bytes = new Counter();
            forwarded = new Counter();
            connects = new Counter();
            for (DisconnectReason r : DisconnectReason.values()) {
                disconnects[r.ordinal()] = new Counter();
            }
            sinkWaits = new Counter();
            for (UpstreamDropReason r : UpstreamDropReason.values()) {
                drops[r.ordinal()] = new Counter();
            }
            receive = null;
            return;
        }
        messages = m.counter("relay_upstream_messages_total", "WebSocket messages received from upstream hosts.");
        bytes = m.counter("relay_upstream_bytes_total", "Bytes of messages received from upstream hosts.");
        forwarded = m.counter("relay_upstream_forwarded_total", "Upstream frames handed to the pipeline.");
        connects = m.counter("relay_upstream_connects_total", "Upstream connections opened.");
        for (DisconnectReason r : DisconnectReason.values()) {
            disconnects[r.ordinal()] = m.counter("relay_upstream_disconnects_total",
                    "Upstream connections ended or failed to open, by reason (each but stopped is followed by a "
                            + "backoff and a reconnect).", "reason", r.label());
        }
        sinkWaits = m.counter("relay_upstream_sink_waits_total",
                "Frames a host reader had to wait for room in the pipeline for (backpressure).");
        for (UpstreamDropReason r : UpstreamDropReason.values()) {
            drops[r.ordinal()] = m.counter("relay_upstream_dropped_total",
                    "Upstream messages not handed on, by reason.", "reason", r.label());
        }
        receive = m.stage(Stage.RECEIVE);
    }

    /** Registered with the relay's metrics registry (call once per registry). */
    public static UpstreamMeters register(MetricRegistry metrics) {
        return new UpstreamMeters(metrics);
    }

    /** Counting without exporting (tests, tools). */
    public static UpstreamMeters unregistered() {
        return new UpstreamMeters(null);
    }

    /** Where disconnects are logged (rate-limited); tests give their own. */
    public UpstreamMeters logDisconnectsTo(DisconnectLog log) {
        this.disconnectLog = log;
        return this;
    }

    DisconnectLog disconnectLog() {
        return disconnectLog;
    }

    public long disconnects(DisconnectReason reason) {
        return disconnects[reason.ordinal()].get();
    }

    public long dropped(UpstreamDropReason reason) {
        return drops[reason.ordinal()].get();
    }

    public long forwarded() {
        return forwarded.get();
    }
}
