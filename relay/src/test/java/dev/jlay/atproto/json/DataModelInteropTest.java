package dev.jlay.atproto.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlay.atproto.ProtocolException;
import dev.jlay.atproto.cbor.DagCbor;
import dev.jlay.atproto.cid.Cid;
import dev.jlay.testing.SharedFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every case of interop/data-model, each as its own named test. */
class DataModelInteropTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static List<JsonNode> cases(String file) throws IOException {
        Path path = SharedFixtures.interopDir().resolve("data-model").resolve(file);
        JsonNode root = MAPPER.readTree(Files.readString(path));
        assertThat(root.isArray() && !root.isEmpty()).as("%s holds cases", file).isTrue();
        var out = new ArrayList<JsonNode>();
        root.forEach(out::add);
        return out;
    }

    @TestFactory
    Stream<DynamicTest> fixtures() throws IOException {
        return cases("data-model-fixtures.json").stream().map(c -> DynamicTest.dynamicTest(
                "fixture " + c.get("cid").asText(), () -> {
                    byte[] expected = Base64.getDecoder().decode(c.get("cbor_base64").asText());
                    Object fromJson = AtprotoJson.toData(c.get("json"));
                    byte[] encoded = DagCbor.encode(fromJson);
                    assertThat(encoded).as("JSON -> canonical CBOR").isEqualTo(expected);
                    assertThat(Cid.ofDagCbor(encoded).toString()).isEqualTo(c.get("cid").asText());
                    Object decoded = DagCbor.decode(expected);
                    assertThat(AtprotoJson.toJson(decoded)).as("CBOR -> JSON").isEqualTo(c.get("json"));
                    assertThat(DagCbor.encode(decoded)).as("decode/encode round trip").isEqualTo(expected);
                }));
    }

    @TestFactory
    Stream<DynamicTest> valid() throws IOException {
        return cases("data-model-valid.json").stream().map(c -> DynamicTest.dynamicTest(
                "valid: " + c.get("note").asText(), () -> {
                    var value = AtprotoJson.toDataObject(c.get("json"));
                    byte[] cbor = DagCbor.encode(value);
                    assertThat(DagCbor.decode(cbor)).isEqualTo(value);
                }));
    }

    @TestFactory
    Stream<DynamicTest> invalid() throws IOException {
        return cases("data-model-invalid.json").stream().map(c -> DynamicTest.dynamicTest(
                "invalid: " + c.get("note").asText(),
                () -> assertThatThrownBy(() -> AtprotoJson.toDataObject(c.get("json")))
                        .isInstanceOf(ProtocolException.class)));
    }
}
