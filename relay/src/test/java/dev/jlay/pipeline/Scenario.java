package dev.jlay.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlay.atproto.cbor.DagCbor;
import dev.jlay.atproto.crypto.PublicKey;
import dev.jlay.atproto.json.AtprotoJson;
import dev.jlay.validate.FrameValidator;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One file of ../shared/relay-scenarios, with its messages encoded back to firehose frames. */
record Scenario(String name, boolean lenient, List<Account> accounts, List<Message> messages) {

    record Account(String did, FrameValidator.Authority authority, URI pds, String status) {}

    record Message(int index, String type, long seq, byte[] frame, boolean drop) {}

    /** The scenarios the relay is held to, by file name without {@code .json}. */
    static List<String> names() {
        return List.of("account_lifecycle", "deactivation", "legacy", "post_lifecycle", "post_lifecycle_legacy",
                "rev_ordering", "seq_ordering");
    }

    static Scenario load(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        var accounts = new ArrayList<Account>();
        for (JsonNode a : root.path("accounts")) {
            JsonNode id = a.path("identity");
            URI pds = URI.create(id.path("services").path("atproto_pds").path("url").asText());
            var key = PublicKey.fromMultikey(id.path("keys").path("atproto").path("publicKeyMultibase").asText());
            accounts.add(new Account(id.path("did").asText(), new FrameValidator.Authority(key, pds), pds,
                    a.path("status").asText("active")));
        }
        var messages = new ArrayList<Message>();
        int i = 0;
        for (JsonNode m : root.path("messages")) {
            JsonNode header = m.path("frame").path("header");
            JsonNode body = m.path("frame").path("body");
            messages.add(new Message(i++, header.path("t").asText(), body.path("seq").asLong(),
                    frame(header, body), m.path("drop").asBoolean()));
        }
        String name = file.getFileName().toString().replace(".json", "");
        return new Scenario(name, root.path("lenient").asBoolean(), accounts, messages);
    }

    /** header || body as DAG-CBOR. A null {@code blobs} (the Go fixtures' nil slice) is the empty list. */
    @SuppressWarnings("unchecked")
    static byte[] frame(JsonNode header, JsonNode body) {
        var h = (Map<String, Object>) AtprotoJson.toData(header);
        var b = new java.util.LinkedHashMap<>((Map<String, Object>) AtprotoJson.toData(body));
        if (b.containsKey("blobs") && b.get("blobs") == null) b.put("blobs", List.of());
        byte[] hb = DagCbor.encode(h);
        byte[] bb = DagCbor.encode(b);
        byte[] out = new byte[hb.length + bb.length];
        System.arraycopy(hb, 0, out, 0, hb.length);
        System.arraycopy(bb, 0, out, hb.length, bb.length);
        return out;
    }
}
