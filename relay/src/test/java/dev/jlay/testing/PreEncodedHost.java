package dev.jlay.testing;

import dev.jlay.memory.ThreadAllocation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A subscribeRepos host on 127.0.0.1 for tests that weigh the relay's allocation against the whole
 * JVM's: what it sends is WebSocket-framed once, up front, into one array, and every thread it runs
 * is a platform thread, so {@link #allocatedBytes} is exactly what this host allocated (a Helidon
 * server allocates on virtual threads, which share carriers with the relay's host readers and
 * have no counter of their own). Each connection gets the upgrade answer and that array in one
 * write, then its thread reads until the client goes: no cursor, no pushes, no pong (the relay's
 * first ping comes after a minute of silence).
 */
public final class PreEncodedHost implements AutoCloseable {
    private final ServerSocket server;
    private final byte[] stream;
    /** This host's threads; a thread's final count is kept here before it ends (ended threads have none). */
    private final Map<Thread, Long> finalBytes = new ConcurrentHashMap<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    public PreEncodedHost(List<byte[]> frames) throws IOException {
        var out = new ByteArrayOutputStream();
        for (byte[] frame : frames) {
            out.write(0x82); // FIN + binary; server frames are not masked
            if (frame.length < 126) {
                out.write(frame.length);
            } else if (frame.length < 65_536) {
                out.write(126);
                out.write(frame.length >>> 8);
                out.write(frame.length & 0xff);
            } else {
                out.write(127);
                for (int shift = 56; shift >= 0; shift -= 8) out.write((int) ((long) frame.length >>> shift) & 0xff);
            }
            out.write(frame);
        }
        stream = out.toByteArray();
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        start("pre-encoded-host-accept", () -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    sockets.add(s);
                    start("pre-encoded-host-send", () -> serve(s));
                } catch (IOException closed) {
                    return;
                }
            }
        });
    }

    private void start(String name, Runnable body) {
        Thread t = Thread.ofPlatform().daemon().name(name).unstarted(() -> {
            try {
                body.run();
            } finally {
                finalBytes.put(Thread.currentThread(), ThreadAllocation.currentThreadBytes());
            }
        });
        threads.add(t);
        t.start();
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = RawWebSocketUpgrade.accept(s);
            if (out == null) return;
            byte[] head = new byte[8192];
            out.write(stream);
            out.flush();
            while (in.read(head) >= 0) {
                // the client's frames (its close, at the end) are not answered: it aborts the socket itself
            }
        } catch (Exception gone) {
            // the client went away: fine for a test host
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Heap bytes this host's threads have allocated so far (exact: platform threads). */
    public long allocatedBytes() {
        long sum = 0;
        for (Thread t : threads) {
            long live = ThreadAllocation.threadBytes(t);
            // an ended thread has no counter, but it left its final one before ending
            sum += live >= 0 ? live : finalBytes.getOrDefault(t, 0L);
        }
        return sum;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) s.close();
    }
}
