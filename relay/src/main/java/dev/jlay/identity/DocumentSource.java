package dev.jlay.identity;

/** Where DID documents come from; {@link DidResolver} in production, anything in tests. */
@FunctionalInterface
public interface DocumentSource {
    DidDocument fetch(String did) throws IdentityException, InterruptedException;
}
