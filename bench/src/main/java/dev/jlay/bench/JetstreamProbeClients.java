package dev.jlay.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The consumers of {@link JetstreamRelayShareProbe}, in their own JVM so the relay's CPU is measured
 * alone: connects one JDK WebSocket per line of a file of query strings to {@code /subscribe}, reads
 * and discards, counting whole messages. Talks to its parent on stdin/stdout: prints {@code ready}
 * once every socket is open; on each {@code count} line prints {@code count <messages> <cpuNanos>}
 * (this process's CPU); exits when stdin closes.
 * Usage: {@code JetstreamProbeClients <port> <queries file>}
 */
public final class JetstreamProbeClients {
    private JetstreamProbeClients() {
    }

    private static final AtomicLong MESSAGES = new AtomicLong();

    /** Discards what it reads; counts the last fragment of each message. */
    private static final class Discarding implements WebSocket.Listener {
        @Override
        public void onOpen(WebSocket ws) {
            ws.request(64);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            if (last) MESSAGES.incrementAndGet();
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            if (last) MESSAGES.incrementAndGet();
            ws.request(1);
            return null;
        }
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        var queries = Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8);
        var http = HttpClient.newHttpClient();
        var sockets = new ArrayList<WebSocket>();
        for (var q : queries) {
            sockets.add(http.newWebSocketBuilder().buildAsync(
                    URI.create("ws://127.0.0.1:" + port + "/subscribe" + (q.isEmpty() ? "" : "?" + q)),
                    new Discarding()).get(30, TimeUnit.SECONDS));
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        var out = System.out;
        out.println("ready " + sockets.size());
        out.flush();
        var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("count")) {
                out.println("count " + MESSAGES.get() + " " + os.getProcessCpuTime());
                out.flush();
            }
        }
        sockets.forEach(WebSocket::abort);
        System.exit(0);
    }
}
