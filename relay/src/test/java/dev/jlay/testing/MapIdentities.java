package dev.jlay.testing;

import dev.jlay.pipeline.IdentityLookup;
import dev.jlay.validate.FrameValidator;
import java.util.Map;
import java.util.Optional;

/** The worker's identity lookup over a map the test fills, as a resolver would fill the cache. */
public record MapIdentities(Map<String, FrameValidator.Authority> cache) implements IdentityLookup {

    @Override
    public Optional<FrameValidator.Authority> cached(String did) {
        return Optional.ofNullable(cache.get(did));
    }

    @Override
    public void evict(String did) {
        cache.remove(did);
    }
}
