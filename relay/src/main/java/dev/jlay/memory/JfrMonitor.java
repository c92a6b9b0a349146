package dev.jlay.memory;

import dev.jlay.metrics.Gauge;

import dev.jlay.metrics.Counter;

import dev.jlay.metrics.MetricRegistry;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingStream;

/**
 * A continuous in-process JFR stream feeding metrics (GC pauses and causes, heap after
 * GC, sampled allocation by stage, thread counts, NMT categories), plus a rolling
 * on-disk recording, bounded by age and size, from which the last minutes can be
 * dumped as a .jfr file.
 *
 * <p>The series the dashboards read exist from the first scrape, not from the first event: the
 * GC counters of this JVM's collectors start at 0, and the NMT gauges start from a reading taken
 * when the stream starts ({@code relay_nmt_enabled} says whether there is NMT to read at all).
 */
public final class JfrMonitor implements AutoCloseable {
    /** Bounds on the label sets and the class table, so JFR data cannot grow the registry. */
    static final int MAX_GC_CAUSES = 24;
    static final int MAX_NMT_CATEGORIES = 48;
    static final int MAX_CLASSES = 512;
    /**
     * Virtual threads named so are the upstream WebSocket client's (reassembly, the host readers):
     * their samples without a stage of our own on the stack (JDK frame decoding) are receive work.
     */
    public static final String RECEIVE_THREAD_PREFIX = "upstream-";
    /** Allocation samples per second the relay takes (the stream's main per-event cost). */
    public static final int ALLOCATION_SAMPLES_PER_SECOND = 100;
    static final String SETTINGS = "jlay.jfc";
    /**
     * JFR's {@code jdk.GarbageCollection} names by the GarbageCollectorMXBean names of the same
     * collector (HotSpot 25; ZGC and Shenandoah have a "Cycles" and a "Pauses" bean per JFR name).
     */
    static final Map<String, String> JFR_GC_NAMES = Map.ofEntries(
            Map.entry("G1 Young Generation", "G1New"),
            Map.entry("G1 Concurrent GC", "G1Old"),
            Map.entry("G1 Old Generation", "G1Full"),
            Map.entry("Copy", "DefNew"),
            Map.entry("MarkSweepCompact", "SerialOld"),
            Map.entry("PS Scavenge", "ParallelScavenge"),
            Map.entry("PS MarkSweep", "ParallelOld"),
            Map.entry("ZGC Minor Cycles", "ZGC Minor"),
            Map.entry("ZGC Minor Pauses", "ZGC Minor"),
            Map.entry("ZGC Major Cycles", "ZGC Major"),
            Map.entry("ZGC Major Pauses", "ZGC Major"),
            Map.entry("Shenandoah Cycles", "Shenandoah"),
            Map.entry("Shenandoah Pauses", "Shenandoah"));

    private final MetricRegistry metrics;
    private final RecordingStream stream = new RecordingStream();
    private final Recording rolling;
    private final Map<String, Counter[]> pausesByCollector = new ConcurrentHashMap<>();
    private final Map<String, Counter> collectionsByCause = new ConcurrentHashMap<>();
    private final Map<String, Gauge> nmtByCategory = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> sampledByClass = new ConcurrentHashMap<>();
    private final Counter[] sampledByStage = new Counter[Stage.values().length + 1];
    private final Gauge heapAfterGc;
    private final Gauge threadsActive;
    private final Gauge threadsDaemon;
    private final Counter events;
    private final NativeMemoryTracking nmt;
    private volatile boolean started;
    private volatile long lastSampleNanos;

    public JfrMonitor(MetricRegistry metrics, Duration rollingMaxAge, long rollingMaxBytes) throws IOException {
        this(metrics, rollingMaxAge, rollingMaxBytes, ALLOCATION_SAMPLES_PER_SECOND);
    }

