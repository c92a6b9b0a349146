package dev.jlay.pipeline;

import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SequencedMessage;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A PDS stand-in on 127.0.0.1: serves subscribeRepos and sends its frames, in
 * order, to every connection (the scenario producer of the reference relay's tests).
 * With a {@code cursor} parameter it sends only the frames whose seq is greater, as a
 * PDS does; every cursor asked for is recorded in {@link #cursors}.
 */
public final class LoopbackPds implements AutoCloseable {

    private final WebServer server;
    /** The cursor of each connection, in order; -1 when the connection asked without one. */
    public final List<Long> cursors = new CopyOnWriteArrayList<>();

    public LoopbackPds(List<byte[]> frames) {
        this(frames, java.time.Duration.ZERO);
    }

    /** Sends with {@code pause} between frames (a host that is still writing when something happens). */
    public LoopbackPds(List<byte[]> frames, java.time.Duration pause) {
        this(frames, pause, new java.util.concurrent.CountDownLatch(0));
    }

    /** Sends nothing on any connection until {@code gate} opens. */
    public LoopbackPds(List<byte[]> frames, java.time.Duration pause, java.util.concurrent.CountDownLatch gate) {
        long[] seqs = frames.stream().mapToLong(LoopbackPds::seqOf).toArray();
        server = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .addRouting(WsRouting.builder().endpoint("/xrpc/com.atproto.sync.subscribeRepos", () -> new WsListener() {
                    long cursor = -1;

                    @Override
                    public Optional<io.helidon.http.Headers> onHttpUpgrade(HttpPrologue prologue,
                                                                          io.helidon.http.Headers headers) {
                        cursor = prologue.query().first("cursor").map(Long::parseLong).orElse(-1L);
                        return Optional.empty();
                    }

                    @Override
                    public void onOpen(WsSession session) {
                        cursors.add(cursor);
                        long after = cursor;
                        Thread.ofVirtual().start(() -> {
                            try {
                                gate.await();
                                for (int i = 0; i < frames.size(); i++) {
                                    if (after >= 0 && seqs[i] <= after) continue;
                                    session.send(BufferData.create(frames.get(i)), true);
                                    if (!pause.isZero()) Thread.sleep(pause);
                                }
                            } catch (RuntimeException | InterruptedException e) {
                                // the relay went away mid-stream: fine for a test producer
                            }
                        });
                    }
                }))
                .build()
                .start();
    }

    private static long seqOf(byte[] frame) {
        try {
            return FirehoseCodec.decode(frame) instanceof SequencedMessage m ? m.seq() : 0;
        } catch (RuntimeException notAFrame) {
            return 0;
        }
    }

    /** The host as the relay is told about it (and as the DID documents name it). */
    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    /** {@code 127.0.0.1:port}: the host name as configured in {@code upstream.hosts}. */
    public String host() {
        return "127.0.0.1:" + server.port();
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
    }
}
