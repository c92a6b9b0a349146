package dev.jlay.memory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;

/**
 * The relay's metrics registry, rendered in the Prometheus text format (0.0.4).
 *
 * <p>Rules it enforces at registration so scrapes stay clean: every name starts
 * with {@code relay_} and is snake_case, counters end in {@code _total}, every
 * family has help text, and a family holds at most {@link #MAX_SERIES_PER_FAMILY}
 * label sets (no DID or host labels). Registration is rare and may lock; the
 * returned {@link Counter}, {@link Gauge} and {@link StageMeter} objects are what
 * hot paths touch, with no lookups.
 */
public final class Metrics {
    public static final int MAX_SERIES_PER_FAMILY = 64;
    public static final int MAX_BUFFERS = 256;
    private static final Pattern NAME = Pattern.compile("relay_[a-z0-9]+(_[a-z0-9]+)*");
    private static final Pattern LABEL = Pattern.compile("[a-z][a-z0-9_]*");

    private enum Type { COUNTER, GAUGE }

    private record Series(String labels, DoubleSupplier value) {
    }

    private record Family(String name, String help, Type type, List<Series> series) {
    }

    private final Map<String, Family> families = new LinkedHashMap<>();
    private final StageMeter[] stages = new StageMeter[Stage.values().length];
    private final List<BoundedBuffer> buffers = new CopyOnWriteArrayList<>();

    public Metrics() {
        for (var stage : Stage.values()) {
            stages[stage.ordinal()] = new StageMeter(stage);
        }
    }

    /** The meter of a stage; keep the reference, do not look it up per event. */
    public StageMeter stage(Stage stage) {
        return stages[stage.ordinal()];
    }

    public Counter counter(String name, String help) {
        return counter(name, help, null, null);
    }

    /** A counter series; the same name with another label value adds a series to the family. */
    public Counter counter(String name, String help, String label, String value) {
        if (!name.endsWith("_total")) {
            throw new IllegalArgumentException("counter name must end in _total: " + name);
        }
        var counter = new Counter();
        add(name, help, Type.COUNTER, labels(label, value), counter::get);
        return counter;
    }

    public Gauge gauge(String name, String help) {
        return gauge(name, help, null, null);
    }

    public Gauge gauge(String name, String help, String label, String value) {
        var gauge = new Gauge();
        add(name, help, Type.GAUGE, labels(label, value), gauge::get);
        return gauge;
    }

    /** A gauge read at scrape time; the supplier must be cheap and thread safe. */
    public void gauge(String name, String help, DoubleSupplier value) {
        add(name, help, Type.GAUGE, "", value);
    }

    public void gauge(String name, String help, String label, String labelValue, DoubleSupplier value) {
        add(name, help, Type.GAUGE, labels(label, labelValue), value);
    }

    /** A counter read at scrape time from a monotonic source. */
    public void counter(String name, String help, DoubleSupplier value) {
        if (!name.endsWith("_total")) {
            throw new IllegalArgumentException("counter name must end in _total: " + name);
        }
        add(name, help, Type.COUNTER, "", value);
    }

    /** A labelled counter read at scrape time from a monotonic source (e.g. nanoseconds shown as seconds). */
    public void counter(String name, String help, String label, String labelValue, DoubleSupplier value) {
        if (!name.endsWith("_total")) {
            throw new IllegalArgumentException("counter name must end in _total: " + name);
        }
        add(name, help, Type.COUNTER, labels(label, labelValue), value);
    }

    /** A gauge with two labels, read at scrape time. */
    public void gauge(String name, String help, String label1, String value1, String label2, String value2,
                      DoubleSupplier value) {
        String first = labels(label1, value1);
        String second = labels(label2, value2);
        add(name, help, Type.GAUGE, first.substring(0, first.length() - 1) + "," + second.substring(1), value);
    }

    /** Exports a bounded structure's entries, capacity and bytes. */
    public void register(BoundedBuffer buffer) {
        checkLabelValue(buffer.bufferName());
        synchronized (buffers) {
            if (buffers.size() >= MAX_BUFFERS) {
                throw new IllegalStateException("too many registered buffers (" + MAX_BUFFERS + ")");
            }
            for (var b : buffers) {
                if (b.bufferName().equals(buffer.bufferName())) {
                    throw new IllegalArgumentException("buffer already registered: " + buffer.bufferName());
                }
            }
            buffers.add(buffer);
        }
    }

    public void unregister(BoundedBuffer buffer) {
        buffers.remove(buffer);
    }

