package dev.jlay.metrics;

import dev.jlay.memory.AllocationCounter;
import dev.jlay.memory.BoundedBuffer;
import dev.jlay.memory.Stage;
import dev.jlay.memory.StageMeter;
import dev.jlay.memory.ThreadAllocation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;

/**
 * The relay's metrics registry: registration, families and lookup. {@link PrometheusText} writes
 * it out; {@link SeriesFolding} keeps each family bounded.
 *
 * <p>Rules it enforces at registration so scrapes stay clean: every name starts
 * with {@code relay_} and is snake_case, counters end in {@code _total}, every
 * family has help text, one family keeps one set of label names, and a family
 * holds at most {@link #MAX_SERIES_PER_FAMILY} label sets (beyond, series are
 * folded, see {@link SeriesFolding}). Label values whose set is open (hosts,
 * consumers) go through {@link #collect}, which bounds them at scrape time.
 *
 * <p>Registration is rare and may lock; the returned {@link Counter},
 * {@link Gauge}, {@link Histogram} and {@link StageMeter} objects are what hot
 * paths touch, with no lookups. {@link #render} holds the lock only to copy the
 * series lists: suppliers and collectors run outside it, so a slow one delays its
 * scrape but never a registration. They must still be cheap and must not wait on I/O.
 */
public final class MetricRegistry {
    /** See {@link SeriesFolding#MAX_SERIES_PER_FAMILY}. */
    public static final int MAX_SERIES_PER_FAMILY = SeriesFolding.MAX_SERIES_PER_FAMILY;
    /** See {@link SeriesFolding#MAX_FOLDED_PER_FAMILY}. */
    public static final int MAX_FOLDED_PER_FAMILY = SeriesFolding.MAX_FOLDED_PER_FAMILY;
    public static final int MAX_BUFFERS = 256;
    /** Label value of the series that sums what a family could not hold. */
    public static final String OVERFLOW = SeriesFolding.OVERFLOW;
    /** Label value of the series that sums what a {@link #collect collector} emitted beyond its bound. */
    public static final String OTHER = SeriesFolding.OTHER;
    /** Per-event time in a stage; stage meters observe it, and owners of wider spans add their own stage value. */
    public static final String STAGE_LATENCY = "relay_stage_latency_seconds";
    public static final String STAGE_LATENCY_HELP = "Per-event time in each pipeline stage (a batch counts "
            + "its time once per event; stage receive_to_durable: from the last byte read from the host to "
            + "durable in the event log).";
    /** The {@code stage} value of the process's heap allocation that no stage meter counted. */
    public static final String UNATTRIBUTED = "unattributed";
    private static final Pattern NAME = Pattern.compile("relay_[a-z0-9]+(_[a-z0-9]+)*");

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

