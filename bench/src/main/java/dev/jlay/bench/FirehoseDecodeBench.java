package dev.jlay.bench;

import dev.jlay.atproto.car.Car;
import dev.jlay.atproto.car.CarReader;
import dev.jlay.atproto.cbor.DagCbor;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.FrameHeader;
import dev.jlay.atproto.stream.RepoMessage;
import dev.jlay.atproto.stream.SeqStamp;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Firehose decode costs on a typical real #commit from the corpus: one create op, a CAR of
 * about six blocks (commit, MST nodes, record). Single-threaded: figures are per core.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class FirehoseDecodeBench {
    byte[] frame;
    byte[] blocks;
    byte[] commitBlock;
    long seq;

    @Setup(Level.Trial)
    public void pickTypicalCommit() {
        for (byte[] f : CorpusData.frames("pds0.frames")) {
            if (FirehoseCodec.decode(f) instanceof CommitMessage c && c.ops().size() == 1
                    && c.ops().getFirst().action().wire().equals("create")) {
                Car car = CarReader.readFirehose(c.blocks());
                if (car.blocks().size() == 6) {
                    frame = f;
                    blocks = c.blocks();
                    commitBlock = car.block(c.commit());
                    break;
                }
            }
        }
        if (frame == null) {
            throw new IllegalStateException("no typical commit in corpus");
        }
        System.out.printf("%n[typical #commit: frame %d B, CAR %d B, 6 blocks]%n", frame.length, blocks.length);
    }

    @Benchmark
    public FrameHeader peekHeader() {
        return FrameHeader.peek(frame);
    }

    @Benchmark
    public RepoMessage decodeFrame() {
        return FirehoseCodec.decode(frame);
    }

    @Benchmark
    public Car parseCar() {
        return CarReader.readFirehose(blocks);
    }

    @Benchmark
    public Car decodeFrameAndCar() {
        var c = (CommitMessage) FirehoseCodec.decode(frame);
        return CarReader.readFirehose(c.blocks());
    }

    @Benchmark
    public Object decodeCommitBlock() {
        return DagCbor.decode(commitBlock);
    }

    @Benchmark
    public byte[] seqStamp() {
        return SeqStamp.withSeq(frame, ++seq);
    }

    @Benchmark
    public byte[] encodeFrame() {
        return FirehoseCodec.encode(FirehoseCodec.decode(frame));
    }
}
