package dev.jlay.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlay.atproto.ProtocolException;
import dev.jlay.atproto.stream.FrameHeader;
import dev.jlay.testing.SharedFixtures;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PayloadFieldsTest {
    @Test
    void matchesTheReferenceDecoderOnEveryCorpusFrame() throws Exception {
        var json = new ObjectMapper();
        List<String> lines = Files.readAllLines(SharedFixtures.corpusDir().resolve("frames.jsonl"));
        List<byte[]> frames = new java.util.ArrayList<>(SharedFixtures.corpusFrames("pds0.frames"));
        frames.addAll(SharedFixtures.corpusFrames("pds1.frames"));
        assertThat(frames).hasSameSizeAs(lines);
        for (int i = 0; i < frames.size(); i++) {
            JsonNode golden = json.readTree(lines.get(i));
            byte[] frame = frames.get(i);
            PayloadFields f = PayloadFields.scan(frame, FrameHeader.peek(frame).payloadOffset());
            assertThat(f.seq()).as("frame %d", i).isEqualTo(golden.get("seq").asLong());
            String did = golden.has("repo") ? golden.get("repo").textValue() : golden.get("did").textValue();
            assertThat(f.did()).as("frame %d", i).isEqualTo(did);
        }
    }

    @Test
    void absentOrOddFieldsAreReportedNotGuessed() {
        assertThat(scan(SyntheticFrames.message("#commit", Map.of("repo", "did:plc:x")))).isEqualTo(new PayloadFields(-1, "did:plc:x"));
        assertThat(scan(SyntheticFrames.message("#commit", Map.of("seq", -5L, "did", 7L)))).isEqualTo(new PayloadFields(-1, null));
        assertThat(scan(SyntheticFrames.message("#commit", Map.of("seq", 0L)))).isEqualTo(new PayloadFields(-1, null));
        assertThat(scan(SyntheticFrames.message("#commit", Map.of("seq", "12", "repo", "did:plc:y", "rebase", true))))
                .isEqualTo(new PayloadFields(-1, "did:plc:y"));
    }

    @Test
    void truncatedAndGarbledPayloadsThrowTheProtocolType() {
        byte[] good = SyntheticFrames.commit(42, "did:plc:yxvo24ctd7irpeth3wjajout", 300);
        int off = FrameHeader.peek(good).payloadOffset();
        var random = new Random(7);
        int failures = 0;
        for (int i = 0; i < 5000; i++) {
            byte[] bad = java.util.Arrays.copyOf(good, off + random.nextInt(good.length - off));
            if (random.nextBoolean() && bad.length > off) {
                bad[off + random.nextInt(bad.length - off)] = (byte) random.nextInt(256);
            }
            try {
                PayloadFields.scan(bad, off);
            } catch (ProtocolException e) {
                failures++;
            }
        }
        assertThat(failures).isGreaterThan(1000);
        assertThatThrownBy(() -> PayloadFields.scan(new byte[] {(byte) 0x82, 1, 2}, 0)).isInstanceOf(ProtocolException.class);
    }

    private static PayloadFields scan(byte[] frame) {
        return PayloadFields.scan(frame, FrameHeader.peek(frame).payloadOffset());
    }
}
