package dev.jlay.store;

import java.util.Objects;

/** The latest accepted commit of one repo: what the next commit's rev/since/prevData is checked against. */
public record RepoState(String did, String rev, String commitCid, String dataCid) {
    public RepoState {
        Objects.requireNonNull(did, "did");
        Objects.requireNonNull(rev, "rev");
        Objects.requireNonNull(commitCid, "commitCid");
        Objects.requireNonNull(dataCid, "dataCid");
    }
}
