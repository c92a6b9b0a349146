package dev.jlay.upstream;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import dev.jlay.testing.RawWebSocketUpgrade;

/**
 * A WebSocket peer that completes the handshake, sends one binary frame and then goes silent: it
 * never reads again, so it never answers a ping. What a host behind a dead NAT looks like.
 */
final class SilentPeer implements AutoCloseable {
    final AtomicInteger connections = new AtomicInteger();
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    SilentPeer(byte[] firstFrame) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    sockets.add(s);
                    connections.incrementAndGet();
                    Thread.ofVirtual().start(() -> handshake(s, firstFrame));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    private static void handshake(Socket s, byte[] frame) {
        try {
            OutputStream out = RawWebSocketUpgrade.accept(s);
            if (out == null) {
                return;
            }
            out.write(0x82); // FIN + binary; server frames are not masked
            if (frame.length < 126) {
                out.write(frame.length);
            } else {
                out.write(126);
                out.write(frame.length >>> 8);
                out.write(frame.length & 0xff);
            }
            out.write(frame);
            out.flush();
            // and now: silence
        } catch (Exception e) {
            // the client gave up on us: that is the point
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
