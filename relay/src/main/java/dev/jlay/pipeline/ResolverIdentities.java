package dev.jlay.pipeline;

import dev.jlay.identity.Identity;
import dev.jlay.identity.IdentityResolver;
import dev.jlay.validate.FrameValidator;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Binds the worker's identity ports to the identity resolver and its cache. */
public final class ResolverIdentities implements IdentityLookup, IdentityRefresher {

    private final IdentityResolver resolver;

    public ResolverIdentities(IdentityResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public Optional<FrameValidator.Authority> cached(String did) {
        return resolver.cached(did).map(ResolverIdentities::authority);
    }

    @Override
    public void evict(String did) {
        resolver.evict(did);
    }

    @Override
    public CompletionStage<?> resolve(String did, boolean evict) {
        return evict ? resolver.refresh(did) : resolver.resolve(did);
    }

    public static FrameValidator.Authority authority(Identity i) {
        return new FrameValidator.Authority(i.signingKey().orElse(null), i.pds().orElse(null));
    }
}
