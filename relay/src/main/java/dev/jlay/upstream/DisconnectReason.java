package dev.jlay.upstream;

/**
 * Why a host reader's connection ended (or never opened). Every end is exactly one of these, so
 * {@code relay_upstream_disconnects_total{reason}} adds up to every reconnect; the detail (close
 * code, exception) goes to the log, never into a label.
 */
public enum DisconnectReason {
    /** The host closed the WebSocket (any close code; the code is logged). */
    REMOTE_CLOSE("remote_close"),
    /** TCP connect or the WebSocket handshake failed (refused, reset, HTTP error). */
    CONNECT_FAILED("connect_failed"),
    /** The handshake did not finish within the connect timeout. */
    CONNECT_TIMEOUT("connect_timeout"),
    /** The host's address is one the relay may not connect to (SSRF guard). */
    FORBIDDEN_ADDRESS("forbidden_address"),
    /** Nothing arrived (no frame, no pong) for two ping intervals while the reader was waiting for it. */
    KEEPALIVE_TIMEOUT("keepalive_timeout"),
    /** The open connection failed: reset, broken pipe, a WebSocket protocol error. */
    READ_ERROR("read_error"),
    /** The host sent an error frame (op -1), which the spec makes its last. */
    ERROR_FRAME("error_frame"),
    /** A frame whose header or payload is not well-formed CBOR (the spec closes the connection). */
    MALFORMED("malformed"),
    /** More pings in a second than a keepalive needs. */
    PING_FLOOD("ping_flood"),
    /** The relay-wide reassembly budget could not take this host's fragmented message. */
    REASSEMBLY_FULL("reassembly_full"),
    /** The relay stopped reading the host: shutdown, ban, host removed. */
    STOPPED("stopped"),
    /** A bug in the reader (logged with its stack trace). */
    UNEXPECTED("unexpected");

    private final String label;

    DisconnectReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
