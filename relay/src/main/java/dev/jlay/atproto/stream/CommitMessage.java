package dev.jlay.atproto.stream;

import dev.jlay.atproto.cid.Cid;
import java.util.List;

/** {@code #commit}: a signed repo diff. {@code since} and {@code prevData} may be null. */
public record CommitMessage(
        long seq,
        String repo,
        Cid commit,
        String rev,
        String since,
        byte[] blocks,
        List<RepoOp> ops,
        Cid prevData,
        List<Cid> blobs,
        String time,
        boolean tooBig,
        boolean rebase) implements SequencedMessage {
    public static final String TYPE = "#commit";

    public CommitMessage {
        ops = List.copyOf(ops);
        blobs = List.copyOf(blobs);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String did() {
        return repo;
    }
}
