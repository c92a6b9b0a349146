package dev.jlay.bench;

import dev.jlay.atproto.car.Car;
import dev.jlay.atproto.car.CarReader;
import dev.jlay.atproto.cbor.DagCbor;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.FrameHeader;
import dev.jlay.atproto.stream.SeqStamp;
import java.util.function.IntPredicate;

/**
 * Ops per second of this thread's CPU time, and bytes allocated per op, for the firehose decode
 * path on the same typical #commit as {@link FirehoseDecodeBench}. On the shared, overloaded
 * machine wall-clock JMH scores mostly measure the neighbours; thread CPU time is what one core
 * delivers. Usage: {@code scripts/bench --main dev.jlay.bench.FirehoseCpuProbe [cpuSecondsPerRound] [rounds]}
 */
public final class FirehoseCpuProbe {
    public static void main(String[] args) {
        var probe = CpuProbe.fromArgs(args);
        var b = new FirehoseDecodeBench();
        b.pickTypicalCommit();
        byte[] frame = b.frame;
        byte[] blocks = b.blocks;
        byte[] commitBlock = b.commitBlock;
        report("peekHeader", probe, k -> FrameHeader.peek(frame).op() == 1);
        report("decodeFrame", probe, k -> FirehoseCodec.decode(frame) != null);
        report("parseCar", probe, k -> CarReader.readFirehose(blocks).blocks().size() == 6);
        report("decodeFrameAndCar", probe, k -> {
            var c = (CommitMessage) FirehoseCodec.decode(frame);
            Car car = CarReader.readFirehose(c.blocks());
            return car.blocks().size() == 6;
        });
        report("decodeCommitBlock", probe, k -> DagCbor.decode(commitBlock) != null);
        report("seqStamp", probe, k -> SeqStamp.withSeq(frame, k + 1L).length > 0);
        report("encodeFrame", probe, k -> FirehoseCodec.encode(FirehoseCodec.decode(frame)).length > 0);
    }

    private static void report(String op, CpuProbe probe, IntPredicate body) {
        var r = probe.run(body);
        System.out.printf("%-18s median %,10.0f ops/cpu-s  (min %,.0f, max %,.0f)  %,8.0f B/op%n",
                op, r.median(), r.min(), r.max(), r.bytesPerOp());
    }
}
