package dev.jlay.atproto.repo;

import dev.jlay.atproto.ProtocolException;
import dev.jlay.atproto.car.Car;
import dev.jlay.atproto.car.CarReader;
import dev.jlay.atproto.crypto.PublicKey;
import dev.jlay.atproto.mst.InversionResult;
import dev.jlay.atproto.mst.MstInversion;
import dev.jlay.atproto.stream.CommitMessage;

/**
 * A {@code #commit}'s diff, parsed and tied to its message: the CAR (blocks checked against
 * their CIDs), and the commit block, which must be {@code roots[0]} == {@code commit}, present,
 * a valid v3 commit for {@code repo} at {@code rev}.
 */
public record CommitDiff(CommitMessage message, Car car, Commit commit) {

    /** Parses and cross-checks; throws a {@link ProtocolException} subtype when malformed. */
    public static CommitDiff parse(CommitMessage message) {
        Car car = CarReader.readFirehose(message.blocks());
        if (car.roots().isEmpty() || !car.roots().get(0).equals(message.commit())) {
            throw new CommitException("CAR roots[0] is not the commit CID");
        }
        byte[] block = car.block(message.commit());
        if (block == null) {
            throw new CommitException("commit block missing from CAR");
        }
        Commit commit = Commit.decode(block);
        if (!commit.did().equals(message.repo())) {
            throw new CommitException("commit did " + commit.did() + " != repo " + message.repo());
        }
        if (!commit.rev().equals(message.rev())) {
            throw new CommitException("commit rev " + commit.rev() + " != message rev " + message.rev());
        }
        return new CommitDiff(message, car, commit);
    }

    /** Sync v1.1 inversion of the message's ops against the commit's MST. */
    public InversionResult invert() {
        return MstInversion.verify(car.blocks(), commit.data(), message.ops(), message.prevData());
    }

    public boolean verifySignature(PublicKey key) {
        return commit.verify(key);
    }
}
