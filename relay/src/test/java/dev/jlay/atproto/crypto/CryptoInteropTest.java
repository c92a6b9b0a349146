package dev.jlay.atproto.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlay.atproto.cid.Multibase;
import dev.jlay.testing.SharedFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case of interop/crypto as its own test: signature-fixtures.json (valid, high-S, DER) and
 * every w3c_didkey_&lt;CURVE&gt;.json (private key to did:key).
 */
class CryptoInteropTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path cryptoDir() {
        Path dir = SharedFixtures.interopDir().resolve("crypto");
        assertThat(dir).isDirectory();
        return dir;
    }

    @TestFactory
    Stream<DynamicNode> signatureFixtures() throws IOException {
        Path file = cryptoDir().resolve("signature-fixtures.json");
        JsonNode cases = JSON.readTree(file.toFile());
        assertThat(cases.isArray() && !cases.isEmpty()).as("cases in %s", file).isTrue();
        List<DynamicNode> tests = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            JsonNode c = cases.get(i);
            String name = "signature-fixtures.json[" + i + "] " + c.path("algorithm").asText() + " "
                    + (c.path("validSignature").asBoolean() ? "valid" : "invalid") + " " + c.path("tags")
                    + ": " + c.path("comment").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> checkSignatureCase(c)));
        }
        return tests.stream();
    }

    private static void checkSignatureCase(JsonNode c) {
        byte[] message = Base64.getDecoder().decode(c.get("messageBase64").asText());
        byte[] signature = Base64.getDecoder().decode(c.get("signatureBase64").asText());
        boolean expected = c.get("validSignature").asBoolean();
        Curve curve = switch (c.get("algorithm").asText()) {
            case "ES256" -> Curve.P256;
            case "ES256K" -> Curve.K256;
            default -> throw new AssertionError("unknown algorithm " + c.get("algorithm"));
        };

        PublicKey fromDid = PublicKey.fromDidKey(c.get("publicKeyDid").asText());
        assertThat(fromDid.curve()).isEqualTo(curve);
        assertThat(fromDid.didKey()).isEqualTo(c.get("publicKeyDid").asText());
        assertThat(fromDid.verify(message, signature)).as("verify via did:key").isEqualTo(expected);

        if (c.hasNonNull("publicKeyMultibase") && c.hasNonNull("didDocSuite")) {
            PublicKey legacy = Multikey.decodeVerificationMethod(
                    c.get("didDocSuite").asText(), c.get("publicKeyMultibase").asText());
            assertThat(legacy).as("legacy DID-doc key equals did:key").isEqualTo(fromDid);
            assertThat(legacy.verify(message, signature)).as("verify via legacy key").isEqualTo(expected);
        }
    }

    @TestFactory
    Stream<DynamicNode> w3cDidKeyFixtures() throws IOException {
        List<Path> files;
        try (var s = Files.list(cryptoDir())) {
            files = s.filter(p -> p.getFileName().toString().matches("w3c_didkey_.*\\.json")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        List<DynamicNode> containers = new ArrayList<>();
        for (Path file : files) {
            String name = file.getFileName().toString();
            String curveName = name.substring("w3c_didkey_".length(), name.length() - ".json".length());
            Curve curve = Curve.valueOf(curveName);
            JsonNode cases = JSON.readTree(file.toFile());
            assertThat(cases.isArray() && !cases.isEmpty()).as("cases in %s", file).isTrue();
            List<DynamicTest> tests = new ArrayList<>();
            for (int i = 0; i < cases.size(); i++) {
                JsonNode c = cases.get(i);
                String expectedDid = c.get("publicDidKey").asText();
                tests.add(DynamicTest.dynamicTest(name + "[" + i + "] -> " + expectedDid,
                        () -> checkDidKeyCase(curve, c, expectedDid)));
            }
            containers.add(DynamicContainer.dynamicContainer(name, tests));
        }
        return containers.stream();
    }

    private static void checkDidKeyCase(Curve curve, JsonNode c, String expectedDid) {
        byte[] priv;
        if (c.hasNonNull("privateKeyBytesHex")) {
            priv = HexFormat.of().parseHex(c.get("privateKeyBytesHex").asText());
        } else if (c.hasNonNull("privateKeyBytesBase58")) {
            priv = Multibase.decodeBase58btc(c.get("privateKeyBytesBase58").asText());
        } else {
            throw new AssertionError("case has no private key: " + c);
        }
        Keypair kp = Keypair.fromPrivateKey(curve, priv);
        assertThat(kp.didKey()).isEqualTo(expectedDid);
        PublicKey decoded = PublicKey.fromDidKey(expectedDid);
        assertThat(decoded).isEqualTo(kp.publicKey());
        // and the key really is the signing key of that did:key
        byte[] msg = expectedDid.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(decoded.verify(msg, kp.sign(msg))).isTrue();
    }
}
