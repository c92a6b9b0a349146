package dev.jlay.bench;

import dev.jlay.memory.JfrMonitor;
import dev.jlay.metrics.MetricRegistry;
import dev.jlay.pipeline.InboundFrame;
import dev.jlay.pipeline.OfflineDocuments;
import dev.jlay.pipeline.OfflineIdentities;
import dev.jlay.pipeline.PipelineMetrics;
import dev.jlay.pipeline.SequentialRunner;
import dev.jlay.pipeline.StageRecorder;
import dev.jlay.pipeline.ValidatingProcessor;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.validate.FrameValidator;
import dev.jlay.validate.InMemoryChainState;
import dev.jlay.validate.ValidationConfig;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cost of jlay's instrumentation on the validation path: the corpus (698 frames) through
 * {@code ValidatingProcessor} on one thread, in rounds that cycle "off" (no stage meters, no JFR),
 * "meters" (stage meters bound to a registry) and "meters+jfr" (plus {@link JfrMonitor}: the
 * in-process JFR stream with allocation samples and the rolling on-disk recording), so all see the
 * same machine load; medians of the rounds. Reported per CPU-second of the whole process (JFR's own threads included) and of the
 * validating thread. NMT is a JVM flag: run once with and once without
 * {@code JAVA_TOOL_OPTIONS=-XX:NativeMemoryTracking=summary} to see its share.
 * Usage: {@code scripts/bench --main dev.jlay.bench.InstrumentationOverheadProbe [passesPerRound] [rounds]}
 */
public final class InstrumentationOverheadProbe {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private record Frame(String did, String type, String host, byte[] bytes) {}

    public static void main(String[] args) throws Exception {
        int passes = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        var docs = OfflineDocuments.read(CorpusData.corpusDir().resolve("did-docs.json"));
        var ids = new OfflineIdentities(docs);
        for (String did : docs.dids()) ids.resolve(did, false);
        var frames = new ArrayList<Frame>();
        for (var file : List.of(new String[] {"pds0.frames", "localhost:2583"},
                new String[] {"pds1.frames", "localhost:2584"})) {
            for (byte[] f : CorpusData.frames(file[0])) {
                var m = (SequencedMessage) FirehoseCodec.decode(f);
                frames.add(new Frame(m.did(), m.type(), file[1], f));
            }
        }
        System.out.println("warm-up");
        run(frames, ids, StageRecorder.NONE, passes * 2);
        run(frames, ids, PipelineMetrics.stages(new MetricRegistry()), passes * 2);
        double[][] off = new double[rounds][];
        double[][] meters = new double[rounds][];
        double[][] on = new double[rounds][];
        for (int r = 0; r < rounds; r++) {
            off[r] = run(frames, ids, StageRecorder.NONE, passes);
            meters[r] = run(frames, ids, PipelineMetrics.stages(new MetricRegistry()), passes);
            var metrics = new MetricRegistry();
            var jfr = new JfrMonitor(metrics, Duration.ofMinutes(5), 64L << 20);
            jfr.start();
            Thread.sleep(1000); // the recording and the stream are running before the clock starts
            try {
                on[r] = run(frames, ids, PipelineMetrics.stages(metrics), passes);
                Thread.sleep(200); // let the stream consume what the round produced, on the round's bill
            } finally {
                jfr.close();
            }
            System.out.printf("round %d: frames/process-cpu-s off %,.0f, meters %,.0f, meters+jfr %,.0f%n", r,
                    off[r][0], meters[r][0], on[r][0]);
        }
        String[] what = {"frames per process CPU-second", "frames per validating-thread CPU-second",
            "frames per wall second"};
        for (int k = 0; k < what.length; k++) {
            double a = median(off, k);
            double m = median(meters, k);
            double b = median(on, k);
            System.out.printf("%-42s off %,8.0f  meters %,8.0f (%.1f %%)  meters+jfr %,8.0f (%.1f %%)%n", what[k],
                    a, m, 100 * (a - m) / a, b, 100 * (a - b) / a);
        }
        System.out.println("NMT: " + ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.contains("NativeMemoryTracking")).findFirst().orElse("off"));
    }

    private static double median(double[][] rows, int k) {
        double[] v = Arrays.stream(rows).mapToDouble(r -> r[k]).sorted().toArray();
        return v[v.length / 2];
    }

    /** Returns frames per process-CPU-second, per thread-CPU-second, per wall second. */
    private static double[] run(List<Frame> frames, OfflineIdentities ids, StageRecorder stages, int passes) {
        long process0 = OS.getProcessCpuTime();
        long thread0 = THREADS.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        long n = 0;
        for (int p = 0; p < passes; p++) {
            var state = new InMemoryChainState(1 << 20);
            var validator = new FrameValidator(ValidationConfig.strict(), state, Clock.systemUTC());
            var processor = new ValidatingProcessor(validator, state, ids, ids, (f, m, v, emptied) -> {}, stages);
            var runner = new SequentialRunner(processor, ids, 30_000);
            for (var f : frames) {
                if (!runner.run(new InboundFrame(f.did(), f.type(), f.host(), f.bytes())).passes()) {
                    throw new IllegalStateException("a corpus frame failed validation");
                }
                n++;
            }
        }
        double process = (OS.getProcessCpuTime() - process0) / 1e9;
        double thread = (THREADS.getCurrentThreadCpuTime() - thread0) / 1e9;
        double wall = (System.nanoTime() - wall0) / 1e9;
        return new double[] {n / process, n / thread, n / wall};
    }
}
