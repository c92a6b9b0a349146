package dev.jlay.validate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jlay.atproto.crypto.PublicKey;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every DID's key and PDS over time, from PLC audit logs ({@code /{did}/log/audit}:
 * a JSON map DID → operations). Lets an offline verifier judge a commit against
 * the key that was current when it was signed, as a relay online at that time
 * would have, instead of the key in today's document.
 */
public final class PlcHistory {

    private record Entry(Instant at, FrameValidator.Authority authority) {}

    private final Map<String, List<Entry>> byDid;

    private PlcHistory(Map<String, List<Entry>> byDid) {
        this.byDid = byDid;
    }

    /** Parses {@code {did: [auditEntry...]}}; nullified and tombstone operations are skipped. */
    public static PlcHistory parse(JsonNode root) {
        var out = new HashMap<String, List<Entry>>();
        root.fields().forEachRemaining(e -> {
            var list = new ArrayList<Entry>();
            for (JsonNode entry : e.getValue()) {
                if (entry.path("nullified").asBoolean(false)) continue;
                JsonNode op = entry.path("operation");
                if (!"plc_operation".equals(op.path("type").asText())) continue;
                PublicKey key = null;
                String didKey = op.path("verificationMethods").path("atproto").asText(null);
                if (didKey != null) {
                    try {
                        key = PublicKey.fromDidKey(didKey);
                    } catch (RuntimeException ignored) {
                        // an unusable key counts as none, as in a resolved document
                    }
                }
                URI pds = null;
                String endpoint = op.path("services").path("atproto_pds").path("endpoint").asText(null);
                if (endpoint != null) {
                    try {
                        pds = URI.create(endpoint);
                    } catch (IllegalArgumentException ignored) {
                        // no usable PDS
                    }
                }
                list.add(new Entry(Instant.parse(entry.path("createdAt").asText()), new FrameValidator.Authority(key, pds)));
            }
            list.sort((a, b) -> a.at().compareTo(b.at()));
            if (!list.isEmpty()) out.put(e.getKey(), List.copyOf(list));
        });
        return new PlcHistory(out);
    }

    public boolean knows(String did) {
        return byDid.containsKey(did);
    }

    /** The key and PDS in force at {@code at}: the last operation created at or before it (else the first). */
    public Optional<FrameValidator.Authority> at(String did, Instant at) {
        var list = byDid.get(did);
        if (list == null) return Optional.empty();
        var pick = list.getFirst();
        for (var e : list) {
            if (e.at().isAfter(at)) break;
            pick = e;
        }
        return Optional.of(pick.authority());
    }
}
