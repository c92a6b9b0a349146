package dev.jlay.atproto.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlay.atproto.cbor.DagCbor;
import dev.jlay.testing.SharedFixtures;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Keys and signatures made by the reference implementation, from the recorded corpus. */
class CorpusKeysTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyDidDocumentKeyDecodes() throws IOException {
        JsonNode docs = JSON.readTree(SharedFixtures.corpusDir().resolve("did-docs.json").toFile());
        int decoded = 0;
        for (var it = docs.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            for (JsonNode vm : e.getValue().path("verificationMethod")) {
                PublicKey key = Multikey.decodeVerificationMethod(
                        vm.get("type").asText(), vm.get("publicKeyMultibase").asText());
                assertThat(key.multikey()).isEqualTo(vm.get("publicKeyMultibase").asText());
                decoded++;
            }
        }
        assertThat(decoded).isGreaterThanOrEqualTo(docs.size());
    }

    /**
     * Every PLC operation in the audit log is signed (64-byte low-S, base64url) over the DAG-CBOR of the
     * operation without {@code sig}, by a rotation key of the previous operation (the genesis op by one
     * of its own). Verifying them checks decoding and verification against real reference signatures.
     */
    @Test
    void everyPlcOperationSignatureVerifies() throws IOException {
        JsonNode logs = JSON.readTree(SharedFixtures.corpusDir().resolve("plc-audit-log.json").toFile());
        int verified = 0;
        for (var it = logs.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            List<String> rotationKeys = null;
            for (JsonNode entry : e.getValue()) {
                JsonNode op = entry.get("operation");
                if (entry.path("nullified").asBoolean()) {
                    continue;
                }
                List<String> signers = rotationKeys != null ? rotationKeys : strings(op.get("rotationKeys"));
                @SuppressWarnings("unchecked")
                var unsigned = (Map<String, Object>) toDataModel(op);
                unsigned.remove("sig");
                byte[] bytes = DagCbor.encode(unsigned);
                byte[] sig = Base64.getUrlDecoder().decode(op.get("sig").asText());
                boolean ok = signers.stream().anyMatch(k -> PublicKey.fromDidKey(k).verify(bytes, sig));
                assertThat(ok).as("PLC op %s of %s", entry.get("cid"), e.getKey()).isTrue();
                // and a flipped bit in the signed bytes breaks it
                bytes[bytes.length / 2] ^= 1;
                assertThat(signers.stream().anyMatch(k -> PublicKey.fromDidKey(k).verify(bytes, sig))).isFalse();
                verified++;
                if (op.has("rotationKeys")) {
                    rotationKeys = strings(op.get("rotationKeys"));
                }
            }
        }
        assertThat(verified).isGreaterThanOrEqualTo(logs.size());
    }

    private static List<String> strings(JsonNode arr) {
        var out = new ArrayList<String>();
        arr.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** PLC operations are plain JSON: objects, arrays, strings, null (and booleans/ints in principle). */
    private static Object toDataModel(JsonNode n) {
        return switch (n.getNodeType()) {
            case OBJECT -> {
                var m = new LinkedHashMap<String, Object>();
                n.properties().forEach(e -> m.put(e.getKey(), toDataModel(e.getValue())));
                yield m;
            }
            case ARRAY -> {
                var l = new ArrayList<Object>();
                n.forEach(x -> l.add(toDataModel(x)));
                yield l;
            }
            case STRING -> n.asText();
            case NULL -> null;
            case BOOLEAN -> n.asBoolean();
            case NUMBER -> n.asLong();
            default -> throw new AssertionError("unexpected JSON in PLC op: " + n);
        };
    }
}
