package dev.jlay.bench;

import dev.jlay.pipeline.FrameFile;
import io.helidon.common.buffers.BufferData;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
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
 * The upstream WebSocket client (TOOLCHAIN.md): receive {@value #FRAMES} real corpus frames from a
 * Helidon WebSocket server on loopback with the JDK's java.net.http.WebSocket (explicit request(1)
 * flow control, as HostConnection uses it), copying every message into one exact-size byte[], the
 * reader's only per-frame work. Score: frames/s; run with {@code -prof gc} for bytes allocated per
 * frame. Helidon's WsClient, which this once measured beside it, is gone: its newest release on
 * Maven Central (4.2.0) lags the 4.5.0 server, and the comparison is in docs/benchmarks.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class WebSocketClientBench {
    static final int FRAMES = 10_000;
    static final String PATH = "/xrpc/com.atproto.sync.subscribeRepos";

    private WebServer server;
    private URI base;
    private HttpClient jdk;
    private List<byte[]> corpus;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        corpus = FrameFile.read(Path.of(System.getProperty("corpus", "../shared/corpus/pds0.frames")));
        server = WebServer.builder().host("127.0.0.1").port(0)
                .addRouting(WsRouting.builder().endpoint(PATH, () -> new WsListener() {
                    @Override
                    public void onOpen(WsSession session) {
                        Thread.ofVirtual().start(() -> {
                            for (int i = 0; i < FRAMES; i++) {
                                session.send(BufferData.create(corpus.get(i % corpus.size())), true);
                            }
                            session.close(1000, "done");
                        });
                    }
                }))
                .build().start();
        base = URI.create("ws://127.0.0.1:" + server.port());
        jdk = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        jdk.shutdownNow();
        server.stop();
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long jdkWebSocket() throws Exception {
        var done = new CompletableFuture<Long>();
        jdk.newWebSocketBuilder().buildAsync(base.resolve(PATH), new WebSocket.Listener() {
            long bytes;
            int frames;
            byte[] buf = new byte[64 * 1024];
            int len;

            @Override
            public void onOpen(WebSocket ws) {
                ws.request(1);
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
                int n = data.remaining();
                if (last && len == 0) {
                    byte[] whole = new byte[n];
                    data.get(whole);
                    bytes += whole.length;
                } else {
                    if (len + n > buf.length) {
                        buf = Arrays.copyOf(buf, Math.max(len + n, buf.length * 2));
                    }
                    data.get(buf, len, n);
                    len += n;
                    if (last) {
                        bytes += Arrays.copyOf(buf, len).length;
                        len = 0;
                    }
                }
                if (last) {
                    frames++;
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                done.complete(frames == FRAMES ? bytes : -1);
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                done.completeExceptionally(error);
            }
        }).get(10, TimeUnit.SECONDS);
        return check(done.get(60, TimeUnit.SECONDS));
    }

    private static long check(long bytes) {
        if (bytes < 0) {
            throw new IllegalStateException("frames lost");
        }
        return bytes;
    }
}