    /**
     * {@code allocationSamplesPerSecond}: the throttle of {@code jdk.ObjectAllocationSample}. More
     * samples make the per-stage estimate of virtual-thread work converge in a shorter window
     * (tests); the relay runs at {@link #ALLOCATION_SAMPLES_PER_SECOND}.
     */
    public JfrMonitor(MetricRegistry metrics, Duration rollingMaxAge, long rollingMaxBytes, int allocationSamplesPerSecond)
            throws IOException {
        this.metrics = metrics;
        this.nmt = new NativeMemoryTracking(new DiagnosticCommands());
        // A fact of the JVM's flags: without it relay_nmt_committed_bytes has nothing to report.
        boolean nmtOn = nmt.enabled();
        metrics.gauge("relay_nmt_enabled",
                "1 when the JVM runs with -XX:NativeMemoryTracking (relay_nmt_committed_bytes needs it), else 0",
                () -> nmtOn ? 1 : 0);
        heapAfterGc = metrics.gauge("relay_jvm_heap_after_gc_bytes", "Java heap used after the last GC");
        threadsActive = metrics.gauge("relay_jvm_threads", "Live platform threads (JFR JavaThreadStatistics)");
        threadsDaemon = metrics.gauge("relay_jvm_daemon_threads", "Live daemon platform threads");
        events = metrics.counter("relay_jfr_events_total", "JFR events consumed by the in-process stream");
        for (Stage stage : Stage.values()) {
            sampledByStage[stage.ordinal()] = metrics.counter("relay_jvm_allocation_sampled_bytes_total",
                    "Heap allocation attributed to a stage from JFR ObjectAllocationSample weights",
                    "stage", stage.label());
        }
        sampledByStage[Stage.values().length] = metrics.counter("relay_jvm_allocation_sampled_bytes_total",
                "Heap allocation attributed to a stage from JFR ObjectAllocationSample weights",
                "stage", "unattributed");

        stream.enable("jdk.GarbageCollection");
        stream.enable("jdk.GCHeapSummary");
        stream.enable("jdk.ObjectAllocationSample").with("throttle", allocationSamplesPerSecond + "/s").withStackTrace();
        stream.enable("jdk.JavaThreadStatistics").withPeriod(Duration.ofSeconds(5));
        stream.enable("jdk.NativeMemoryUsage").withPeriod(Duration.ofSeconds(1)); // as jlay.jfc: gauges from the first second
        stream.onEvent("jdk.GarbageCollection", this::onGc);
        stream.onEvent("jdk.GCHeapSummary", this::onHeapSummary);
        stream.onEvent("jdk.ObjectAllocationSample", this::onAllocation);
        stream.onEvent("jdk.JavaThreadStatistics", this::onThreads);
        stream.onEvent("jdk.NativeMemoryUsage", this::onNativeMemory);
        stream.setMaxAge(Duration.ofSeconds(30));

        rolling = new Recording(settings());
        rolling.setName("jlay-rolling");
        rolling.setToDisk(true);
        rolling.setMaxAge(rollingMaxAge);
        rolling.setMaxSize(rollingMaxBytes);
    }

