package dev.jlay.collections;

import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.RepoOp;
import dev.jlay.atproto.stream.SequencedMessage;
import java.util.List;

/**
 * What the pipeline calls for every accepted message, next to handing it to the sequencer.
 * Only {@code #commit} ops carry collections; everything else is ignored.
 */
@FunctionalInterface
public interface CollectionFeed {
    CollectionFeed NONE = (did, ops) -> { };

    /** Records that {@code did} wrote to the collections of {@code ops} (creates and updates). */
    void accept(String did, List<RepoOp> ops);

    /** Feeds a commit's ops; other message types are ignored. */
    default void accept(SequencedMessage message) {
        if (message instanceof CommitMessage c && !c.ops().isEmpty()) {
            accept(c.repo(), c.ops());
        }
    }
}
