package dev.jlay.upstream;

import dev.jlay.atproto.cbor.DagCbor;
import java.util.LinkedHashMap;
import java.util.Map;

/** Synthetic firehose frames, encoded with the real DAG-CBOR writer. */
final class SyntheticFrames {
    private SyntheticFrames() {}

    static byte[] message(String type, Map<String, Object> payload) {
        return concat(DagCbor.encode(Map.of("op", 1L, "t", type)), DagCbor.encode(payload));
    }

    static byte[] commit(long seq, String repo, int blockBytes) {
        var payload = new LinkedHashMap<String, Object>();
        payload.put("seq", seq);
        payload.put("repo", repo);
        payload.put("rev", "3n36qy4sna22z");
        payload.put("blocks", new byte[blockBytes]);
        payload.put("ops", java.util.List.of());
        return message("#commit", payload);
    }

    static byte[] error(String name, String message) {
        return concat(DagCbor.encode(Map.of("op", -1L)), DagCbor.encode(Map.of("error", name, "message", message)));
    }

    static byte[] info(String name) {
        return message("#info", Map.of("name", name));
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
