package dev.jlay.bench;

import dev.jlay.downstream.SubscribeRepos;
import dev.jlay.downstream.TakenDownRepos;
import dev.jlay.eventlog.EventKind;
import dev.jlay.eventlog.EventLog;
import dev.jlay.eventlog.EventRing;
import dev.jlay.eventlog.LogEvent;
import dev.jlay.metrics.MetricRegistry;
import dev.jlay.pipeline.FrameFile;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A consumer catching up (issue 15: "one more consumer replaying from a cursor 1 hour back catches
 * up at >= 100,000 frames/s"): {@value #EVENTS} corpus frames in a real RocksDB event log, none in
 * the ring, and one op is a new subscribeRepos connection with {@code cursor=0} (the relay's
 * {@link SubscribeRepos}, its pump reading the log in batches) that a raw loopback client reads to
 * the end. Score: frames/s replayed; with {@code -prof gc}, heap bytes per frame replayed (each
 * frame is read out of RocksDB once: its bytes, the LogEvent and the DID string are the floor).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
public class ReplayBench {
    static final int EVENTS = 100_000;

    private Path dir;
    private EventLog log;
    private SubscribeRepos subscribe;
    private WebServer server;
    private long expectedBytes;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        List<byte[]> corpus = FrameFile.read(Path.of(System.getProperty("corpus", "../shared/corpus/pds0.frames")));
        dir = Files.createTempDirectory("replay-bench");
        log = EventLog.open(dir, 1, 64L << 20);
        var batch = new ArrayList<LogEvent>(1000);
        for (int i = 1; i <= EVENTS; i++) {
            byte[] frame = corpus.get(i % corpus.size());
            batch.add(new LogEvent(i, EventKind.COMMIT, "did:plc:replaybench" + (i % 1000), 0,
                    System.currentTimeMillis(), frame));
            expectedBytes += FanoutBench.RawReader.wireBytes(frame.length);
            if (batch.size() == 1000) {
                log.append(batch);
                batch.clear();
            }
        }
        var ring = new EventRing(4096, 64L << 20, log.lastSeq());
        subscribe = new SubscribeRepos(ring, log, new TakenDownRepos(16),
                new SubscribeRepos.Settings(100, 30_000, 5_000, 30_000, 512, 8L << 20), new MetricRegistry());
        server = WebServer.builder().host("127.0.0.1").port(0)
                .addRouting(WsRouting.builder().endpoint(SubscribeRepos.PATH, subscribe::listener))
                .build().start();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        subscribe.close();
        server.stop();
        log.close();
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long replayFromCursorZero() throws IOException {
        try (var reader = FanoutBench.RawReader.connect(server.port(), SubscribeRepos.PATH + "?cursor=0", 4 << 20)) {
            if (!reader.awaitBytes(expectedBytes)) {
                throw new IllegalStateException("the replaying connection ended early");
            }
            return reader.received();
        }
    }
}
