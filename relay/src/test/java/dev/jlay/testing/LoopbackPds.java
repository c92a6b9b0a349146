package dev.jlay.testing;

import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SequencedMessage;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.LongFunction;

/**
 * A PDS stand-in on 127.0.0.1: answers {@code com.atproto.server.describeServer} (so it can be
 * crawled) and serves subscribeRepos as a PDS does. Each connection first gets the frames whose seq
 * is above its {@code cursor} (all of them without one), in order, then every frame {@link #push}ed
 * while it is open. Every cursor asked for is recorded in {@link #cursors}.
 *
 * <p>Named {@code 127.0.0.1:<port>} (as {@code upstream.hosts} lists it), or with {@link #crawlable}
 * {@code localhost:<port>} (what requestCrawl takes: no IP literals). DID documents name {@link #url}.
 */
public final class LoopbackPds implements AutoCloseable {
    private final WebServer server;
    private final String name;
    private final Duration pause;
    private final CountDownLatch gate;
    /** Every frame this host has, with its seq (0 when it is not a sequenced frame); guarded by this. */
    private final List<byte[]> history = new ArrayList<>();
    private final List<Long> seqs = new ArrayList<>();
    /** Connections that have had the history and take pushes; guarded by this. */
    private final List<WsSession> live = new ArrayList<>();
    /** The cursor of each connection, in order; -1 when the connection asked without one. */
    public final List<Long> cursors = new CopyOnWriteArrayList<>();

    public LoopbackPds(List<byte[]> frames) {
        this(frames, Duration.ZERO);
    }

    /** Sends with {@code pause} between frames (a host that is still writing when something happens). */
    public LoopbackPds(List<byte[]> frames, Duration pause) {
        this(frames, pause, new CountDownLatch(0));
    }

    /** Sends nothing on any connection until {@code gate} opens. */
    public LoopbackPds(List<byte[]> frames, Duration pause, CountDownLatch gate) {
        this("127.0.0.1", frames, pause, gate);
    }

    /** Named {@code localhost:<port>}, for requestCrawl; {@code frames} go to every connection. */
    public static LoopbackPds crawlable(List<byte[]> frames) {
        return new LoopbackPds("localhost", frames, Duration.ZERO, new CountDownLatch(0));
    }

    /** Named {@code localhost:<port>}, for requestCrawl, with no frames yet: the test {@link #push}es them. */
    public static LoopbackPds crawlable() {
        return crawlable(List.of());
    }

    private LoopbackPds(String name, List<byte[]> frames, Duration pause, CountDownLatch gate) {
        this.name = name;
        this.pause = pause;
        this.gate = gate;
        frames.forEach(this::append);
        server = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .addRouting(HttpRouting.builder().get("/xrpc/com.atproto.server.describeServer", (req, res) -> {
                    res.header(HeaderValues.CONTENT_TYPE_JSON);
                    res.send("{\"did\":\"did:web:localhost\",\"availableUserDomains\":[\".test\"]}");
                }))
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
                        Thread.ofVirtual().start(() -> catchUp(session, after));
                    }

                    @Override
                    public void onClose(WsSession session, int status, String reason) {
                        synchronized (LoopbackPds.this) {
                            live.remove(session);
                        }
                    }
                }))
                .shutdownHook(false)
                .build()
                .start();
    }

    /** The history after {@code after}, then live: it joins the pushes only once it has all there was. */
    private void catchUp(WsSession session, long after) {
        try {
            gate.await();
            for (int i = 0; ; i++) {
                byte[] frame;
                synchronized (this) {
                    if (i == history.size()) {
                        live.add(session); // no push can slip in between: push() holds the same lock
                        return;
                    }
                    if (after >= 0 && seqs.get(i) <= after) continue;
                    frame = history.get(i);
                }
                session.send(BufferData.create(frame), true);
                if (!pause.isZero()) Thread.sleep(pause);
            }
        } catch (InterruptedException e) {
            // the producer is closing
        } catch (RuntimeException e) {
            // A send failed on an open session (twice in full suite runs, after 2 of 6 frames): the
            // reader would wait on a silent connection. Close it, as a PDS that lost its stream does;
            // the reader reconnects with its cursor and gets the rest.
            System.err.println("loopback pds: send failed, closing the session for a reconnect: " + e);
            try {
                session.close(1011, "send failed");
            } catch (RuntimeException alreadyGone) {
                // the relay went away mid-stream: fine for a test producer
            }
        }
    }

    /** Makes the frame for the next seq (1, 2, ...) and sends it to every connection that is caught up. */
    public synchronized long push(LongFunction<byte[]> frameForSeq) {
        long seq = history.size() + 1;
        var frame = frameForSeq.apply(seq);
        append(frame);
        for (var s : List.copyOf(live)) {
            try {
                s.send(BufferData.create(frame), true);
            } catch (RuntimeException gone) {
                live.remove(s);
            }
        }
        return seq;
    }

    private synchronized void append(byte[] frame) {
        history.add(frame);
        seqs.add(seqOf(frame));
    }

    private static long seqOf(byte[] frame) {
        try {
            return FirehoseCodec.decode(frame) instanceof SequencedMessage m ? m.seq() : 0;
        } catch (RuntimeException notAFrame) {
            return 0;
        }
    }

    /** Open connections that have had the history. */
    public synchronized int connections() {
        return live.size();
    }

    /** The host as the relay is told about it: {@code upstream.hosts}, requestCrawl, the admin API. */
    public String host() {
        return name + ":" + server.port();
    }

    /** The endpoint DID documents name. */
    public String url() {
        return "http://" + host();
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
    }
}
