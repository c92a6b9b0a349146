package dev.jlay.pipeline;

import dev.jlay.identity.DocumentSource;
import dev.jlay.identity.Identity;
import dev.jlay.validate.FrameValidator;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Identity from a fixed set of documents, resolved synchronously: for
 * {@code verify --did-docs} and tests. Same semantics as the live cache
 * (evict on #identity, resolve on a miss, re-resolve once on failure), no
 * threads and no network. Bounded by the number of documents it was given.
 */
public final class OfflineIdentities implements IdentityLookup, IdentityRefresher {

    private final DocumentSource documents;
    private final ConcurrentHashMap<String, FrameValidator.Authority> cache = new ConcurrentHashMap<>();

    public OfflineIdentities(DocumentSource documents) {
        this.documents = documents;
    }

    @Override
    public Optional<FrameValidator.Authority> cached(String did) {
        return Optional.ofNullable(cache.get(did));
    }

    @Override
    public void evict(String did) {
        cache.remove(did);
    }

    @Override
    public CompletionStage<?> resolve(String did, boolean evict) {
        try {
            var authority = ResolverIdentities.authority(Identity.of(documents.fetch(did)));
            cache.put(did, authority);
            return CompletableFuture.completedFuture(authority);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(e);
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
