package dev.jlay.cli;

import dev.jlay.atproto.stream.FrameHeader;
import dev.jlay.pipeline.FrameFileWriter;
import dev.jlay.upstream.ConnectionConfig;
import dev.jlay.upstream.MessageReassembler;
import dev.jlay.upstream.SubscribeUri;
import dev.jlay.upstream.WsEvent;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code capture URL --out FILE}: records a {@code subscribeRepos} firehose into the
 * {@link dev.jlay.pipeline.FrameFile} format (what {@code verify} and the corpus use),
 * byte for byte, until {@code --limit}, a close, an error frame or a signal.
 */
@Command(name = "capture", mixinStandardHelpOptions = true,
        description = "Record a firehose (subscribeRepos of a relay or PDS) to a file: 4-byte big-endian length "
                + "+ exact WebSocket message, repeated.")
public final class CaptureCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "ws(s)://HOST[:PORT][/xrpc/com.atproto.sync.subscribeRepos], "
            + "or an http(s)://HOST[:PORT] base URL.")
    String url;

    @Option(names = "--out", required = true, description = "File to write (replaced if it exists).")
    Path out;

    @Option(names = "--limit", description = "Stop after N frames.")
    Long limit;

    @Option(names = "--cursor", description = "Ask the host to replay from this seq.")
    Long cursor;

    @Option(names = "--idle", description = "Stop after this long without a frame once connected "
            + "(e.g. 5s, 500ms): the end of a replay from --cursor.")
    String idle;

    @Option(names = "--connect-timeout", defaultValue = "10s", hidden = true)
    String connectTimeout;

    // the spec's hard cap; settable only so tests need not send 5 MB
    @Option(names = "--max-message-bytes", hidden = true)
    int maxMessageBytes = ConnectionConfig.DEFAULT_MAX_FRAME_BYTES;

    @Spec
    CommandSpec spec;

    private volatile boolean signalled;

    /** {@code 500ms}, {@code 5s}, {@code 2m}, or plain seconds; positive. */
    static Duration duration(String text) {
        String t = text.strip().toLowerCase(java.util.Locale.ROOT);
        try {
            Duration d = t.endsWith("ms") ? Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)))
                    : t.endsWith("s") ? Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000))
                    : t.endsWith("m") ? Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60)
                    : Duration.ofMillis(Math.round(Double.parseDouble(t) * 1000));
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("must be positive: " + text);
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a duration (500ms, 5s, 2m): " + text, e);
        }
    }

    /** The subscribe URL for {@code url}: http(s) maps to ws(s); the subscribeRepos path is optional. */
    static URI subscribeUri(String url, Long cursor) {
        URI u;
        try {
            u = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + url, e);
        }
        if (u.getScheme() == null || u.getHost() == null) {
            throw new IllegalArgumentException("need scheme://host, e.g. wss://bsky.network: " + url);
        }
        if (u.getRawQuery() != null) {
            throw new IllegalArgumentException("no query in the URL; use --cursor: " + url);
        }
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        if (!path.isEmpty() && !path.equals("/") && !path.equals(SubscribeUri.PATH)) {
            throw new IllegalArgumentException("path must be empty or " + SubscribeUri.PATH + ": " + url);
        }
        String hostPort = u.getScheme() + "://" + (u.getHost().contains(":") && !u.getHost().startsWith("[")
                ? "[" + u.getHost() + "]" : u.getHost()) + (u.getPort() >= 0 ? ":" + u.getPort() : "");
        URI base = SubscribeUri.base(hostPort, true);
        // cursor 0 is meaningful (replay the whole window), so it is sent when given
        return URI.create(base + SubscribeUri.PATH + (cursor != null ? "?cursor=" + cursor : ""));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        if (limit != null && limit <= 0) {
            err.println("capture: --limit must be positive");
            err.flush();
            return 2;
        }
        Duration idleFor;
        try {
            idleFor = idle == null ? null : duration(idle);
        } catch (IllegalArgumentException e) {
            err.println("capture: --idle: " + e.getMessage());
            err.flush();
            return 2;
        }
        URI uri;
        try {
            uri = subscribeUri(url, cursor);
        } catch (IllegalArgumentException e) {
            err.println("capture: " + e.getMessage());
            err.flush();
            return 2;
        }
        var done = new CountDownLatch(1);
        // Ctrl-C / SIGTERM: stop reading, let the loop close the file on a record boundary
        Thread hook = new Thread(() -> {
            signalled = true;
            try {
                done.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "capture-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        long t0 = System.nanoTime();
        String ending;
        int exit;
        var writer = new FrameFileWriter(out);
        HttpClient http = HttpClient.newHttpClient();
        WebSocket ws = null;
        try {
            BlockingQueue<WsEvent> events = new ArrayBlockingQueue<>(4);
            CompletableFuture<WebSocket> opening = http.newWebSocketBuilder()
                    .connectTimeout(Duration.parse("PT" + connectTimeout.toUpperCase()))
                    .buildAsync(uri, new MessageReassembler(events, maxMessageBytes));
            Result r;
            try {
                ws = await(opening);
                r = ws == null ? new Result("signal", 0) : record(ws, events, writer, idleFor);
            } catch (ExecutionException e) {
                Throwable c = e.getCause() == null ? e : e.getCause();
                r = new Result("connection to " + uri + " failed: " + c, 1);
            }
            ending = r.ending();
            exit = r.exit();
        } finally {
            try {
                writer.close();
            } finally {
                if (ws != null) {
                    ws.abort();
                }
                http.shutdownNow();
                double seconds = (System.nanoTime() - t0) / 1e9;
                err.printf("capture: %d frames, %d bytes, %.3f seconds -> %s%n",
                        writer.frames(), writer.bytes(), seconds, out);
                err.flush();
                done.countDown();
                if (!signalled) {
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException e) {
                        // the JVM is already shutting down: the hook is running and waits for us
                    }
                }
            }
        }
        err.println("capture: stopped: " + ending);
        err.flush();
        return exit;
    }

    private WebSocket await(CompletableFuture<WebSocket> opening) throws Exception {
        while (!signalled) {
            try {
                return opening.get(200, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // check for a signal, then keep waiting (the builder's own timeout bounds this)
            }
        }
        opening.cancel(true);
        return null;
    }

    private record Result(String ending, int exit) {}

    private Result record(WebSocket ws, BlockingQueue<WsEvent> events, FrameFileWriter writer, Duration idleFor)
            throws Exception {
        long lastFrame = System.nanoTime();
        // MessageReassembler requests the first message on open; each later one is requested here
        while (!signalled) {
            WsEvent e = events.poll(200, TimeUnit.MILLISECONDS);
            switch (e) {
                case null -> {
                    if (idleFor != null && System.nanoTime() - lastFrame >= idleFor.toNanos()) {
                        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(x -> null);
                        return new Result("no frame for " + idle, 0);
                    }
                }
                case WsEvent.Message m -> {
                    lastFrame = System.nanoTime();
                    writer.append(m.bytes());
                    if (isError(m.bytes())) {
                        return new Result("error frame from the host", 0);
                    }
                    if (limit != null && writer.frames() >= limit) {
                        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(x -> null);
                        return new Result("limit of " + limit + " frames", 0);
                    }
                    ws.request(1);
                }
                case WsEvent.Oversize o -> {
                    return new Result("message of " + o.bytes() + " bytes exceeds the " + maxMessageBytes
                            + "-byte limit; not written", 1);
                }
                case WsEvent.Text t -> {
                    return new Result("host sent a text message (subscribeRepos is binary only)", 1);
                }
                case WsEvent.PingFlood p -> {
                    return new Result("host sent more than " + MessageReassembler.MAX_PINGS_PER_SECOND
                            + " pings in a second", 1);
                }
                case WsEvent.ReassemblyFull r -> {
                    return new Result("message reassembly ran out of its " + r.heldBytes() + "-byte budget", 1);
                }
                case WsEvent.Closed c -> {
                    return new Result("closed by host: " + c.code() + (c.reason().isEmpty() ? "" : " " + c.reason()), 0);
                }
                case WsEvent.Failed f -> {
                    return new Result("connection failed: " + f.error(), 1);
                }
            }
        }
        return new Result("signal", 0);
    }

    private static boolean isError(byte[] frame) {
        try {
            return FrameHeader.peek(frame).isError();
        } catch (RuntimeException e) {
            return false; // recorded as received; verify judges it
        }
    }
}
