package dev.jlay.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jlay.atproto.crypto.Curve;
import dev.jlay.atproto.crypto.Keypair;
import dev.jlay.atproto.syntax.Did;
import dev.jlay.testing.SharedFixtures;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Iterator;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DidDocumentParserTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Did DID = Did.parse("did:plc:3nj6cd752h2c66r6sjvkenww");

    static JsonNode corpus() throws Exception {
        return JSON.readTree(SharedFixtures.corpusDir().resolve("did-docs.json").toFile());
    }

    @Test
    void everyCorpusDocumentYieldsKeyPdsAndHandle() throws Exception {
        JsonNode docs = corpus();
        assertThat(docs.size()).isGreaterThanOrEqualTo(16);
        for (Iterator<Map.Entry<String, JsonNode>> it = docs.fields(); it.hasNext(); ) {
            var e = it.next();
            Did did = Did.parse(e.getKey());
            DidDocument doc = DidDocumentParser.parse(did, JSON.writeValueAsBytes(e.getValue()));
            assertThat(doc.did()).isEqualTo(did);
            assertThat(doc.signingKey()).get().extracting(DidDocument.KeyEntry::publicKeyMultibase)
                    .isEqualTo(e.getValue().get("verificationMethod").get(0).get("publicKeyMultibase").textValue());
            assertThat(doc.pds()).contains(URI.create(e.getValue().get("service").get(0).get("serviceEndpoint").textValue()));
            assertThat(doc.handle()).get().extracting(h -> "at://" + h.value())
                    .isEqualTo(e.getValue().get("alsoKnownAs").get(0).textValue());
            Identity identity = Identity.of(doc);
            assertThat(identity.isFunctional()).isTrue();
            assertThat(identity.signingKey().orElseThrow().multikey())
                    .isEqualTo(doc.signingKey().orElseThrow().publicKeyMultibase());
        }
    }

    private static ObjectNode sample() throws Exception {
        return (ObjectNode) corpus().get(DID.value()).deepCopy();
    }

    private static DidDocument parse(JsonNode doc) throws Exception {
        return DidDocumentParser.parse(DID, JSON.writeValueAsBytes(doc));
    }

    @Test
    void idMustEqualTheDid() throws Exception {
        ObjectNode doc = sample().put("id", "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa");
        assertThatThrownBy(() -> parse(doc)).isInstanceOf(IdentityException.InvalidDocument.class);
        doc.remove("id");
        assertThatThrownBy(() -> parse(doc)).isInstanceOf(IdentityException.InvalidDocument.class);
        doc.put("id", 5);
        assertThatThrownBy(() -> parse(doc)).isInstanceOf(IdentityException.InvalidDocument.class);
    }

    @Test
    void notJsonOrNotAnObjectIsInvalid() {
        for (String bad : new String[] {"", "nope", "[]", "\"x\"", "null", "{\"id\":", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
                + "[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"}) {
            assertThatThrownBy(() -> DidDocumentParser.parse(DID, bad.getBytes(StandardCharsets.UTF_8)))
                    .as(bad).isInstanceOf(IdentityException.InvalidDocument.class);
        }
    }

    @Test
    void shortKeyIdIsAcceptedAndOtherFragmentsIgnored() throws Exception {
        ObjectNode doc = sample();
        ArrayNode vms = (ArrayNode) doc.get("verificationMethod");
        ObjectNode original = (ObjectNode) vms.get(0);
        original.put("id", "#atproto");
        ObjectNode other = original.deepCopy().put("id", DID.value() + "#atproto_label").put("publicKeyMultibase", "zOther");
        vms.insert(0, other);
        assertThat(parse(doc).signingKey()).get().extracting(DidDocument.KeyEntry::publicKeyMultibase)
                .isEqualTo(original.get("publicKeyMultibase").textValue());
    }

    @Test
    void keyWithWrongControllerOrTypeOrMissingValueIsNoKey() throws Exception {
        for (var change : new String[][] {{"controller", "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"}, {"type", "JsonWebKey2020"},
                {"publicKeyMultibase", ""}}) {
            ObjectNode doc = sample();
            ((ObjectNode) doc.get("verificationMethod").get(0)).put(change[0], change[1]);
            DidDocument parsed = parse(doc);
            assertThat(parsed.signingKey()).as(change[0]).isEmpty();
            assertThat(parsed.pds()).isPresent();
            assertThat(Identity.of(parsed).isFunctional()).isFalse();
        }
        ObjectNode doc = sample();
        doc.remove("verificationMethod");
        assertThat(parse(doc).signingKey()).isEmpty();
        doc.put("verificationMethod", "not an array");
        assertThat(parse(doc).signingKey()).isEmpty();
    }

    @Test
    void undecodableKeyMeansNoKeyNotACrash() throws Exception {
        ObjectNode doc = sample();
        ((ObjectNode) doc.get("verificationMethod").get(0)).put("publicKeyMultibase", "zQ3shNOTAKEY0OIl");
        DidDocument parsed = parse(doc);
        assertThat(parsed.signingKey()).isPresent();
        assertThat(Identity.of(parsed).signingKey()).isEmpty();
    }

    @Test
    void p256MultikeyDecodes() throws Exception {
        Keypair p256 = Keypair.generate(Curve.P256, new SecureRandom());
        ObjectNode doc = sample();
        ((ObjectNode) doc.get("verificationMethod").get(0)).put("publicKeyMultibase", p256.multikey());
        assertThat(Identity.of(parse(doc)).signingKey()).contains(p256.publicKey());
    }

    @Test
    void pdsEndpointMustBeBareHttpUrl() throws Exception {
        String[][] cases = {
            {"https://pds.example.com", "https://pds.example.com"},
            {"https://PDS.example.com:8443/", "https://pds.example.com:8443"},
            {"http://localhost:2583", "http://localhost:2583"},
            {"https://pds.example.com/xrpc", null},
            {"https://pds.example.com?x=1", null},
            {"https://user@pds.example.com", null},
            {"https://pds.example.com#frag", null},
            {"ftp://pds.example.com", null},
            {"pds.example.com", null},
            {"", null},
            {"https://", null},
        };
        for (String[] c : cases) {
            ObjectNode doc = sample();
            ((ObjectNode) doc.get("service").get(0)).put("serviceEndpoint", c[0]);
            assertThat(parse(doc).pds().map(URI::toString).orElse(null)).as(c[0]).isEqualTo(c[1]);
        }
        ObjectNode wrongType = sample();
        ((ObjectNode) wrongType.get("service").get(0)).put("type", "BskyFeedGenerator");
        assertThat(parse(wrongType).pds()).isEmpty();
        ObjectNode longId = sample();
        ((ObjectNode) longId.get("service").get(0)).put("id", DID.value() + "#atproto_pds");
        assertThat(parse(longId).pds()).isPresent();
    }

    @Test
    void handleIsFirstValidAtUri() throws Exception {
        ObjectNode doc = sample();
        doc.putArray("alsoKnownAs").add("https://example.com").add("at://-bad-.test").add("at://Alice.Example.com")
                .add("at://bob.example.com");
        assertThat(parse(doc).handle()).get().extracting(h -> h.value()).isEqualTo("alice.example.com");
        doc.putArray("alsoKnownAs").add(7);
        assertThat(parse(doc).handle()).isEmpty();
        doc.remove("alsoKnownAs");
        assertThat(parse(doc).handle()).isEmpty();
    }

    @Test
    void randomlyMangledDocumentsNeverCrashTheParser() throws Exception {
        byte[] good = JSON.writeValueAsBytes(sample());
        var random = new Random(20261126);
        for (int i = 0; i < 3000; i++) {
            byte[] bad = good.clone();
            int edits = 1 + random.nextInt(6);
            for (int e = 0; e < edits; e++) {
                bad[random.nextInt(bad.length)] = (byte) random.nextInt(128);
            }
            try {
                DidDocument doc = DidDocumentParser.parse(DID, bad);
                Identity.of(doc); // must not throw either
            } catch (IdentityException.InvalidDocument expected) {
                // fine: typed
            }
        }
    }
}
