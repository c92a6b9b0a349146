package dev.jlay.pipeline;

import java.util.concurrent.CompletionStage;

/** Background identity resolution for parked DIDs. */
public interface IdentityRefresher {
    /**
     * Resolves the DID (evicting any cached entry first when {@code evict}) and
     * completes when the cache holds the result; completes exceptionally when the
     * DID cannot be resolved. Must not block the caller.
     */
    CompletionStage<?> resolve(String did, boolean evict);
}
