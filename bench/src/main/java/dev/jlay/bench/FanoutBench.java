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
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The live fan-out (issue 15): the relay's own subscribeRepos ({@link SubscribeRepos}, its pumps on
 * virtual threads, Helidon's WebSocket send) to {@code consumers} raw loopback clients that read and
 * discard. The benchmark thread plays the sequencer: it puts one corpus frame in the ring, publishes
 * it, and waits until every client has its bytes, so each frame wakes every consumer from the ring's
 * wait, the live tail's shape at a few hundred frames/s. One op is one frame delivered to all
 * consumers; with {@code -prof gc}, {@code gc.alloc.rate.norm / consumers} is the heap allocated per
 * frame per consumer (the sequencer's one LogEvent per frame is shared, so compare 4 with 50
 * consumers for the marginal figure). The clients allocate nothing per read.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
public class FanoutBench {
    static final int FRAMES = 200;

    @Param({"4", "50"})
    public int consumers;

    private Path dir;
    private EventLog log;
    private EventRing ring;
    private SubscribeRepos subscribe;
    private WebServer server;
    private final List<RawReader> readers = new ArrayList<>();
    private List<byte[]> corpus;
    private long seq;
    private long expectedBytes;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        corpus = FrameFile.read(Path.of(System.getProperty("corpus", "../shared/corpus/pds0.frames")));
        dir = Files.createTempDirectory("fanout-bench");
        log = EventLog.open(dir, 1, 8L << 20);
        ring = new EventRing(4096, 64L << 20, 0);
        var metrics = new MetricRegistry();
        subscribe = new SubscribeRepos(ring, log, new TakenDownRepos(16),
                new SubscribeRepos.Settings(1000, 30_000, 5_000, 0, 256, 4L << 20), metrics);
        server = WebServer.builder().host("127.0.0.1").port(0)
                .addRouting(WsRouting.builder().endpoint(SubscribeRepos.PATH, subscribe::listener))
                .build().start();
        for (int i = 0; i < consumers; i++) {
            readers.add(RawReader.connect(server.port(), SubscribeRepos.PATH));
        }
        while (subscribe.consumers().size() < consumers) {
            LockSupport.parkNanos(1_000_000);
        }
        seq = 0;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        readers.forEach(RawReader::close);
        subscribe.close();
        server.stop();
        log.close();
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long publishOneAtATime() {
        for (int i = 0; i < FRAMES; i++) {
            byte[] frame = corpus.get(next);
            next = (next + 1) % corpus.size();
            ring.add(new LogEvent(++seq, EventKind.COMMIT, null, 0, 0, frame));
            ring.publish();
            expectedBytes += RawReader.wireBytes(frame.length);
            for (var r : readers) {
                while (r.received() < expectedBytes) {
                    if (r.failed()) {
                        throw new IllegalStateException("a consumer connection ended");
                    }
                    LockSupport.parkNanos(20_000);
                }
            }
        }
        return seq;
    }

    /**
     * A WebSocket client that upgrades with a hand-written request and then only counts the bytes it
     * reads into one reused array: nothing allocated per frame, so the allocation measured is the
     * relay's.
     */
    static final class RawReader implements AutoCloseable {
        private final Socket socket;
        private final Thread thread;
        private volatile long received;
        private volatile boolean failed;

        private RawReader(Socket socket, long already) {
            this.socket = socket;
            this.received = already;
            this.thread = Thread.ofPlatform().daemon(true).name("raw-reader").start(this::readAll);
        }

        /** Header plus payload of one unmasked server frame. */
        static long wireBytes(int payload) {
            return payload + (payload < 126 ? 2 : payload < 65536 ? 4 : 10);
        }

        static RawReader connect(int port, String path) throws IOException {
            return connect(port, path, 1 << 20);
        }

        static RawReader connect(int port, String path, int receiveBuffer) throws IOException {
            var s = new Socket();
            s.connect(new InetSocketAddress("127.0.0.1", port));
            s.setReceiveBufferSize(receiveBuffer);
            String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n";
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            // the response head, byte by byte, so nothing of the stream after it is consumed here
            int matched = 0;
            var head = new StringBuilder();
            while (matched < 4) {
                int b = in.read();
                if (b < 0) throw new IOException("closed during the upgrade: " + head);
                head.append((char) b);
                matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            if (!head.toString().startsWith("HTTP/1.1 101")) {
                throw new IOException("upgrade refused: " + head);
            }
            return new RawReader(s, 0);
        }

        private void readAll() {
            byte[] buf = new byte[64 * 1024];
            try {
                InputStream in = socket.getInputStream();
                int n;
                while ((n = in.read(buf)) >= 0) {
                    received += n; // one writer
                }
            } catch (IOException e) {
                // closed
            }
            failed = true;
        }

        /** Waits until {@code bytes} have arrived; false when the connection ended first. */
        boolean awaitBytes(long bytes) {
            while (received < bytes) {
                if (failed) {
                    return false;
                }
                LockSupport.parkNanos(100_000);
            }
            return true;
        }

        long received() {
            return received;
        }

        boolean failed() {
            return failed;
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
