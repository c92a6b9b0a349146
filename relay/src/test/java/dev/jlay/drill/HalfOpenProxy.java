package dev.jlay.drill;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP forwarder on 127.0.0.1 that a drill can make half-open: while stalled it still accepts
 * connections and keeps every socket open, but forwards not one byte either way, as a peer behind
 * a dead NAT or a hung server does. Nothing is refused and nothing is reset, so only a timeout on
 * the client's side notices. When forwarding resumes, bytes held meanwhile go on.
 */
final class HalfOpenProxy implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private final AtomicLong accepted = new AtomicLong();
    private volatile boolean forwarding = true;
    private volatile boolean closed;

    HalfOpenProxy(String targetHost, int targetPort) throws IOException {
        this.target = new InetSocketAddress(targetHost, targetPort);
        this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("half-open-proxy").start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    long accepted() {
        return accepted.get();
    }

    /** Stops forwarding (true) or resumes it (false). */
    void stall(boolean stalled) {
        synchronized (gate) {
            forwarding = !stalled;
            gate.notifyAll();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                var client = server.accept();
                accepted.incrementAndGet();
                sockets.add(client);
                Thread.ofVirtual().start(() -> connect(client));
            } catch (IOException e) {
                if (!closed) System.err.println("half-open proxy: accept failed: " + e);
            }
        }
    }

    private void connect(Socket client) {
        try {
            awaitForwarding(); // a new connection while stalled is accepted and left hanging
            var upstream = new Socket();
            upstream.connect(target, 5_000);
            sockets.add(upstream);
            Thread.ofVirtual().start(() -> pump(client, upstream));
            pump(upstream, client);
        } catch (IOException | InterruptedException e) {
            closeQuietly(client);
        }
    }

    private void pump(Socket from, Socket to) {
        var buf = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                awaitForwarding(); // the bytes are held here, and nothing more is read: the windows fill
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // one side went away: so does the other
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void awaitForwarding() throws InterruptedException {
        synchronized (gate) {
            while (!forwarding && !closed) gate.wait();
        }
    }

    private void closeQuietly(Socket s) {
        sockets.remove(s);
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        stall(false);
        server.close();
        for (var s : sockets) closeQuietly(s);
    }
}
