package dev.jlay.collections;

import dev.jlay.atproto.ProtocolException;
import dev.jlay.atproto.car.CarReader;
import dev.jlay.atproto.mst.BlockSource;
import dev.jlay.atproto.mst.Mst;
import dev.jlay.atproto.mst.MstKey;
import dev.jlay.atproto.repo.Commit;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.RepoOp;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which collections a {@code #commit} proves empty in its repo, from the commit alone (the relay
 * keeps no records). A repo's keys are sorted, so one collection's records ({@code <nsid>/<rkey>})
 * are one contiguous run of keys: after a delete of {@code <nsid>/x}, the collection still has a
 * record exactly when a neighbour of that key in the new tree starts with {@code <nsid>/}. The
 * neighbours lie on the deleted key's own lookup path, which the commit's CAR carries as the proof
 * of the delete (sync v1.1). When that path is incomplete, or the CAR or commit does not decode,
 * nothing is proven and the collection is kept.
 */
final class EmptiedCollections {
    private static final CarReader CARS = new CarReader(new CarReader.Limits(2_000_000, 1_000_000, 10_000));

    private EmptiedCollections() {
    }

    /** Collections the commit deletes from and does not also create or update in: one deleted path each. */
    static Map<String, String> candidates(Iterable<RepoOp> ops) {
        var deleted = new LinkedHashMap<String, String>();
        var written = new LinkedHashSet<String>();
        for (var op : ops) {
            int slash = op.path().indexOf('/');
            if (slash <= 0) {
                continue;
            }
            var nsid = op.path().substring(0, slash);
            if (op.action() == RepoOp.Action.DELETE) {
                deleted.putIfAbsent(nsid, op.path());
            } else {
                written.add(nsid);
            }
        }
        deleted.keySet().removeAll(written);
        return deleted;
    }

    /**
     * Of {@code candidates} (collection → a path the commit deleted from it), those the commit's
     * tree proves empty.
     */
    static Set<String> provenEmpty(CommitMessage commit, Map<String, String> candidates) {
        var out = new LinkedHashSet<String>();
        if (candidates.isEmpty()) {
            return out;
        }
        Mst tree;
        try {
            var car = CARS.read(commit.blocks());
            var block = car.block(commit.commit());
            if (block == null) {
                return out;
            }
            tree = Mst.load(Commit.decode(block).data(), BlockSource.of(car.blocks()));
        } catch (ProtocolException unreadable) {
            return out;
        }
        for (var e : candidates.entrySet()) {
            try {
                var n = tree.neighbors(MstKey.bytes(e.getValue()));
                var prefix = (e.getKey() + "/").getBytes(StandardCharsets.UTF_8);
                if (!n.present() && !startsWith(n.before(), prefix) && !startsWith(n.after(), prefix)) {
                    out.add(e.getKey());
                }
            } catch (ProtocolException incompleteProof) {
                // the path is not all in the CAR: nothing proven, the collection stays
            }
        }
        return out;
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key != null && key.length >= prefix.length
                && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }
}
