package dev.jlay.atproto.mst;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlay.atproto.cid.Cid;
import dev.jlay.testing.SharedFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every case of interop/mst and interop/firehose/commit-proof-fixtures.json, one test each. */
class MstInteropTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode read(String relative) throws IOException {
        Path file = SharedFixtures.interopDir().resolve(relative);
        return JSON.readTree(file.toFile());
    }

    @TestFactory
    Stream<DynamicTest> keyHeights() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        int index = 0;
        for (JsonNode c : read("mst/key_heights.json")) {
            String key = c.get("key").asText();
            int height = c.get("height").asInt();
            tests.add(DynamicTest.dynamicTest("#" + index++ + " '" + key + "' -> " + height,
                    () -> assertThat(MstKey.height(key)).isEqualTo(height)));
        }
        assertThat(tests).isNotEmpty();
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> commonPrefix() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        int index = 0;
        for (JsonNode c : read("mst/common_prefix.json")) {
            String left = c.get("left").asText();
            String right = c.get("right").asText();
            int len = c.get("len").asInt();
            tests.add(DynamicTest.dynamicTest("#" + index++ + " '" + left + "' '" + right + "' -> " + len,
                    () -> assertThat(MstKey.commonPrefixLength(left, right)).isEqualTo(len)));
        }
        assertThat(tests).isNotEmpty();
        return tests.stream();
    }

    /** example_keys.txt names each key's height right after its first letter. */
    @TestFactory
    Stream<DynamicTest> exampleKeyHeights() throws IOException {
        List<String> keys = Files.readAllLines(
                SharedFixtures.interopDir().resolve("mst/example_keys.txt"), StandardCharsets.UTF_8);
        List<DynamicTest> tests = new ArrayList<>();
        for (String key : keys) {
            if (key.isBlank()) {
                continue;
            }
            int expected = Character.digit(key.charAt(1), 10);
            tests.add(DynamicTest.dynamicTest(key, () -> assertThat(MstKey.height(key)).isEqualTo(expected)));
        }
        assertThat(tests).isNotEmpty();
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> commitProofs() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        int index = 0;
        for (JsonNode c : read("firehose/commit-proof-fixtures.json")) {
            String name = "#" + index++ + " " + (c.has("comment") ? c.get("comment").asText() : "");
            tests.add(DynamicTest.dynamicTest(name + ": roots before and after", () -> checkRoots(c)));
            tests.add(DynamicTest.dynamicTest(name + ": covering proof blocks", () -> checkProofBlocks(c)));
            tests.add(DynamicTest.dynamicTest(name + ": inversion from proof blocks only", () -> checkInversion(c)));
        }
        assertThat(tests).isNotEmpty();
        return tests.stream();
    }

    private static Mst before(JsonNode c) {
        Cid leaf = Cid.parse(c.get("leafValue").asText());
        var tree = Mst.empty();
        for (String key : strings(c.get("keys"))) {
            tree.put(key, leaf);
        }
        return tree;
    }

    private static Mst after(JsonNode c) {
        Cid leaf = Cid.parse(c.get("leafValue").asText());
        var tree = before(c);
        for (String key : strings(c.get("adds"))) {
            tree.put(key, leaf);
        }
        for (String key : strings(c.get("dels"))) {
            assertThat(tree.delete(key)).as("delete %s", key).isTrue();
        }
        return tree;
    }

    private static void checkRoots(JsonNode c) {
        assertThat(before(c).rootCid()).hasToString(c.get("rootBeforeCommit").asText());
        assertThat(after(c).rootCid()).hasToString(c.get("rootAfterCommit").asText());
    }

    private static Map<Cid, byte[]> coveringProof(Mst tree, JsonNode c) {
        Map<Cid, byte[]> proof = new LinkedHashMap<>();
        for (String key : strings(c.get("adds"))) {
            tree.addCoveringProof(MstKey.bytes(key), proof);
        }
        for (String key : strings(c.get("dels"))) {
            tree.addCoveringProof(MstKey.bytes(key), proof);
        }
        return proof;
    }

    private static void checkProofBlocks(JsonNode c) {
        Set<String> expected = new HashSet<>(strings(c.get("blocksInProof")));
        Set<String> actual = new HashSet<>();
        coveringProof(after(c), c).keySet().forEach(cid -> actual.add(cid.toString()));
        assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static void checkInversion(JsonNode c) {
        Cid leaf = Cid.parse(c.get("leafValue").asText());
        Map<Cid, byte[]> all = after(c).allBlocks();
        Map<Cid, byte[]> proofOnly = new LinkedHashMap<>();
        for (String cid : strings(c.get("blocksInProof"))) {
            Cid id = Cid.parse(cid);
            assertThat(all).as("proof block %s belongs to the post-commit tree", cid).containsKey(id);
            proofOnly.put(id, all.get(id));
        }
        var partial = Mst.load(Cid.parse(c.get("rootAfterCommit").asText()), BlockSource.of(proofOnly));
        for (String key : strings(c.get("adds"))) {
            assertThat(partial.get(key)).isEqualTo(leaf);
            assertThat(partial.delete(key)).isTrue();
        }
        for (String key : strings(c.get("dels"))) {
            assertThat(partial.get(key)).isNull();
            partial.put(key, leaf);
        }
        assertThat(partial.rootCid()).hasToString(c.get("rootBeforeCommit").asText());
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null) {
            array.forEach(n -> out.add(n.asText()));
        }
        return out;
    }
}
