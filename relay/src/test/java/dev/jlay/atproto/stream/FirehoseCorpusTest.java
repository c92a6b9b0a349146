package dev.jlay.atproto.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jlay.atproto.car.Car;
import dev.jlay.atproto.car.CarReader;
import dev.jlay.atproto.cid.Cid;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every recorded real frame decodes to its golden values, its CAR checks, and re-encodes byte-identically. */
class FirehoseCorpusTest {

    @Test
    void corpusHasAllFrames() {
        assertThat(CorpusFrames.all()).hasSize(698);
    }

    @TestFactory
    Stream<DynamicTest> everyFrameMatchesGolden() {
        return CorpusFrames.all().stream().map(f -> DynamicTest.dynamicTest(f.name(), () -> check(f)));
    }

    private static void check(CorpusFrames.Frame f) {
        JsonNode g = f.golden();
        assertThat(f.bytes()).hasSize(g.get("bytes").asInt());
        FrameHeader h = FrameHeader.peek(f.bytes());
        assertThat(h.op()).isEqualTo(g.get("op").asInt());
        assertThat(h.type()).isEqualTo(g.get("t").asText());

        RepoMessage m = FirehoseCodec.decode(f.bytes());
        assertThat(m.type()).isEqualTo(g.get("t").asText());
        assertThat(m).isInstanceOf(SequencedMessage.class);
        var s = (SequencedMessage) m;
        assertThat(s.seq()).isEqualTo(g.get("seq").asLong());
        assertThat(s.time()).isEqualTo(g.get("time").asText());
        assertThat(s.did()).isEqualTo(g.has("repo") ? g.get("repo").asText() : g.get("did").asText());
        switch (m) {
            case CommitMessage c -> {
                assertThat(c.rev()).isEqualTo(g.get("rev").asText());
                assertThat(c.since()).isEqualTo(g.get("since").isNull() ? null : g.get("since").asText());
                assertThat(c.commit()).isEqualTo(Cid.parse(g.get("commit").asText()));
                assertThat(c.prevData()).isEqualTo(g.get("prevData").isNull() ? null : Cid.parse(g.get("prevData").asText()));
                assertThat(c.blocks()).hasSize(g.get("blocksBytes").asInt());
                assertThat(c.tooBig()).isEqualTo(g.get("tooBig").asBoolean());
                assertThat(c.rebase()).isEqualTo(g.get("rebase").asBoolean());
                assertThat(c.ops()).hasSize(g.get("ops").size());
                for (int i = 0; i < c.ops().size(); i++) {
                    RepoOp op = c.ops().get(i);
                    JsonNode go = g.get("ops").get(i);
                    assertThat(op.action().wire()).isEqualTo(go.get("action").asText());
                    assertThat(op.path()).isEqualTo(go.get("path").asText());
                    assertThat(op.cid()).isEqualTo(go.get("cid").isNull() ? null : Cid.parse(go.get("cid").asText()));
                    assertThat(op.prev()).isEqualTo(go.path("prev").isTextual() ? Cid.parse(go.get("prev").asText()) : null);
                }
                Car car = CarReader.readFirehose(c.blocks());
                assertThat(car.roots()).first().isEqualTo(c.commit());
                assertThat(car.block(c.commit())).isNotNull();
                car.blocks().forEach((cid, block) -> assertThat(cid.matches(block)).isTrue());
                for (RepoOp op : c.ops()) {
                    if (op.cid() != null) {
                        assertThat(car.block(op.cid())).as("record block of %s", op.path()).isNotNull();
                    }
                }
            }
            case SyncMessage sy -> {
                assertThat(sy.rev()).isEqualTo(g.get("rev").asText());
                assertThat(sy.blocks()).hasSize(g.get("blocksBytes").asInt());
                Car car = CarReader.readFirehose(sy.blocks());
                assertThat(car.blocks()).containsKey(car.roots().getFirst());
            }
            case IdentityMessage i -> assertThat(i.handle()).isEqualTo(g.path("handle").isTextual() ? g.get("handle").asText() : null);
            case AccountMessage a -> {
                assertThat(a.active()).isEqualTo(g.get("active").asBoolean());
                assertThat(a.status()).isEqualTo(g.path("status").isTextual() ? g.get("status").asText() : null);
            }
            default -> throw new AssertionError("unexpected message " + m);
        }
        assertThat(FirehoseCodec.encode(m)).as("canonical re-encode").isEqualTo(f.bytes());
    }

    @TestFactory
    Stream<DynamicTest> seqStampEqualsFullReencode() {
        long[] seqs = {1, 23, 24, 255, 256, 65_535, 65_536, 4_294_967_296L, (1L << 53) - 1};
        return CorpusFrames.all().stream().map(f -> DynamicTest.dynamicTest(f.name(), () -> {
            for (long seq : seqs) {
                byte[] stamped = SeqStamp.withSeq(f.bytes(), seq);
                RepoMessage expected = withSeq(FirehoseCodec.decode(f.bytes()), seq);
                assertThat(stamped).isEqualTo(FirehoseCodec.encode(expected));
                assertThat(((SequencedMessage) FirehoseCodec.decode(stamped)).seq()).isEqualTo(seq);
            }
        }));
    }

    static RepoMessage withSeq(RepoMessage m, long seq) {
        return switch (m) {
            case CommitMessage c -> new CommitMessage(seq, c.repo(), c.commit(), c.rev(), c.since(), c.blocks(), c.ops(),
                    c.prevData(), c.blobs(), c.time(), c.tooBig(), c.rebase());
            case SyncMessage s -> new SyncMessage(seq, s.did(), s.blocks(), s.rev(), s.time());
            case IdentityMessage i -> new IdentityMessage(seq, i.did(), i.time(), i.handle());
            case AccountMessage a -> new AccountMessage(seq, a.did(), a.time(), a.active(), a.status());
            default -> throw new IllegalArgumentException("no seq on " + m);
        };
    }
}
