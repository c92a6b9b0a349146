package dev.jlay.jetstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jlay.atproto.cbor.DagCbor;
import dev.jlay.atproto.cid.Cid;
import dev.jlay.atproto.stream.AccountMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.IdentityMessage;
import dev.jlay.atproto.stream.SyncMessage;
import dev.jlay.eventlog.EventKind;
import dev.jlay.eventlog.LogEvent;
import dev.jlay.testing.RealworldHosts;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The identity and account shapes against production Jetstream's golden_v1.jsonl, and the lexicon
 * JSON form of records (links, bytes, blobs, nesting) the commit events carry.
 */
class JetstreamTranslatorTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final JetstreamTranslator translator = new JetstreamTranslator();

    private static JsonNode golden(String kind) throws Exception {
        for (var line : RealworldHosts.jsonLines("golden_v1.jsonl")) {
            var node = MAPPER.readTree(line);
            if (node.path("kind").asText().equals(kind)) {
                return node;
            }
        }
        throw new AssertionError("no " + kind + " in golden_v1.jsonl");
    }

    private static JsonNode withoutTime(JsonNode n) {
        var copy = (ObjectNode) n.deepCopy();
        copy.remove("time_us");
        return copy;
    }

    @Test
    void identityEventMatchesProductionShape() throws Exception {
        var golden = golden("identity");
        var id = golden.get("identity");
        var frame = FirehoseCodec.encode(new IdentityMessage(id.get("seq").asLong(), id.get("did").asText(),
                id.get("time").asText(), id.has("handle") ? id.get("handle").asText() : null));
        var e = new LogEvent(7, EventKind.IDENTITY, id.get("did").asText(), 0, 1_000, frame, null, 1_000_123);
        var out = translator.translate(e).events();
        assertThat(out).hasSize(1);
        var json = MAPPER.readTree(out.getFirst().json());
        assertThat(withoutTime(json)).isEqualTo(withoutTime(golden));
        assertThat(json.get("time_us").asLong()).isEqualTo(1_000_123);
        assertThat(out.getFirst().collection()).isNull();
        assertThat(out.getFirst().did()).isEqualTo(id.get("did").asText());
    }

    @Test
    void identityWithHandleCarriesIt() throws Exception {
        var frame = FirehoseCodec.encode(new IdentityMessage(5, "did:plc:abc", "2026-01-01T00:00:00.000Z", "a.test"));
        var out = translator.translate(new LogEvent(5, EventKind.IDENTITY, "did:plc:abc", 0, 1, frame)).events();
        assertThat(MAPPER.readTree(out.getFirst().json()).get("identity").get("handle").asText()).isEqualTo("a.test");
    }

    @Test
    void accountEventMatchesProductionShapeWithAndWithoutStatus() throws Exception {
        var golden = golden("account");
        var a = golden.get("account");
        var frame = FirehoseCodec.encode(new AccountMessage(a.get("seq").asLong(), a.get("did").asText(),
                a.get("time").asText(), a.get("active").asBoolean(), null));
        var out = translator.translate(new LogEvent(8, EventKind.ACCOUNT, a.get("did").asText(), 0, 1, frame)).events();
        assertThat(withoutTime(MAPPER.readTree(out.getFirst().json()))).isEqualTo(withoutTime(golden));

        var down = FirehoseCodec.encode(new AccountMessage(9, "did:plc:abc", "2026-01-01T00:00:00.000Z", false,
                "takendown"));
        var json = MAPPER.readTree(translator.translate(new LogEvent(9, EventKind.ACCOUNT, "did:plc:abc", 0, 1, down))
                .events().getFirst().json());
        assertThat(json.get("account").get("status").asText()).isEqualTo("takendown");
        assertThat(json.get("account").get("active").asBoolean()).isFalse();
    }

    @Test
    void syncAndOtherKindsGiveNothing() {
        var frame = FirehoseCodec.encode(new SyncMessage(3, "did:plc:abc", new byte[] {1}, "3abc", "2026-01-01T00:00:00Z"));
        assertThat(translator.translate(new LogEvent(3, EventKind.SYNC, "did:plc:abc", 0, 1, frame)).events()).isEmpty();
        assertThat(JetstreamTranslator.translatable(EventKind.SYNC)).isFalse();
        assertThat(JetstreamTranslator.translatable(EventKind.COMMIT)).isTrue();
    }

    @Test
    void recordsBecomeLexiconJson() throws Exception {
        var link = Cid.ofDagCbor(new byte[] {(byte) 0xa0});
        var blobRef = Cid.ofRaw(new byte[] {1, 2, 3});
        var record = new LinkedHashMap<String, Object>();
        record.put("$type", "com.example.thing");
        record.put("n", 42L);
        record.put("big", 9_007_199_254_740_993L);
        record.put("neg", -3L);
        record.put("flag", true);
        record.put("nothing", null);
        record.put("bytes", new byte[] {0, 1, 2, (byte) 0xff});
        record.put("link", link);
        record.put("blob", Map.of("$type", "blob", "ref", blobRef, "mimeType", "image/png", "size", 3L));
        record.put("list", List.of("a", List.of(1L), Map.of("k", "v\u00e9\"")));
        // through DAG-CBOR and back, as a record block would be
        var decoded = DagCbor.decode(DagCbor.encode(record));
        var json = MAPPER.readTree(JetstreamTranslator.json(decoded));
        assertThat(json.get("n").asLong()).isEqualTo(42);
        assertThat(json.get("big").asLong()).isEqualTo(9_007_199_254_740_993L);
        assertThat(json.get("neg").asLong()).isEqualTo(-3);
        assertThat(json.get("flag").asBoolean()).isTrue();
        assertThat(json.get("nothing").isNull()).isTrue();
        assertThat(json.get("bytes")).isEqualTo(MAPPER.readTree("{\"$bytes\":\"AAEC/w\"}"));
        assertThat(json.get("link")).isEqualTo(MAPPER.readTree("{\"$link\":\"" + link + "\"}"));
        assertThat(json.get("blob")).isEqualTo(MAPPER.readTree("{\"$type\":\"blob\",\"ref\":{\"$link\":\""
                + blobRef + "\"},\"mimeType\":\"image/png\",\"size\":3}"));
        assertThat(json.get("list").get(2).get("k").asText()).isEqualTo("v\u00e9\"");
        assertThat(json.get("list").get(1).get(0).asInt()).isEqualTo(1);
    }
}
