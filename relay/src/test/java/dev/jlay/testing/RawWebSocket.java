package dev.jlay.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a raw socket, for drills that need thousands of them and control over what
 * the client does at the byte level: connect and cut at once, never read (with a small receive
 * buffer, so the server's writes stall soon), or read frames one by one. Client frames are masked
 * as RFC 6455 asks; server frames are read whole (no reassembly of fragmented messages needed for
 * the relay, which sends each event as one frame).
 */
public final class RawWebSocket implements AutoCloseable {
    public static final int BINARY = 2, CLOSE = 8, PING = 9, PONG = 10;

    public record Frame(int opcode, boolean fin, byte[] payload) {
        /** The status code of a close frame, or -1. */
        public int closeCode() {
            return opcode == CLOSE && payload.length >= 2 ? (payload[0] & 0xff) << 8 | payload[1] & 0xff : -1;
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawWebSocket(Socket socket, DataInputStream in) throws IOException {
        this.socket = socket;
        this.in = in;
        this.out = socket.getOutputStream();
    }

    /**
     * Connects and upgrades. {@code receiveBuffer} > 0 sets the socket's receive buffer before
     * connecting (a consumer that never reads then stalls the server within a few KiB).
     *
     * @throws UpgradeRefused if the server answered with anything but 101
     */
    public static RawWebSocket open(int port, String pathAndQuery, int receiveBuffer, int timeoutMillis)
            throws IOException {
        return open(port, pathAndQuery, "127.0.0.1:" + port, receiveBuffer, timeoutMillis);
    }

    /** As {@link #open(int, String, int, int)}, naming {@code host} in the Host header (one listener, many hosts). */
    public static RawWebSocket open(int port, String pathAndQuery, String host, int receiveBuffer, int timeoutMillis)
            throws IOException {
        var socket = new Socket();
        try {
            if (receiveBuffer > 0) socket.setReceiveBufferSize(receiveBuffer);
            socket.setSoTimeout(timeoutMillis);
            socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
            byte[] key = new byte[16];
            ThreadLocalRandom.current().nextBytes(key);
            String request = "GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                    + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n"
                    + "User-Agent: jlay-drill\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            var in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 8192));
            String status = line(in);
            while (!line(in).isEmpty()) {
                // headers: not needed
            }
            String[] parts = status.split(" ", 3);
            int code = parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
            if (code != 101) throw new UpgradeRefused(code, status);
            return new RawWebSocket(socket, in);
        } catch (IOException | RuntimeException e) {
            cut(socket);
            throw e;
        }
    }

    /** The server answered the upgrade with another status (e.g. 503 at the consumer limit). */
    public static final class UpgradeRefused extends IOException {
        public final int status;

        UpgradeRefused(int status, String line) {
            super("upgrade refused: " + line);
            this.status = status;
        }
    }

    /** The next frame from the server; pings are answered here and returned too. */
    public Frame read() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7f;
        if (len == 126) len = in.readUnsignedShort();
        else if (len == 127) len = in.readLong();
        if (len < 0 || len > 64L << 20) throw new IOException("frame of " + len + " bytes");
        byte[] mask = null;
        if ((b1 & 0x80) != 0) {
            mask = new byte[4];
            in.readFully(mask);
        }
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        if (mask != null) for (int i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
        var frame = new Frame(b0 & 0x0f, (b0 & 0x80) != 0, payload);
        if (frame.opcode == PING) send(PONG, payload);
        return frame;
    }

    /** Sends a masked frame (client to server). */
    public synchronized void send(int opcode, byte[] payload) throws IOException {
        var f = new ByteArrayOutputStream(payload.length + 14);
        f.write(0x80 | opcode);
        if (payload.length < 126) {
            f.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            f.write(0x80 | 126);
            f.write(payload.length >>> 8);
            f.write(payload.length);
        } else {
            f.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) f.write((int) ((long) payload.length >>> (8 * i)));
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        f.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) f.write(payload[i] ^ mask[i & 3]);
        out.write(f.toByteArray());
        out.flush();
    }

    /** A close frame with status 1000. */
    public void sendClose() throws IOException {
        send(CLOSE, new byte[]{0x03, (byte) 0xe8});
    }

    public Socket socket() {
        return socket;
    }

    /** Closes with a reset (SO_LINGER 0): no TIME_WAIT left behind, however many connections a drill makes. */
    @Override
    public void close() {
        cut(socket);
    }

    private static void cut(Socket socket) {
        try {
            if (!socket.isClosed()) {
                if (socket.isConnected()) socket.setSoLinger(true, 0);
                socket.close();
            }
        } catch (IOException ignored) {
            // gone already
        }
    }

    private static String line(DataInputStream in) throws IOException {
        var b = new ByteArrayOutputStream(64);
        while (true) {
            int c = in.read();
            if (c < 0) throw new EOFException("connection closed during the upgrade");
            if (c == '\n') break;
            if (c != '\r') b.write(c);
            if (b.size() > 16 * 1024) throw new IOException("header line too long");
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }
}
