package dev.jlay.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An upstream host on a raw socket that speaks just enough WebSocket to be subscribed to, and
 * then does what its {@link Behaviour} says, byte by byte: dribble a frame, flood, ping, send
 * garbage. Named {@code localhost:<port>} (the admin crawl takes it with allow-insecure-hosts).
 */
public final class HostileHost implements AutoCloseable {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** What the host does on each subscribeRepos connection, after the upgrade. */
    @FunctionalInterface
    public interface Behaviour {
        void run(Session session) throws IOException, InterruptedException;
    }

    /** One connection as the behaviour sees it. */
    public static final class Session {
        public final long cursor;
        public final int index;
        private final OutputStream out;
        private final AtomicLong sent;
        /** When false the relay's pings go unanswered (a host stuck mid-frame cannot answer). */
        public volatile boolean answerPings = true;

        Session(long cursor, int index, OutputStream out, AtomicLong sent) {
            this.cursor = cursor;
            this.index = index;
            this.out = out;
            this.sent = sent;
        }

        /** One whole unmasked frame (server to client). */
        public void frame(int opcode, byte[] payload) throws IOException {
            synchronized (out) {
                out.write(frameHeader(opcode, payload.length));
                out.write(payload);
                out.flush();
            }
            sent.addAndGet(payload.length);
        }

        /** Bytes as they are, e.g. part of a frame. */
        public void raw(byte[] bytes) throws IOException {
            synchronized (out) {
                out.write(bytes);
                out.flush();
            }
            sent.addAndGet(bytes.length);
        }
    }

    /** The header of a final, unmasked frame. */
    public static byte[] frameHeader(int opcode, long length) {
        var h = new ByteArrayOutputStream(10);
        h.write(0x80 | opcode);
        if (length < 126) {
            h.write((int) length);
        } else if (length < 65536) {
            h.write(126);
            h.write((int) (length >>> 8));
            h.write((int) length);
        } else {
            h.write(127);
            for (int i = 7; i >= 0; i--) h.write((int) (length >>> (8 * i)));
        }
        return h.toByteArray();
    }

    private final ServerSocket server;
    private final Behaviour behaviour;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong pingsAnswered = new AtomicLong();
    private volatile boolean closed;

    public HostileHost(Behaviour behaviour) throws IOException {
        this.behaviour = behaviour;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("hostile-accept-" + server.getLocalPort()).start(this::accept);
    }

    public String host() {
        return "localhost:" + server.getLocalPort();
    }

    /** subscribeRepos connections the relay made. */
    public long connections() {
        return connections.get();
    }

    /** Payload bytes written (frames and raw bytes). */
    public long sent() {
        return sent.get();
    }

    private void accept() {
        while (!closed) {
            try {
                var socket = server.accept();
                open.add(socket);
                Thread.ofVirtual().start(() -> serve(socket));
            } catch (IOException e) {
                if (closed) return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            var in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            String requestLine = line(in);
            String key = null;
            for (String h; !(h = line(in)).isEmpty(); ) {
                if (h.regionMatches(true, 0, "Sec-WebSocket-Key:", 0, 18)) key = h.substring(18).trim();
            }
            var out = socket.getOutputStream();
            if (key == null) { // describeServer or anything else: a plain answer
                byte[] body = "{\"did\":\"did:web:localhost\"}".getBytes(StandardCharsets.US_ASCII);
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                return;
            }
            String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            var session = new Session(cursor(requestLine), (int) connections.incrementAndGet(), out, sent);
            Thread.ofVirtual().start(() -> readClient(in, session));
            behaviour.run(session);
        } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
            // the relay hung up or the behaviour ended: this connection is done
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(socket);
        }
    }

    /** Reads the relay's frames (masked): answers pings unless told not to, ends on close. */
    private void readClient(DataInputStream in, Session session) {
        try {
            while (true) {
                int b0 = in.readUnsignedByte(), b1 = in.readUnsignedByte();
                long len = b1 & 0x7f;
                if (len == 126) len = in.readUnsignedShort();
                else if (len == 127) len = in.readLong();
                byte[] mask = new byte[4];
                if ((b1 & 0x80) != 0) in.readFully(mask);
                byte[] payload = new byte[(int) Math.min(len, 1 << 20)];
                in.readFully(payload);
                for (int i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
                int opcode = b0 & 0x0f;
                if (opcode == 9 && session.answerPings) {
                    session.frame(10, payload);
                    pingsAnswered.incrementAndGet();
                } else if (opcode == 8) {
                    return;
                }
            }
        } catch (IOException e) {
            // gone
        }
    }

    private static long cursor(String requestLine) {
        int i = requestLine.indexOf("cursor=");
        if (i < 0) return -1;
        int end = i + 7;
        while (end < requestLine.length() && Character.isDigit(requestLine.charAt(end))) end++;
        return end > i + 7 ? Long.parseLong(requestLine.substring(i + 7, end)) : -1;
    }

    private static String line(DataInputStream in) throws IOException {
        var b = new ByteArrayOutputStream(64);
        while (true) {
            int c = in.read();
            if (c < 0) throw new EOFException();
            if (c == '\n') break;
            if (c != '\r') b.write(c);
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        for (var s : open) {
            try {
                s.close();
            } catch (SocketException ignored) {
                // closing
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
