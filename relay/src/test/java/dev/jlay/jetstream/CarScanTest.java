package dev.jlay.jetstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.atproto.car.CarReader;
import dev.jlay.atproto.cid.Cid;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.pipeline.FrameFile;
import dev.jlay.testing.RealworldHosts;
import org.junit.jupiter.api.Test;

/** Walking a CAR's CIDs finds exactly the blocks the full (hash-checking) CAR reader finds. */
class CarScanTest {
    @Test
    void findsEveryBlockOfTheRealCommitsAndNothingElse() throws Exception {
        int blocks = 0;
        for (var frame : FrameFile.read(RealworldHosts.dir().resolve("bsky-network-a.frames"))) {
            var commit = (CommitMessage) FirehoseCodec.decode(frame);
            var car = CarReader.readFirehose(commit.blocks());
            for (var e : car.blocks().entrySet()) {
                assertThat(CarScan.block(commit.blocks(), e.getKey().toBytes())).isEqualTo(e.getValue());
                blocks++;
            }
            assertThat(CarScan.block(commit.blocks(), Cid.ofDagCbor(new byte[] {(byte) 0xa0}).toBytes())).isNull();
        }
        assertThat(blocks).isGreaterThan(300);
    }
}
