package dev.jlay.testing;

import dev.jlay.atproto.car.Car;
import dev.jlay.atproto.car.CarReader;
import dev.jlay.atproto.car.CarWriter;
import dev.jlay.atproto.cbor.DagCbor;
import dev.jlay.atproto.cid.Cid;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.RepoOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ways a recorded {@code #commit} can be tampered with, each paired with the
 * drop reason {@code verify} must give. Each is built so that its own check is the
 * first to fail: where the change is semantic the frame is re-encoded as valid
 * DAG-CBOR and the CAR rebuilt, so the codec and CAR checks still pass. A tampered
 * commit cannot be re-signed (we hold no PDS key), which is why "rev rewound"
 * rewinds the message's rev and not the signed one. Used on recorded corpora
 * ({@code VerifyCommandTest}) and on fresh captures ({@code TamperedCaptureTest}).
 */
public enum Tamper {
    /** One byte of the commit's sig flipped; commit block, its CID, the CAR root and the message rebuilt. */
    SIGNATURE("bad_signature"),
    /** The last op dropped from the message: the signed tree still holds it, so undoing the rest misses prevData. */
    OP_REMOVED("inversion_failed"),
    /** prevData pointing at some other valid CID. */
    PREV_DATA("inversion_failed"),
    /** The message's rev set back to its since; the signed commit keeps its own rev. */
    REV_REWOUND("rev_mismatch"),
    /** Two non-commit blocks trade places under each other's CIDs. */
    CAR_SWAP("bad_car"),
    /** The message cut to half its length. */
    TRUNCATED("malformed_frame");

    /** The drop reason validation must give the tampered frame. */
    public final String reason;

    Tamper(String reason) {
        this.reason = reason;
    }

    /** A commit every tamper applies to: with ops, since, prevData and at least three CAR blocks. */
    public static boolean fits(CommitMessage c) {
        return !c.ops().isEmpty() && c.since() != null && c.prevData() != null && !c.tooBig()
                && CarReader.readFirehose(c.blocks()).blocks().size() >= 3;
    }

    /** The tampered copy of a {@code #commit} frame that {@link #fits}. */
    public byte[] apply(byte[] frame) {
        var c = (CommitMessage) FirehoseCodec.decode(frame);
        return switch (this) {
            case SIGNATURE -> flipSignature(c);
            case OP_REMOVED -> encode(c, c.ops().subList(0, c.ops().size() - 1), c.prevData(), c.rev(), c.commit(), c.blocks());
            case PREV_DATA -> encode(c, c.ops(), Cid.ofDagCbor(DagCbor.encode(Map.of("tampered", "not the previous tree"))),
                    c.rev(), c.commit(), c.blocks());
            case REV_REWOUND -> encode(c, c.ops(), c.prevData(), c.since(), c.commit(), c.blocks());
            case CAR_SWAP -> encode(c, c.ops(), c.prevData(), c.rev(), c.commit(), swapBlocks(c));
            case TRUNCATED -> Arrays.copyOf(frame, frame.length / 2);
        };
    }

    private static byte[] encode(CommitMessage c, List<RepoOp> ops, Cid prevData, String rev, Cid commit, byte[] blocks) {
        return FirehoseCodec.encode(new CommitMessage(c.seq(), c.repo(), commit, rev, c.since(), blocks, ops, prevData,
                c.blobs(), c.time(), c.tooBig(), c.rebase()));
    }

    @SuppressWarnings("unchecked")
    private static byte[] flipSignature(CommitMessage c) {
        Car car = CarReader.readFirehose(c.blocks());
        var commit = new LinkedHashMap<>((Map<String, Object>) DagCbor.decode(car.block(c.commit())));
        byte[] sig = ((byte[]) commit.get("sig")).clone();
        sig[10] ^= 0x01;
        commit.put("sig", sig);
        byte[] block = DagCbor.encode(commit);
        Cid cid = Cid.ofDagCbor(block);
        var blocks = new LinkedHashMap<Cid, byte[]>();
        blocks.put(cid, block);
        car.blocks().forEach((k, v) -> {
            if (!k.equals(c.commit())) blocks.put(k, v);
        });
        return encode(c, c.ops(), c.prevData(), c.rev(), cid, CarWriter.write(List.of(cid), blocks));
    }

    private static byte[] swapBlocks(CommitMessage c) {
        Car car = CarReader.readFirehose(c.blocks());
        var others = new ArrayList<>(car.blocks().keySet());
        others.remove(c.commit());
        var w = new CarWriter(car.roots());
        w.add(c.commit(), car.block(c.commit()));
        w.add(others.get(0), car.block(others.get(1)));
        w.add(others.get(1), car.block(others.get(0)));
        for (var cid : others.subList(2, others.size())) w.add(cid, car.block(cid));
        return w.toByteArray();
    }
}
