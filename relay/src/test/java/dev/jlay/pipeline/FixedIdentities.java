package dev.jlay.pipeline;

import dev.jlay.validate.FrameValidator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A scenario's identities, as if every DID document were already cached: a known DID resolves at
 * once, an unknown one fails. Evicting keeps the entry, since a scenario's keys never change.
 */
record FixedIdentities(Map<String, FrameValidator.Authority> authorities) implements IdentityLookup, IdentityRefresher {
    @Override
    public Optional<FrameValidator.Authority> cached(String did) {
        return Optional.ofNullable(authorities.get(did));
    }

    @Override
    public void evict(String did) {}

    @Override
    public CompletionStage<?> resolve(String did, boolean evict) {
        return authorities.containsKey(did)
                ? CompletableFuture.completedFuture(null)
                : CompletableFuture.failedFuture(new IllegalStateException("unknown DID " + did));
    }
}
