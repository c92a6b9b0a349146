package dev.jlay.metrics;

import dev.jlay.memory.AllocationCounter;
import dev.jlay.memory.BoundedBuffer;
import dev.jlay.memory.Stage;
import dev.jlay.memory.StageMeter;
import dev.jlay.memory.ThreadAllocation;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
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
 * family has help text, one family keeps one set of label names, and a family
 * holds at most {@link #MAX_SERIES_PER_FAMILY} label sets. Series registered
 * beyond the bound are not refused (that would crash whoever asked) but folded:
 * summed into one series whose label values are all {@code overflow}, at most
 * {@link #MAX_FOLDED_PER_FAMILY} of them, and counted in
 * {@code relay_metrics_folded_series}. Label values whose set is open (hosts,
 * consumers) go through {@link #collect}, which bounds them at scrape time.
 *
 * <p>Registration is rare and may lock; the returned {@link Counter},
 * {@link Gauge}, {@link Histogram} and {@link StageMeter} objects are what hot
 * paths touch, with no lookups.
 */
public final class MetricRegistry {
    /** Big enough for closed label sets (6 message types × 28 results); small enough to scrape cheaply. */
    public static final int MAX_SERIES_PER_FAMILY = 256;
    /** Folded series kept per family (their values are summed); beyond this they are dropped and counted. */
    public static final int MAX_FOLDED_PER_FAMILY = 1024;
    public static final int MAX_BUFFERS = 256;
    /** Label value of the series that sums what a family could not hold. */
    public static final String OVERFLOW = "overflow";
    /** Label value of the series that sums what a {@link #collect collector} emitted beyond its bound. */
    public static final String OTHER = "other";
    /** Per-event time in a stage; stage meters observe it, and owners of wider spans add their own stage value. */
    public static final String STAGE_LATENCY = "relay_stage_latency_seconds";
    public static final String STAGE_LATENCY_HELP = "Per-event time in each pipeline stage (a batch counts "
            + "its time once per event; stage receive_to_durable: from the last byte read from the host to "
            + "durable in the event log).";
    /** The {@code stage} value of the process's heap allocation that no stage meter counted. */
    public static final String UNATTRIBUTED = "unattributed";
    private static final Pattern NAME = Pattern.compile("relay_[a-z0-9]+(_[a-z0-9]+)*");
    private static final Pattern LABEL = Pattern.compile("[a-z][a-z0-9_]*");

    /** What a collector's samples are. */
    public enum Kind { COUNTER, GAUGE }

    /** How a collector's samples beyond its bound are folded into {@code other}. */
    public enum Fold { SUM, MAX }

    /** Receives one sample of a collector: its label value and value. */
    @FunctionalInterface
    public interface SampleSink {
        void sample(String labelValue, double value);
    }

    /** Emits a family's samples at scrape time; must be cheap and thread safe. */
    @FunctionalInterface
    public interface Collector {
        void collect(SampleSink sink);
    }

    private enum Type {
        COUNTER("counter"), GAUGE("gauge"), HISTOGRAM("histogram");

        final String text;

        Type(String text) {
            this.text = text;
        }
    }

    /** One label set: names and (unescaped) values, in registration order. */
    private record Labels(String[] names, String[] values) {
        static final Labels NONE = new Labels(new String[0], new String[0]);

        String render(String extraName, String extraValue) {
            if (names.length == 0 && extraName == null) {
                return "";
            }
            var b = new StringBuilder().append('{');
            for (int i = 0; i < names.length; i++) {
                if (i > 0) b.append(',');
                b.append(names[i]).append("=\"").append(escape(values[i])).append('"');
            }
            if (extraName != null) {
                if (names.length > 0) b.append(',');
                b.append(extraName).append("=\"").append(extraValue).append('"');
            }
            return b.append('}').toString();
        }

        Labels overflow() {
            var v = new String[names.length];
            Arrays.fill(v, OVERFLOW);
            return new Labels(names, v);
        }

        boolean sameValues(Labels o) {
            return Arrays.equals(values, o.values);
        }
    }

    /** A series' source: a supplier for counters and gauges, a histogram for histograms. */
    private record Series(Labels labels, DoubleSupplier value, Histogram histogram) {
    }

    private record CollectorFamily(String label, Kind kind, int maxSeries, Fold fold, Collector collector) {
    }

    private static final class Family {
        final String name;
        final String help;
        final Type type;
        final String[] labelNames;
        final List<Series> series = new ArrayList<>();
        final List<Series> folded = new ArrayList<>();
        final CollectorFamily collector;
        final double[] bounds;

        Family(String name, String help, Type type, String[] labelNames, CollectorFamily collector, double[] bounds) {
            this.name = name;
            this.help = help;
            this.type = type;
            this.labelNames = labelNames;
            this.collector = collector;
            this.bounds = bounds;
        }
    }

    private final Map<String, Family> families = new LinkedHashMap<>();
    private final StageMeter[] stages = new StageMeter[Stage.values().length];
    private final List<BoundedBuffer> buffers = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicLong unattributed = new java.util.concurrent.atomic.AtomicLong();
    private long foldedSeries;
    private long droppedSeries;

    public MetricRegistry() {
        this(true);
    }

    /** {@code stageMeters} false: the stage meters read and record nothing (to measure what they cost). */
    public MetricRegistry(boolean stageMeters) {
        this(stageMeters, ThreadAllocation::currentThreadBytes);
    }

    /** With the thread allocation counter the stage meters read (tests count the reads). */
    public MetricRegistry(boolean stageMeters, AllocationCounter counter) {
        for (var stage : Stage.values()) {
            var meter = new StageMeter(stage, Histogram.LATENCY_SECONDS, stageMeters, counter);
            add(STAGE_LATENCY, STAGE_LATENCY_HELP, Type.HISTOGRAM, labels("stage", stage.label()), null, meter.latency());
            stages[stage.ordinal()] = meter;
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
        var counter = new Counter();
        add(name, help, Type.COUNTER, labels(label, value), counter::get, null);
        return counter;
    }

    /** A counter series with two labels, e.g. {@code relay_frames_total{type,result}}. */
    public Counter counter(String name, String help, String label1, String value1, String label2, String value2) {
        var counter = new Counter();
        add(name, help, Type.COUNTER, labels(label1, value1, label2, value2), counter::get, null);
        return counter;
    }

    public Gauge gauge(String name, String help) {
        return gauge(name, help, null, null);
    }

    public Gauge gauge(String name, String help, String label, String value) {
        var gauge = new Gauge();
        add(name, help, Type.GAUGE, labels(label, value), gauge::get, null);
        return gauge;
    }

    public Gauge gauge(String name, String help, String label1, String value1, String label2, String value2) {
        var gauge = new Gauge();
        add(name, help, Type.GAUGE, labels(label1, value1, label2, value2), gauge::get, null);
        return gauge;
    }

    /** A gauge read at scrape time; the supplier must be cheap and thread safe. */
    public void gauge(String name, String help, DoubleSupplier value) {
        add(name, help, Type.GAUGE, Labels.NONE, value, null);
    }

    public void gauge(String name, String help, String label, String labelValue, DoubleSupplier value) {
        add(name, help, Type.GAUGE, labels(label, labelValue), value, null);
    }

    /** A gauge with two labels, read at scrape time. */
    public void gauge(String name, String help, String label1, String value1, String label2, String value2,
                      DoubleSupplier value) {
        add(name, help, Type.GAUGE, labels(label1, value1, label2, value2), value, null);
    }

    /** A counter read at scrape time from a monotonic source. */
    public void counter(String name, String help, DoubleSupplier value) {
        add(name, help, Type.COUNTER, Labels.NONE, value, null);
    }

    /** A labelled counter read at scrape time from a monotonic source (e.g. nanoseconds shown as seconds). */
    public void counter(String name, String help, String label, String labelValue, DoubleSupplier value) {
        add(name, help, Type.COUNTER, labels(label, labelValue), value, null);
    }

    /** A counter with two labels read at scrape time from a monotonic source. */
    public void counter(String name, String help, String label1, String value1, String label2, String value2,
                        DoubleSupplier value) {
        add(name, help, Type.COUNTER, labels(label1, value1, label2, value2), value, null);
    }

    /** An unlabelled histogram; {@code bounds} are the bucket upper bounds ({@code +Inf} is implied). */
    public Histogram histogram(String name, String help, double[] bounds) {
        return histogram(name, help, bounds, null, null);
    }

    /** A histogram series; all series of one family must share their bounds. */
    public Histogram histogram(String name, String help, double[] bounds, String label, String value) {
        var histogram = new Histogram(bounds);
        add(name, help, Type.HISTOGRAM, labels(label, value), null, histogram);
        return histogram;
    }

    /**
     * A family with one open label (hostnames, consumer ids), sampled at scrape time and bounded
     * there: at most {@code maxSeries} series, the last of them {@code label="other"} folding the
     * rest. Counters keep the first samples in the collector's order (so a collector that emits
     * in a stable order keeps each series monotonic); gauges keep the largest values.
     */
    public synchronized void collect(String name, String help, Kind kind, String label, int maxSeries, Fold fold,
                                     Collector collector) {
        checkName(name, help, kind == Kind.COUNTER ? Type.COUNTER : Type.GAUGE);
        checkLabelName(label);
        if (maxSeries < 2 || maxSeries > MAX_SERIES_PER_FAMILY) {
            throw new IllegalArgumentException("collector bound must be 2.." + MAX_SERIES_PER_FAMILY);
        }
        if (families.containsKey(name)) {
            throw new IllegalArgumentException("metric already registered: " + name);
        }
        families.put(name, new Family(name, help, kind == Kind.COUNTER ? Type.COUNTER : Type.GAUGE,
                new String[] {label}, new CollectorFamily(label, kind, maxSeries, fold, collector), null));
    }

    /** Removes one series (e.g. of a component that closed); false if there was none. */
    public synchronized boolean remove(String name, String label, String value) {
        var family = families.get(name);
        if (family == null) {
            return false;
        }
        var labels = labels(label, value);
        return family.series.removeIf(s -> s.labels().sameValues(labels))
                || family.folded.removeIf(s -> s.labels().sameValues(labels));
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

    private static void checkName(String name, String help, Type type) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("metric name must be relay_ + snake_case: " + name);
        }
        if (help == null || help.isBlank()) {
            throw new IllegalArgumentException("metric needs help text: " + name);
        }
        if (type == Type.COUNTER && !name.endsWith("_total")) {
            throw new IllegalArgumentException("counter name must end in _total: " + name);
        }
        if (type != Type.COUNTER && name.endsWith("_total")) {
            throw new IllegalArgumentException("only counters end in _total: " + name);
        }
        if (type == Type.HISTOGRAM && (name.endsWith("_bucket") || name.endsWith("_sum") || name.endsWith("_count"))) {
            throw new IllegalArgumentException("histogram name must not end in a sample suffix: " + name);
        }
    }

    private synchronized void add(String name, String help, Type type, Labels labels, DoubleSupplier value,
                                  Histogram histogram) {
        checkName(name, help, type);
        var family = families.get(name);
        if (family == null) {
            family = new Family(name, help, type, labels.names(), null,
                    histogram == null ? null : histogram.bounds());
            families.put(name, family);
        }
        if (family.type != type) {
            throw new IllegalArgumentException("metric " + name + " already registered as " + family.type.text);
        }
        if (family.collector != null) {
            throw new IllegalArgumentException("metric " + name + " is sampled by a collector");
        }
        if (!Arrays.equals(family.labelNames, labels.names())) {
            throw new IllegalArgumentException("metric " + name + " has labels " + Arrays.toString(family.labelNames)
                    + ", not " + Arrays.toString(labels.names()));
        }
        if (histogram != null && !Arrays.equals(family.bounds, histogram.bounds())) {
            throw new IllegalArgumentException("histogram " + name + " has other bucket bounds");
        }
        for (var s : family.series) {
            if (s.labels().sameValues(labels)) {
                throw new IllegalArgumentException("series already registered: " + name + labels.render(null, null));
            }
        }
        var series = new Series(labels, value, histogram);
        if (family.series.size() < MAX_SERIES_PER_FAMILY) {
            family.series.add(series);
        } else if (family.folded.size() < MAX_FOLDED_PER_FAMILY) {
            family.folded.add(series);
            foldedSeries++;
        } else {
            droppedSeries++;
        }
    }

    private static Labels labels(String label, String value) {
        if (label == null) {
            return Labels.NONE;
        }
        checkLabelName(label);
        checkLabelValue(value);
        return new Labels(new String[] {label}, new String[] {value});
    }

    private static Labels labels(String label1, String value1, String label2, String value2) {
        checkLabelName(label1);
        checkLabelName(label2);
        if (label1.equals(label2)) {
            throw new IllegalArgumentException("duplicate label: " + label1);
        }
        checkLabelValue(value1);
        checkLabelValue(value2);
        return new Labels(new String[] {label1, label2}, new String[] {value1, value2});
    }

    private static void checkLabelName(String label) {
        if (label == null || !LABEL.matcher(label).matches() || label.equals("le")) {
            throw new IllegalArgumentException("bad label name: " + label);
        }
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
        var out = new StringBuilder(16384);
        synchronized (this) {
            for (var f : families.values()) {
                header(out, f.name, f.help, f.type);
                if (f.collector != null) {
                    renderCollector(out, f);
                } else if (f.type == Type.HISTOGRAM) {
                    renderHistograms(out, f);
                } else {
                    for (var s : f.series) {
                        sample(out, f.name, s.labels().render(null, null), s.value().getAsDouble());
                    }
                    if (!f.folded.isEmpty()) {
                        double sum = 0;
                        for (var s : f.folded) {
                            sum += s.value().getAsDouble();
                        }
                        sample(out, f.name, f.folded.getFirst().labels().overflow().render(null, null), sum);
                    }
                }
            }
            header(out, "relay_metrics_folded_series",
                    "Series registered beyond a family's bound, summed into its overflow series.", Type.GAUGE);
            sample(out, "relay_metrics_folded_series", "", foldedSeries);
            header(out, "relay_metrics_dropped_series",
                    "Series registered beyond a family's bound and its fold limit (not exported).", Type.GAUGE);
            sample(out, "relay_metrics_dropped_series", "", droppedSeries);
        }
        renderStages(out);
        renderBuffers(out);
        return out.toString();
    }

    private static void renderHistograms(StringBuilder out, Family f) {
        for (var s : f.series) {
            histogram(out, f.name, s.labels(), f.bounds, s.histogram().counts(), s.histogram().sum());
        }
        if (!f.folded.isEmpty()) {
            long[] counts = new long[f.bounds.length + 1];
            double sum = 0;
            for (var s : f.folded) {
                long[] c = s.histogram().counts();
                for (int i = 0; i < counts.length; i++) {
                    counts[i] += c[i];
                }
                sum += s.histogram().sum();
            }
            histogram(out, f.name, f.folded.getFirst().labels().overflow(), f.bounds, counts, sum);
        }
    }

    private static void histogram(StringBuilder out, String name, Labels labels, double[] bounds, long[] counts,
                                  double sum) {
        long cumulative = 0;
        for (int i = 0; i < bounds.length; i++) {
            cumulative += counts[i];
            sample(out, name + "_bucket", labels.render("le", le(bounds[i])), cumulative);
        }
        cumulative += counts[bounds.length];
        sample(out, name + "_bucket", labels.render("le", "+Inf"), cumulative);
        String plain = labels.render(null, null);
        sample(out, name + "_sum", plain, sum);
        sample(out, name + "_count", plain, cumulative);
    }

    private static String le(double bound) {
        return BigDecimal.valueOf(bound).stripTrailingZeros().toPlainString();
    }

    private static void renderCollector(StringBuilder out, Family f) {
        var c = f.collector;
        var names = new ArrayList<String>();
        var values = new ArrayList<Double>();
        try {
            c.collector().collect((labelValue, value) -> {
                names.add(labelValue);
                values.add(value);
            });
        } catch (RuntimeException e) {
            return; // a failing source shows as missing series, never as a failed scrape
        }
        var order = new ArrayList<Integer>(names.size());
        for (int i = 0; i < names.size(); i++) {
            order.add(i);
        }
        if (c.kind() == Kind.GAUGE && order.size() > c.maxSeries()) {
            order.sort((a, b) -> Double.compare(values.get(b), values.get(a)));
        }
        int keep = order.size() > c.maxSeries() ? c.maxSeries() - 1 : order.size();
        double other = 0;
        boolean folded = false;
        for (int k = 0; k < order.size(); k++) {
            int i = order.get(k);
            String v = names.get(i);
            boolean usable = v != null && !v.isEmpty() && v.length() <= 255 && !v.equals(OTHER);
            if (k < keep && usable) {
                sample(out, f.name, "{" + c.label() + "=\"" + escape(v) + "\"}", values.get(i));
            } else {
                double x = values.get(i);
                other = !folded ? x : c.fold() == Fold.SUM ? other + x : Math.max(other, x);
                folded = true;
            }
        }
        if (folded) {
            sample(out, f.name, "{" + c.label() + "=\"" + OTHER + "\"}", other);
        }
    }

    /**
     * Heap bytes allocated by the whole process (every thread, virtual ones through their carriers,
     * since the JVM started) that no stage meter counted: the total minus the sum of the stages.
     * Kept monotonic (a counter) although the two figures are read at slightly different moments.
     */
    public long unattributedBytes() {
        long total = ThreadAllocation.totalBytes();
        if (total < 0) {
            return unattributed.get();
        }
        long stageSum = 0;
        for (var m : stages) {
            stageSum += m.allocatedBytes();
        }
        long value = Math.max(0, total - stageSum);
        return unattributed.accumulateAndGet(value, Math::max);
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
                "Heap bytes allocated in each pipeline stage (exact on platform threads; on virtual threads "
                        + "from JFR allocation-sample weights); stage unattributed: the rest of the process's "
                        + "allocation.", Type.COUNTER);
        for (var m : stages) {
            sample(out, "relay_stage_allocated_bytes_total", stageLabel(m), m.allocatedBytes());
        }
        sample(out, "relay_stage_allocated_bytes_total", "{stage=\"" + UNATTRIBUTED + "\"}", unattributedBytes());
        header(out, "relay_stage_unmetered_events_total",
                "Events whose allocation could not be measured exactly (ran on a virtual thread).", Type.COUNTER);
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
        header(out, "relay_buffer_capacity_bytes", "Byte bound of each structure bounded in bytes as well.",
                Type.GAUGE);
        for (var b : snapshot) {
            long bound = b.byteCapacity();
            if (bound > 0) sample(out, "relay_buffer_capacity_bytes", bufferLabel(b), bound);
        }
    }

    private static String bufferLabel(BoundedBuffer b) {
        return "{buffer=\"" + escape(b.bufferName()) + "\"}";
    }

    private static void header(StringBuilder out, String name, String help, Type type) {
        out.append("# HELP ").append(name).append(' ')
                .append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type.text).append('\n');
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
