package dev.jlay.atproto.mst;

import dev.jlay.atproto.cid.Cid;
import dev.jlay.atproto.mst.InversionResult.Status;
import dev.jlay.atproto.stream.RepoOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Sync v1.1 commit inversion: proves a commit's ops against its new MST using only the blocks
 * of the commit's diff, undoes them, and checks that the result is the previous root.
 *
 * <p>Only the nodes the ops walk through are decoded (once each); untouched subtrees stay
 * CID stubs and are never re-hashed. Pure and allocation-light: safe to call from any thread.
 */
public final class MstInversion {
    /** Ops per commit allowed by the sync spec and lexicon. */
    public static final int MAX_OPS = 200;

    private MstInversion() {}

    /**
     * @param blocks   the diff CAR's blocks (already checked against their CIDs)
     * @param newRoot  the commit's {@code data}
     * @param ops      the message's ops
     * @param prevData the message's {@code prevData} (null gives {@link Status#NO_PREV_DATA})
     */
    public static InversionResult verify(Map<Cid, byte[]> blocks, Cid newRoot, List<RepoOp> ops, Cid prevData) {
        if (prevData == null) {
            return InversionResult.fail(Status.NO_PREV_DATA, "commit has no prevData");
        }
        if (ops.size() > MAX_OPS) {
            return InversionResult.fail(Status.BAD_OP, ops.size() + " ops, limit " + MAX_OPS);
        }
        byte[][] keys = new byte[ops.size()][];
        InversionResult shape = checkShapes(ops, keys);
        if (shape != null) {
            return shape;
        }
        var tree = Mst.load(newRoot, BlockSource.of(blocks));
        List<String> emptied = List.of();
        try {
            for (int i = 0; i < keys.length; i++) {
                RepoOp op = ops.get(i);
                Cid found = tree.get(keys[i]);
                Cid expected = op.action() == RepoOp.Action.DELETE ? null : op.cid();
                if (found == null ? expected != null : !found.equals(expected)) {
                    return InversionResult.fail(Status.OP_MISMATCH,
                            op.action().wire() + " " + op.path() + ": tree has " + found);
                }
                if (expected != null && !blocks.containsKey(expected)) {
                    return InversionResult.fail(Status.MISSING_RECORD, op.path() + " record " + expected);
                }
                if (expected == null && provesEmpty(tree, keys[i], emptied)) {
                    if (emptied.isEmpty()) {
                        emptied = new ArrayList<>(2);
                    }
                    emptied.add(op.path().substring(0, op.path().indexOf('/')));
                }
            }
            for (int i = 0; i < keys.length; i++) {
                RepoOp op = ops.get(i);
                switch (op.action()) {
                    case CREATE -> tree.delete(keys[i]);
                    case UPDATE, DELETE -> tree.put(keys[i], op.prev());
                }
            }
            Cid root = tree.rootCid();
            if (!root.equals(prevData)) {
                return InversionResult.fail(Status.ROOT_MISMATCH, "inverted root " + root + " != prevData " + prevData);
            }
            return InversionResult.ok(emptied);
        } catch (MissingBlockException e) {
            return InversionResult.fail(Status.MISSING_BLOCK, e.getMessage());
        } catch (MstException e) {
            return InversionResult.fail(Status.BAD_NODE, e.getMessage());
        }
    }

    /**
     * Whether the new tree holds no other key of the deleted key's collection: neither neighbour
     * of the key starts with its {@code <nsid>/}. The neighbours lie on the lookup path that
     * {@code get} has just loaded, so this reads no block. A collection already found is skipped.
     */
    private static boolean provesEmpty(Mst tree, byte[] deleted, List<String> found) {
        int slash = 0;
        while (deleted[slash] != '/') {
            slash++;
        }
        int prefix = slash + 1;
        for (String nsid : found) {
            if (nsid.length() == slash && Arrays.equals(deleted, 0, slash, MstKey.bytes(nsid), 0, slash)) {
                return false;
            }
        }
        var n = tree.neighbors(deleted);
        return !n.present() && !sharesPrefix(n.before(), deleted, prefix) && !sharesPrefix(n.after(), deleted, prefix);
    }

    private static boolean sharesPrefix(byte[] key, byte[] deleted, int prefix) {
        return key != null && key.length >= prefix && Arrays.equals(key, 0, prefix, deleted, 0, prefix);
    }

    /** Checks each op's fields against its action and the path shape; fills keys. */
    private static InversionResult checkShapes(List<RepoOp> ops, byte[][] keys) {
        HashSet<String> seen = ops.size() > 1 ? new HashSet<>(ops.size() * 2) : null;
        for (int i = 0; i < keys.length; i++) {
            RepoOp op = ops.get(i);
            if (op.action() == null || op.path() == null) {
                return InversionResult.fail(Status.BAD_OP, "op without action or path");
            }
            boolean shapeOk = switch (op.action()) {
                case CREATE -> op.cid() != null && op.prev() == null;
                case UPDATE -> op.cid() != null && op.prev() != null;
                case DELETE -> op.cid() == null && op.prev() != null;
            };
            if (!shapeOk) {
                return InversionResult.fail(Status.BAD_OP, op.action().wire() + " " + op.path() + " has wrong cid/prev");
            }
            if (!MstKey.isValid(op.path())) {
                return InversionResult.fail(Status.BAD_OP, "bad repo path " + op.path());
            }
            if (seen != null && !seen.add(op.path())) {
                return InversionResult.fail(Status.BAD_OP, "duplicate path " + op.path());
            }
            keys[i] = MstKey.bytes(op.path());
        }
        return null;
    }
}
