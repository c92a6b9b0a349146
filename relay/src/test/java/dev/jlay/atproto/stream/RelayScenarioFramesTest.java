package dev.jlay.atproto.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlay.atproto.car.Car;
import dev.jlay.atproto.car.CarReader;
import dev.jlay.atproto.cbor.DagCbor;
import dev.jlay.atproto.json.AtprotoJson;
import dev.jlay.testing.SharedFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every frame of the reference relay's scenarios (JSON form) converts to a DAG-CBOR frame our codec decodes. */
class RelayScenarioFramesTest {
    @TestFactory
    Stream<DynamicTest> everyScenarioFrameDecodes() throws IOException {
        var mapper = new ObjectMapper();
        var tests = new ArrayList<DynamicTest>();
        List<Path> files;
        try (var s = Files.list(SharedFixtures.scenariosDir())) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            JsonNode messages = mapper.readTree(file.toFile()).get("messages");
            for (int i = 0; i < messages.size(); i++) {
                JsonNode frame = messages.get(i).get("frame");
                tests.add(DynamicTest.dynamicTest(file.getFileName() + "#" + i, () -> check(frame)));
            }
        }
        return tests.stream();
    }

    private static void check(JsonNode frame) {
        byte[] header = DagCbor.encode(AtprotoJson.toDataObject(frame.get("header")));
        byte[] body = DagCbor.encode(AtprotoJson.toDataObject(frame.get("body")));
        byte[] bytes = new byte[header.length + body.length];
        System.arraycopy(header, 0, bytes, 0, header.length);
        System.arraycopy(body, 0, bytes, header.length, body.length);
        RepoMessage m = FirehoseCodec.decode(bytes);
        assertThat(m.type()).isEqualTo(frame.get("header").get("t").asText());
        assertThat(((SequencedMessage) m).seq()).isEqualTo(frame.get("body").get("seq").asLong());
        byte[] blocks = switch (m) {
            case CommitMessage c -> c.blocks();
            case SyncMessage s -> s.blocks();
            default -> null;
        };
        if (blocks != null) {
            Car car = CarReader.readFirehose(blocks);
            assertThat(car.blocks()).containsKey(car.roots().getFirst());
        }
        if (m instanceof CommitMessage c) {
            assertThat(car(c).roots().getFirst()).isEqualTo(c.commit());
        }
    }

    private static Car car(CommitMessage c) {
        return CarReader.readFirehose(c.blocks());
    }
}
