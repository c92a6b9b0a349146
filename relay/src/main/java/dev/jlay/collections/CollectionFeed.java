package dev.jlay.collections;

import dev.jlay.atproto.stream.AccountMessage;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.RepoOp;
import dev.jlay.atproto.stream.SequencedMessage;
import java.util.List;

/**
 * What the pipeline calls for every accepted message, next to handing it to the sequencer.
 * {@code #commit} ops add collections (and a commit that deletes a collection's last record
 * removes it, see {@code CollectionIndex}); an {@code #account} with status {@code deleted}
 * forgets the repo; everything else is ignored.
 */
@FunctionalInterface
public interface CollectionFeed {
    CollectionFeed NONE = (did, ops) -> { };

    /** Records that {@code did} wrote to the collections of {@code ops} (creates and updates). */
    void accept(String did, List<RepoOp> ops);

    /** Forgets every collection of {@code did} (its account was deleted). */
    default void removeRepo(String did) {
    }

    /** An accepted commit: by default its creates and updates ({@link #accept(String, List)}). */
    default void commit(CommitMessage commit) {
        accept(commit.repo(), commit.ops());
    }

    /**
     * An accepted commit whose validation proved which collections its tree leaves empty
     * ({@code emptiedCollections}, null when not proven): by default as {@link #commit(CommitMessage)}.
     */
    default void commit(CommitMessage commit, List<String> emptiedCollections) {
        commit(commit);
    }

    /** Feeds a commit, or a deletion; other message types are ignored. */
    default void accept(SequencedMessage message) {
        accept(message, null);
    }

    /** As {@link #accept(SequencedMessage)}, with what validation proved of a commit (null: nothing). */
    default void accept(SequencedMessage message, List<String> emptiedCollections) {
        switch (message) {
            case CommitMessage c when !c.ops().isEmpty() -> commit(c, emptiedCollections);
            case AccountMessage a when !a.active() && "deleted".equals(a.status()) -> removeRepo(a.did());
            default -> {
            }
        }
    }
}
