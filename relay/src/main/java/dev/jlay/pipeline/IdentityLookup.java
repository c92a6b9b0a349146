package dev.jlay.pipeline;

import dev.jlay.validate.FrameValidator;
import java.util.Optional;

/** The worker's non-blocking view of the identity cache. */
public interface IdentityLookup {

    /** The DID's cached key and PDS, or empty when not cached (never fetches). */
    Optional<FrameValidator.Authority> cached(String did);

    /** Forgets the DID (an #identity event, or before a re-resolve). */
    void evict(String did);
}
