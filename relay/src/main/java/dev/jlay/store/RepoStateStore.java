package dev.jlay.store;

import java.util.Optional;

/**
 * Per-repo state the validator checks commits against. Reads are served from a
 * bounded in-memory cache; {@link #put} returns at once and the database write
 * follows in a batch (see {@link Storage#flush()}).
 */
public interface RepoStateStore {
    Optional<RepoState> get(String did);

    /** Records the repo's new latest commit (the last put for a DID wins). */
    void put(RepoState state);
}
