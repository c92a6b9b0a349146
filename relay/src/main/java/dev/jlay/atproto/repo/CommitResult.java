package dev.jlay.atproto.repo;

import dev.jlay.atproto.cid.Cid;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.RepoOp;
import java.util.List;
import java.util.Map;

/**
 * Everything a PDS emits for one commit: the signed commit, the diff (as blocks and as the CAR
 * bytes, commit block first), the ops with cid/prev, rev/since and prevData (null only for the
 * genesis commit of a new repo).
 */
public record CommitResult(
        String did,
        Commit commit,
        Cid cid,
        String rev,
        String since,
        Cid prevData,
        List<RepoOp> ops,
        Map<Cid, byte[]> blocks,
        byte[] car) {

    /** The {@code #commit} message for this commit. */
    public CommitMessage toMessage(long seq, String time) {
        return new CommitMessage(seq, did, cid, rev, since, car, ops, prevData, List.of(), time, false, false);
    }
}
