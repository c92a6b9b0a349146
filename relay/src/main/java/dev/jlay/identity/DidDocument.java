package dev.jlay.identity;

import dev.jlay.atproto.syntax.Did;
import dev.jlay.atproto.syntax.Handle;
import java.net.URI;
import java.util.Optional;

/**
 * The parts of a DID document atproto uses, as found in the document (the key still encoded).
 * An absent key or PDS is not an error: the account then is not functional (its commits are
 * ignored), but its identity and account events still count.
 *
 * @param signingKey the first {@code #atproto} verification method, if a usable one exists
 * @param pds        the first {@code #atproto_pds} service endpoint: scheme, host and port only
 * @param handle     the first valid {@code at://} alsoKnownAs entry (claimed, not yet verified)
 */
public record DidDocument(Did did, Optional<KeyEntry> signingKey, Optional<URI> pds, Optional<Handle> handle) {

    /**
     * An encoded signing key.
     *
     * @param type               {@code Multikey}, or a legacy {@code EcdsaSecp256r1VerificationKey2019}
     *                           / {@code EcdsaSecp256k1VerificationKey2019}
     * @param publicKeyMultibase the key as the document spells it
     */
    public record KeyEntry(String type, String publicKeyMultibase) {}
}
