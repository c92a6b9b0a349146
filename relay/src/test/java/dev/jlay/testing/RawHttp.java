package dev.jlay.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 client on a raw socket, for requests java.net.http refuses to send: raw NUL and
 * non-UTF-8 bytes in the request line, oversized or broken headers. Keeps the connection alive
 * between requests and opens a new one when the server closed it. One caller at a time.
 */
public final class RawHttp implements AutoCloseable {
    /** Bodies longer than this are read and thrown away (the drills look only at their start). */
    private static final int KEEP_BODY = 64 * 1024;

    public record Response(int status, Map<String, String> headers, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final int port;
    private final int timeoutMillis;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    public RawHttp(int port, int timeoutMillis) {
        this.port = port;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * Sends the request bytes as given (the caller writes the request line, headers and body) and
     * reads one response. {@code head}: the response has no body whatever its headers say.
     */
    public Response exchange(byte[] request, boolean head) throws IOException {
        for (int attempt = 0; ; attempt++) {
            boolean fresh = socket == null;
            if (fresh) open();
            try {
                out.write(request);
                out.flush();
                return read(head);
            } catch (IOException e) {
                // a kept-alive connection the server closed meanwhile: once more on a new one
                close();
                if (fresh || attempt > 0) throw e;
            }
        }
    }

    private void open() throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        socket.setTcpNoDelay(true);
        in = new java.io.BufferedInputStream(socket.getInputStream(), 16 * 1024);
        out = new java.io.BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
    }

    private Response read(boolean head) throws IOException {
        String statusLine = line();
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) throw new IOException("not a status line: " + statusLine);
        int status = Integer.parseInt(parts[1]);
        var headers = new LinkedHashMap<String, String>();
        for (String h; !(h = line()).isEmpty(); ) {
            int colon = h.indexOf(':');
            if (colon > 0) headers.merge(h.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    h.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
        }
        var body = new ByteArrayOutputStream();
        boolean close = "close".equalsIgnoreCase(headers.getOrDefault("connection", ""));
        if (head || status == 204 || status == 304 || status / 100 == 1) {
            // no body
        } else if ("chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", ""))) {
            while (true) {
                String size = line();
                int semi = size.indexOf(';');
                long n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                if (n == 0) {
                    while (!line().isEmpty()) {
                        // trailers
                    }
                    break;
                }
                copy(n, body);
                line();
            }
        } else if (headers.containsKey("content-length")) {
            copy(Long.parseLong(headers.get("content-length")), body);
        } else {
            copy(Long.MAX_VALUE, body); // until the server closes
            close = true;
        }
        if (close) close();
        return new Response(status, headers, body.toByteArray());
    }

    private void copy(long n, ByteArrayOutputStream body) throws IOException {
        byte[] buf = new byte[8192];
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (r < 0) {
                if (n >= Long.MAX_VALUE / 2) return; // read until close: this is the end
                throw new EOFException("body ended early");
            }
            if (body.size() < KEEP_BODY) body.write(buf, 0, Math.min(r, KEEP_BODY - body.size()));
            n -= r;
        }
    }

    private String line() throws IOException {
        var b = new ByteArrayOutputStream(64);
        while (true) {
            int c = in.read();
            if (c < 0) throw new EOFException("connection closed");
            if (c == '\n') break;
            if (c != '\r') b.write(c);
            if (b.size() > 64 * 1024) throw new IOException("line too long");
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        socket = null;
        in = null;
        out = null;
    }
}
