package dev.jlay.atproto.repo;

import dev.jlay.atproto.car.CarWriter;
import dev.jlay.atproto.cid.Cid;
import dev.jlay.atproto.crypto.Keypair;
import dev.jlay.atproto.mst.Mst;
import dev.jlay.atproto.mst.MstInversion;
import dev.jlay.atproto.mst.MstKey;
import dev.jlay.atproto.stream.RepoOp;
import dev.jlay.atproto.stream.SyncMessage;
import dev.jlay.atproto.syntax.Tid;
import dev.jlay.atproto.syntax.TidClock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory repository for one DID that produces exactly what a PDS emits: signed commits
 * with a sync v1.1 diff (the commit, every new MST node, the covering proofs that let a reader
 * invert the ops, created and updated records), and the one-block CAR of {@code #sync}.
 *
 * <p>Holds only the MST (keys and record CIDs), not the records themselves. Not thread-safe.
 */
public final class RepoWriter {
    private final String did;
    private final Keypair key;
    private final TidClock clock;
    private Mst tree = Mst.empty();
    private Commit head;
    private Cid headCid;
    private byte[] headBlock;

    private RepoWriter(String did, Keypair key, TidClock clock) {
        this.did = did;
        this.key = key;
        this.clock = clock;
    }

    /** A new, empty repository; call {@link #genesis()} for its first (empty) commit. */
    public static RepoWriter create(String did, Keypair key, TidClock clock) {
        return new RepoWriter(did, key, clock);
    }

    public String did() {
        return did;
    }

    /** The latest commit, or null before the first. */
    public Commit head() {
        return head;
    }

    public Cid headCid() {
        return headCid;
    }

    /** Record CID at a path, or null. */
    public Cid get(String path) {
        return tree.get(path);
    }

    /** The first commit of an empty repo: no ops, no since, no prevData. */
    public CommitResult genesis() {
        if (head != null) {
            throw new IllegalStateException("repository already has commits");
        }
        return commit(List.of(), new LinkedHashMap<>(), null);
    }

    /**
     * Applies a batch of writes as one commit. Creates must not exist yet, updates and deletes
     * must; at most {@link MstInversion#MAX_OPS} writes, each path once.
     */
    public CommitResult apply(List<Write> writes) {
        if (head == null) {
            throw new IllegalStateException("call genesis() first");
        }
        if (writes.size() > MstInversion.MAX_OPS) {
            throw new IllegalArgumentException(writes.size() + " writes, limit " + MstInversion.MAX_OPS);
        }
        Cid prevData = head.data();
        // edit a copy so that a refused batch leaves the repo as it was
        Mst work = tree.copy();
        var seen = new HashSet<String>();
        List<RepoOp> ops = new ArrayList<>(writes.size());
        Map<Cid, byte[]> blocks = new LinkedHashMap<>();
        for (Write w : writes) {
            if (!MstKey.isValid(w.path())) {
                throw new IllegalArgumentException("not a repo path: " + w.path());
            }
            if (!seen.add(w.path())) {
                throw new IllegalArgumentException("path written twice in one commit: " + w.path());
            }
            Cid old = work.get(w.path());
            switch (w.action()) {
                case CREATE -> {
                    if (old != null) {
                        throw new IllegalArgumentException("record exists: " + w.path());
                    }
                    Cid cid = putRecord(work, w, blocks);
                    ops.add(new RepoOp(RepoOp.Action.CREATE, w.path(), cid, null));
                }
                case UPDATE -> {
                    if (old == null) {
                        throw new IllegalArgumentException("no record to update: " + w.path());
                    }
                    Cid cid = putRecord(work, w, blocks);
                    ops.add(new RepoOp(RepoOp.Action.UPDATE, w.path(), cid, old));
                }
                case DELETE -> {
                    if (old == null) {
                        throw new IllegalArgumentException("no record to delete: " + w.path());
                    }
                    work.delete(w.path());
                    ops.add(new RepoOp(RepoOp.Action.DELETE, w.path(), null, old));
                }
            }
        }
        tree = work;
        return commit(ops, blocks, prevData);
    }

    private static Cid putRecord(Mst work, Write w, Map<Cid, byte[]> blocks) {
        Cid cid = Cid.ofDagCbor(w.record());
        blocks.put(cid, w.record());
        work.put(w.path(), cid);
        return cid;
    }

    private CommitResult commit(List<RepoOp> ops, Map<Cid, byte[]> recordBlocks, Cid prevData) {
        Map<Cid, byte[]> nodes = new LinkedHashMap<>();
        Cid data = tree.writeNewBlocks(nodes::put);
        for (RepoOp op : ops) {
            tree.addCoveringProof(MstKey.bytes(op.path()), nodes);
        }
        String since = head == null ? null : head.rev();
        String rev = nextRev();
        Commit commit = Commit.sign(did, data, rev, null, key);
        byte[] block = commit.encode();
        Cid cid = Cid.ofDagCbor(block);

        Map<Cid, byte[]> blocks = new LinkedHashMap<>();
        blocks.put(cid, block);
        blocks.putAll(nodes);
        blocks.putAll(recordBlocks);
        byte[] car = CarWriter.write(List.of(cid), blocks);
        head = commit;
        headCid = cid;
        headBlock = block;
        return new CommitResult(did, commit, cid, rev, since, prevData, List.copyOf(ops), blocks, car);
    }

    private String nextRev() {
        Tid next = clock.next();
        if (head != null) {
            Tid last = Tid.parse(head.rev());
            if (next.compareTo(last) <= 0) {
                next = Tid.of(last.micros() + 1, next.clockId());
            }
        }
        return next.toString();
    }

    /** The {@code #sync} CAR: only the current commit block, rooted at it. */
    public byte[] syncCar() {
        if (head == null) {
            throw new IllegalStateException("no commit yet");
        }
        return CarWriter.write(List.of(headCid), Map.of(headCid, headBlock));
    }

    /** The {@code #sync} message for the current commit. */
    public SyncMessage syncMessage(long seq, String time) {
        return new SyncMessage(seq, did, syncCar(), head.rev(), time);
    }
}