    private synchronized void add(String name, String help, Type type, String labels, DoubleSupplier value) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("metric name must be relay_ + snake_case: " + name);
        }
        if (help == null || help.isBlank()) {
            throw new IllegalArgumentException("metric needs help text: " + name);
        }
        var family = families.computeIfAbsent(name, n -> new Family(n, help, type, new ArrayList<>()));
        if (family.type() != type) {
            throw new IllegalArgumentException("metric " + name + " already registered as " + family.type());
        }
        for (var s : family.series()) {
            if (s.labels().equals(labels)) {
                throw new IllegalArgumentException("series already registered: " + name + labels);
            }
        }
        if (family.series().size() >= MAX_SERIES_PER_FAMILY) {
            throw new IllegalStateException("label cardinality bound reached for " + name);
        }
        family.series().add(new Series(labels, value));
    }

    private static String labels(String label, String value) {
        if (label == null) {
            return "";
        }
        if (!LABEL.matcher(label).matches()) {
            throw new IllegalArgumentException("bad label name: " + label);
        }
        checkLabelValue(value);
        return "{" + label + "=\"" + escape(value) + "\"}";
    }

    private static void checkLabelValue(String value) {
        if (value == null || value.isEmpty() || value.length() > 64) {
            throw new IllegalArgumentException("label value must be 1..64 chars: " + value);
        }
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** The whole registry in Prometheus text format. */
    public String render() {
        var out = new StringBuilder(8192);
        synchronized (this) {
            for (var f : families.values()) {
                header(out, f.name(), f.help(), f.type());
                for (var s : f.series()) {
                    sample(out, f.name(), s.labels(), s.value().getAsDouble());
                }
            }
        }
        renderStages(out);
        renderBuffers(out);
        return out.toString();
    }

    private void renderStages(StringBuilder out) {
        header(out, "relay_stage_events_total", "Events processed by each pipeline stage.", Type.COUNTER);
        for (var m : stages) {
            sample(out, "relay_stage_events_total", stageLabel(m), m.events());
        }
        header(out, "relay_stage_seconds_total", "Time spent in each pipeline stage.", Type.COUNTER);
        for (var m : stages) {
            sample(out, "relay_stage_seconds_total", stageLabel(m), m.nanos() / 1e9);
        }
        header(out, "relay_stage_allocated_bytes_total",
                "Heap bytes allocated in each pipeline stage (exact on platform threads).", Type.COUNTER);
        for (var m : stages) {
            sample(out, "relay_stage_allocated_bytes_total", stageLabel(m), m.allocatedBytes());
        }
        header(out, "relay_stage_unmetered_events_total",
                "Events whose allocation could not be measured (ran on a virtual thread).", Type.COUNTER);
        for (var m : stages) {
            sample(out, "relay_stage_unmetered_events_total", stageLabel(m), m.unmeteredEvents());
        }
    }

    private static String stageLabel(StageMeter m) {
        return "{stage=\"" + m.stage().label() + "\"}";
    }

    private void renderBuffers(StringBuilder out) {
        var snapshot = List.copyOf(buffers);
        header(out, "relay_buffer_entries", "Entries held by each bounded structure.", Type.GAUGE);
        for (var b : snapshot) {
            sample(out, "relay_buffer_entries", bufferLabel(b), b.entries());
        }
        header(out, "relay_buffer_capacity", "Capacity (entries) of each bounded structure.", Type.GAUGE);
        for (var b : snapshot) {
            sample(out, "relay_buffer_capacity", bufferLabel(b), b.capacity());
        }
        header(out, "relay_buffer_bytes", "Estimated bytes held by each bounded structure.", Type.GAUGE);
        for (var b : snapshot) {
            sample(out, "relay_buffer_bytes", bufferLabel(b), b.bytes());
        }
    }

    private static String bufferLabel(BoundedBuffer b) {
        return "{buffer=\"" + escape(b.bufferName()) + "\"}";
    }

    private static void header(StringBuilder out, String name, String help, Type type) {
        out.append("# HELP ").append(name).append(' ')
                .append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
        out.append("# TYPE ").append(name).append(' ')
                .append(type == Type.COUNTER ? "counter" : "gauge").append('\n');
    }

    private static void sample(StringBuilder out, String name, String labels, double value) {
        out.append(name).append(labels).append(' ');
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            out.append((long) value);
        } else if (Double.isNaN(value)) {
            out.append("NaN");
        } else if (Double.isInfinite(value)) {
            out.append(value > 0 ? "+Inf" : "-Inf");
        } else {
            out.append(value);
        }
        out.append('\n');
    }
}