    private final Map<String, MetricFamily> families = new LinkedHashMap<>(); // guarded by this
    private final StageMeter[] stages = new StageMeter[Stage.values().length];
    private final List<BoundedBuffer> buffers = new CopyOnWriteArrayList<>();
    private final AtomicLong unattributed = new AtomicLong();
    private long foldedSeries; // guarded by this
    private long droppedSeries; // guarded by this

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
            add(STAGE_LATENCY, STAGE_LATENCY_HELP, MetricType.HISTOGRAM, MetricLabels.of("stage", stage.label()),
                    null, meter.latency());
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
        add(name, help, MetricType.COUNTER, MetricLabels.of(label, value), counter::get, null);
        return counter;
    }

    /** A counter series with two labels, e.g. {@code relay_frames_total{type,result}}. */
    public Counter counter(String name, String help, String label1, String value1, String label2, String value2) {
        var counter = new Counter();
        add(name, help, MetricType.COUNTER, MetricLabels.of(label1, value1, label2, value2), counter::get, null);
        return counter;
    }

    public Gauge gauge(String name, String help) {
        return gauge(name, help, null, null);
    }

    public Gauge gauge(String name, String help, String label, String value) {
        var gauge = new Gauge();
        add(name, help, MetricType.GAUGE, MetricLabels.of(label, value), gauge::get, null);
        return gauge;
    }

    public Gauge gauge(String name, String help, String label1, String value1, String label2, String value2) {
        var gauge = new Gauge();
        add(name, help, MetricType.GAUGE, MetricLabels.of(label1, value1, label2, value2), gauge::get, null);
        return gauge;
    }

    /** A gauge read at scrape time; the supplier must be cheap and thread safe. */
    public void gauge(String name, String help, DoubleSupplier value) {
        add(name, help, MetricType.GAUGE, MetricLabels.NONE, value, null);
    }

    public void gauge(String name, String help, String label, String labelValue, DoubleSupplier value) {
        add(name, help, MetricType.GAUGE, MetricLabels.of(label, labelValue), value, null);
    }

    /** A gauge with two labels, read at scrape time. */
    public void gauge(String name, String help, String label1, String value1, String label2, String value2,
                      DoubleSupplier value) {
        add(name, help, MetricType.GAUGE, MetricLabels.of(label1, value1, label2, value2), value, null);
    }

    /** A counter read at scrape time from a monotonic source. */
    public void counter(String name, String help, DoubleSupplier value) {
        add(name, help, MetricType.COUNTER, MetricLabels.NONE, value, null);
    }

    /** A labelled counter read at scrape time from a monotonic source (e.g. nanoseconds shown as seconds). */
    public void counter(String name, String help, String label, String labelValue, DoubleSupplier value) {
        add(name, help, MetricType.COUNTER, MetricLabels.of(label, labelValue), value, null);
    }

    /** A counter with two labels read at scrape time from a monotonic source. */
    public void counter(String name, String help, String label1, String value1, String label2, String value2,
                        DoubleSupplier value) {
        add(name, help, MetricType.COUNTER, MetricLabels.of(label1, value1, label2, value2), value, null);
    }

    /** An unlabelled histogram; {@code bounds} are the bucket upper bounds ({@code +Inf} is implied). */
    public Histogram histogram(String name, String help, double[] bounds) {
        return histogram(name, help, bounds, null, null);
    }

    /** A histogram series; all series of one family must share their bounds. */
    public Histogram histogram(String name, String help, double[] bounds, String label, String value) {
        var histogram = new Histogram(bounds);
        add(name, help, MetricType.HISTOGRAM, MetricLabels.of(label, value), null, histogram);
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
        var type = kind == Kind.COUNTER ? MetricType.COUNTER : MetricType.GAUGE;
        checkName(name, help, type);
        MetricLabels.checkName(label);
        if (maxSeries < 2 || maxSeries > MAX_SERIES_PER_FAMILY) {
            throw new IllegalArgumentException("collector bound must be 2.." + MAX_SERIES_PER_FAMILY);
        }
        if (families.containsKey(name)) {
            throw new IllegalArgumentException("metric already registered: " + name);
        }
        families.put(name, MetricFamily.collected(name, help, type,
                new MetricFamily.CollectorSpec(label, kind, maxSeries, fold, collector)));
    }

    /** Removes one series (e.g. of a component that closed); false if there was none. */
    public synchronized boolean remove(String name, String label, String value) {
        var family = families.get(name);
        if (family == null) {
            return false;
        }
        var labels = MetricLabels.of(label, value);
        return family.series().removeIf(s -> s.labels().sameValues(labels))
                || family.folded().removeIf(s -> s.labels().sameValues(labels));
    }

    /** Exports a bounded structure's entries, capacity and bytes. */
    public void register(BoundedBuffer buffer) {
        MetricLabels.checkValue(buffer.bufferName());
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

    /** The registered buffer of that name, if any (e.g. to divide its bytes by a count). */
    public java.util.Optional<BoundedBuffer> buffer(String name) {
        synchronized (buffers) {
            for (var b : buffers) {
                if (b.bufferName().equals(name)) {
                    return java.util.Optional.of(b);
                }
            }
        }
        return java.util.Optional.empty();
    }

    private static void checkName(String name, String help, MetricType type) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("metric name must be relay_ + snake_case: " + name);
        }
        if (help == null || help.isBlank()) {
            throw new IllegalArgumentException("metric needs help text: " + name);
        }
        if (type == MetricType.COUNTER && !name.endsWith("_total")) {
            throw new IllegalArgumentException("counter name must end in _total: " + name);
        }
        if (type != MetricType.COUNTER && name.endsWith("_total")) {
            throw new IllegalArgumentException("only counters end in _total: " + name);
        }
        if (type == MetricType.HISTOGRAM
                && (name.endsWith("_bucket") || name.endsWith("_sum") || name.endsWith("_count"))) {
            throw new IllegalArgumentException("histogram name must not end in a sample suffix: " + name);
        }
    }

    private synchronized void add(String name, String help, MetricType type, MetricLabels labels,
                                  DoubleSupplier value, Histogram histogram) {
        checkName(name, help, type);
        var family = families.get(name);
        if (family == null) {
            family = MetricFamily.registered(name, help, type, labels.names(),
                    histogram == null ? null : histogram.bounds());
            families.put(name, family);
        }
        if (family.type() != type) {
            throw new IllegalArgumentException("metric " + name + " already registered as " + family.type().text);
        }
        if (family.collector() != null) {
            throw new IllegalArgumentException("metric " + name + " is sampled by a collector");
        }
        if (!Arrays.equals(family.labelNames(), labels.names())) {
            throw new IllegalArgumentException("metric " + name + " has labels "
                    + Arrays.toString(family.labelNames()) + ", not " + Arrays.toString(labels.names()));
        }
        if (histogram != null && !Arrays.equals(family.bounds(), histogram.bounds())) {
            throw new IllegalArgumentException("histogram " + name + " has other bucket bounds");
        }
        for (var s : family.series()) {
            if (s.labels().sameValues(labels)) {
                throw new IllegalArgumentException("series already registered: " + name
                        + PrometheusText.labels(labels, null, null));
            }
        }
        var series = new MetricSeries(labels, value, histogram);
        switch (SeriesFolding.place(family)) {
            case KEPT -> family.series().add(series);
            case FOLDED -> {
                family.folded().add(series);
                foldedSeries++;
            }
            case DROPPED -> droppedSeries++;
        }
    }

    /** The whole registry in Prometheus text format. */
    public String render() {
        List<MetricFamily> snapshot;
        long folded;
        long dropped;
        synchronized (this) {
            snapshot = new ArrayList<>(families.size());
            for (var f : families.values()) {
                snapshot.add(f.snapshot());
            }
            folded = foldedSeries;
            dropped = droppedSeries;
        }
        var out = new StringBuilder(16384);
        for (var f : snapshot) {
            PrometheusText.family(out, f);
        }
        PrometheusText.foldingTotals(out, folded, dropped);
        PrometheusText.stages(out, stages, unattributedBytes());
        PrometheusText.buffers(out, List.copyOf(buffers));
        return out.toString();
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
}