    /**
     * The rolling recording's settings, {@code jlay.jfc} next to this class: GC, heap, allocation
     * samples, threads, native memory, and nothing that costs per event without being read
     * (docs/memory.md, "What the JFR recording holds"). The JDK's {@code default} set cost the
     * relay several percent of its throughput (docs/benchmarks.md).
     */
    public static Configuration settings() throws IOException {
        try (var in = JfrMonitor.class.getResourceAsStream(SETTINGS)) {
            if (in == null) {
                throw new IOException("missing JFR settings " + SETTINGS);
            }
            return Configuration.create(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.text.ParseException e) {
            throw new IOException("bad JFR settings " + SETTINGS + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts the stream and the rolling recording. The GC and NMT series are registered here, before
     * the first event, so that a scrape right after start has them; with {@code memory.jfr: false}
     * nothing feeds them and they are left out rather than frozen.
     */
    public void start() {
        for (String gc : collectorLabels()) {
            pausesByCollector.computeIfAbsent(gc, this::registerCollector);
        }
        seedNativeMemory(nmt.summary());
        rolling.start();
        stream.startAsync();
        started = true;
    }

    /** The time of the newest allocation sample the stream has handled: everything before it is counted. */
    public Instant lastAllocationSample() {
        long n = lastSampleNanos;
        return Instant.ofEpochSecond(n / 1_000_000_000L, n % 1_000_000_000L);
    }

    /** False when the relay runs with {@code memory.jfr: false}: no stream, no rolling recording. */
    public boolean started() {
        return started;
    }

    /**
     * Writes the last {@code window} of the rolling recording to {@code target} as JFR
     * chunks (whole chunks, so it may reach a little further back). False if there is
     * no data yet. The running recording is copied, not stopped.
     */
    public boolean dumpLast(Duration window, Path target) throws IOException {
        Instant end = Instant.now();
        try (Recording copy = rolling.copy(true)) {
            try (InputStream in = copy.getStream(end.minus(window), end)) {
                if (in == null) {
                    return false;
                }
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                return true;
            }
        }
    }

    /** Sampled allocation by class, largest first (bounded table). */
    public List<Map.Entry<String, Long>> topAllocatingClasses(int limit) {
        return sampledByClass.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue().sum()))
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                .limit(limit).toList();
    }

    private void onGc(RecordedEvent e) {
        events.increment();
        String gc = bounded(pausesByCollector, e.getString("name"));
        Counter[] c = pausesByCollector.computeIfAbsent(gc, this::registerCollector);
        c[0].increment();
        c[1].add(e.getDuration("sumOfPauses").toNanos());
        String cause = bounded(collectionsByCause, e.getString("cause"));
        collectionsByCause.computeIfAbsent(cause, k -> metrics.counter("relay_jvm_gc_causes_total",
                "Garbage collections by cause", "cause", k)).increment();
    }

    /**
     * The {@code gc} label values of this JVM's collectors, as JFR will name them. A bean this
     * table does not know is left out: its series appears with its first collection.
     */
    public static Set<String> collectorLabels() {
        var labels = new LinkedHashSet<String>();
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            String jfrName = JFR_GC_NAMES.get(bean.getName());
            if (jfrName != null) {
                labels.add(label(jfrName));
            }
        }
        return labels;
    }

    /** Stream handlers run on the stream's one thread; registration happens once per label value. */
    private Counter[] registerCollector(String gc) {
        Counter pauseNanos = new Counter();
        metrics.counter("relay_jvm_gc_pause_seconds_total", "Time in GC pauses, per collector",
                "gc", gc, () -> pauseNanos.get() / 1e9);
        return new Counter[]{
                metrics.counter("relay_jvm_gc_collections_total", "Garbage collections, per collector", "gc", gc),
                pauseNanos};
    }

    private static String bounded(Map<String, ?> seen, String raw) {
        String l = label(raw);
        return seen.containsKey(l) || seen.size() < MAX_GC_CAUSES ? l : "other";
    }

    private void onHeapSummary(RecordedEvent e) {
        events.increment();
        if ("After GC".equals(e.getString("when"))) {
            heapAfterGc.set(e.getLong("heapUsed"));
        }
    }

    private void onAllocation(RecordedEvent e) {
        events.increment();
        lastSampleNanos = Math.max(lastSampleNanos, e.getStartTime().getEpochSecond() * 1_000_000_000L
                + e.getStartTime().getNano());
        long weight = e.getLong("weight");
        int stage = stageOf(e.getStackTrace());
        var thread = e.getThread("eventThread");
        if (stage == Stage.values().length && thread != null && thread.isVirtual()
                && thread.getJavaName() != null && thread.getJavaName().startsWith(RECEIVE_THREAD_PREFIX)) {
            stage = Stage.RECEIVE.ordinal();
        }
        sampledByStage[stage].add(weight);
        if (stage < Stage.values().length && thread != null && thread.isVirtual()) {
            // no exact counter on a virtual thread: the sample's weight is the stage's byte figure
            metrics.stage(Stage.values()[stage]).addSampledBytes(weight);
        }
        var type = e.getClass("objectClass");
        String name = type == null ? "unknown" : readable(type.getName());
        LongAdder adder = sampledByClass.get(name);
        if (adder == null && sampledByClass.size() < MAX_CLASSES) {
            adder = sampledByClass.computeIfAbsent(name, k -> new LongAdder());
        }
        if (adder != null) {
            adder.add(weight);
        }
    }

    private void onThreads(RecordedEvent e) {
        events.increment();
        threadsActive.set(e.getLong("activeCount"));
        threadsDaemon.set(e.getLong("daemonCount"));
    }

    private void onNativeMemory(RecordedEvent e) {
        events.increment();
        setNativeMemory(e.getString("type"), e.getLong("committed"));
    }

    /** The first values, until the stream's first NMT events replace them (within a second). */
    void seedNativeMemory(NativeMemoryTracking.Summary summary) {
        if (summary.enabled()) {
            summary.committedByJfrType().forEach(this::setNativeMemory);
        }
    }

    private void setNativeMemory(String type, long committed) {
        String category = NativeMemoryTracking.Summary.label(type);
        Gauge g = nmtByCategory.get(category);
        if (g == null) {
            if (nmtByCategory.size() >= MAX_NMT_CATEGORIES) {
                return;
            }
            g = nmtByCategory.computeIfAbsent(category, c -> metrics.gauge("relay_nmt_committed_bytes",
                    "Committed bytes per Native Memory Tracking category", "category", c));
        }
        g.set(committed);
    }

    /** The stage whose code is nearest the top of the stack: the first dev.jlay frame decides. */
    static int stageOf(RecordedStackTrace trace) {
        if (trace != null) {
            for (RecordedFrame frame : trace.getFrames()) {
                if (!frame.isJavaFrame()) continue;
                Stage s = StageOfCode.of(frame.getMethod().getType().getName());
                if (s != null) return s.ordinal();
            }
        }
        return Stage.values().length;
    }

    /** "[B" becomes "byte[]", "[Ljava.lang.String;" becomes "java.lang.String[]". */
    static String readable(String jvmName) {
        int dims = 0;
        while (dims < jvmName.length() && jvmName.charAt(dims) == '[') dims++;
        if (dims == 0) return jvmName;
        String element = switch (jvmName.charAt(dims)) {
            case 'B' -> "byte";
            case 'C' -> "char";
            case 'D' -> "double";
            case 'F' -> "float";
            case 'I' -> "int";
            case 'J' -> "long";
            case 'S' -> "short";
            case 'Z' -> "boolean";
            default -> jvmName.substring(dims + 1, jvmName.length() - 1);
        };
        return element + "[]".repeat(dims);
    }

    private static String label(String cause) {
        String l = NativeMemoryTracking.Summary.label(cause == null ? "unknown" : cause);
        return l.isEmpty() ? "unknown" : l.length() > 64 ? l.substring(0, 64) : l;
    }

    @Override
    public void close() {
        stream.close();
        rolling.close();
    }

    /** Snapshot for the admin API. */
    public Map<String, Object> snapshot(int topClasses) {
        var out = new LinkedHashMap<String, Object>();
        out.put("heap_after_gc_bytes", heapAfterGc.get());
        out.put("threads", threadsActive.get());
        out.put("top_allocating_classes", topAllocatingClasses(topClasses).stream()
                .map(en -> Map.of("class", en.getKey(), "sampled_bytes", en.getValue())).toList());
        return out;
    }
}
