package dev.jlay.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** The server side of a WebSocket upgrade on a plain socket, for test peers that write frames by hand. */
public final class RawWebSocketUpgrade {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private RawWebSocketUpgrade() {}

    /**
     * Reads the client's request head (at most 8 KiB) and answers 101 Switching Protocols; the
     * socket's output, or null when the client went away or sent too long a head first.
     */
    public static OutputStream accept(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        byte[] head = new byte[8192];
        int n = 0;
        while (n < 4 || head[n - 4] != '\r' || head[n - 3] != '\n' || head[n - 2] != '\r' || head[n - 1] != '\n') {
            int b = in.read();
            if (b < 0 || n == head.length) return null;
            head[n++] = (byte) b;
        }
        String key = new String(head, 0, n, StandardCharsets.US_ASCII).lines()
                .filter(l -> l.toLowerCase().startsWith("sec-websocket-key:"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElseThrow();
        String accept;
        try {
            accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        OutputStream out = s.getOutputStream();
        out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        return out;
    }
}
