package dev.jlay.jetstream;

/**
 * One Jetstream JSON event, encoded once and shared by every connection that is sent it: the JSON
 * bytes, and the zstd frame made from them the first time a {@code compress=true} connection
 * needs it (then kept, so each event is compressed once). {@link #did} and {@link #collection}
 * are what filters match, so no connection parses the JSON.
 *
 * @param collection the op's collection; null for identity and account events
 */
public final class JetstreamEvent {
    private final String did;
    private final String collection;
    private final byte[] json;
    private volatile byte[] compressed;
    private volatile String text;

    JetstreamEvent(String did, String collection, byte[] json) {
        this.did = did;
        this.collection = collection;
        this.json = json;
    }

    public String did() {
        return did;
    }

    public String collection() {
        return collection;
    }

    /** The JSON text as UTF-8: sent as a text frame. */
    public byte[] json() {
        return json;
    }

    /** The JSON as a String, for the WebSocket text frame; made once and shared. */
    public String text() {
        var t = text;
        if (t == null) {
            t = new String(json, java.nio.charset.StandardCharsets.UTF_8);
            text = t;
        }
        return t;
    }

    /** The zstd frame (Jetstream's dictionary): sent as a binary frame; made on first use. */
    public byte[] compressed(ZstdFrames zstd) {
        var c = compressed;
        if (c == null) {
            synchronized (this) {
                c = compressed;
                if (c == null) {
                    c = zstd.compress(json);
                    compressed = c;
                }
            }
        }
        return c;
    }

    /** Heap held: the JSON, the zstd frame when made, and the object. */
    long bytes() {
        var c = compressed;
        return 64L + 2L * json.length + (c == null ? 0 : 16 + c.length);
    }
}
