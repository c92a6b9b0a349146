package dev.jlay.store;

import dev.jlay.atproto.cid.Cid;

import java.util.Objects;

/**
 * The latest accepted commit of one repo: what the next commit's rev / since /
 * prevData is checked against. CIDs stay parsed in memory (the validator compares
 * them per frame); the database holds their string form.
 */
public record RepoState(String did, String rev, Cid commit, Cid data) {
    public RepoState {
        Objects.requireNonNull(did, "did");
        Objects.requireNonNull(rev, "rev");
        Objects.requireNonNull(commit, "commit");
        Objects.requireNonNull(data, "data");
    }
}
