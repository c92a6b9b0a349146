package dev.jlay.identity;

import dev.jlay.atproto.ProtocolException;
import dev.jlay.atproto.crypto.Multikey;
import dev.jlay.atproto.crypto.PublicKey;
import dev.jlay.atproto.syntax.Did;
import dev.jlay.atproto.syntax.Handle;
import java.net.URI;
import java.util.Optional;

/**
 * What the relay needs to know about an account, ready to use: the decoded signing key (decoding is
 * the expensive part of a verification, so it happens once per resolution), the PDS endpoint and
 * the claimed handle.
 *
 * @param signingKey absent when the document has no usable {@code #atproto} key
 * @param pds        absent when the document names no valid PDS
 * @param handle     the first valid {@code at://} alsoKnownAs (not verified in the other direction)
 */
public record Identity(Did did, Optional<PublicKey> signingKey, Optional<URI> pds, Optional<Handle> handle) {

    /** Decodes the document's key; an undecodable key counts as no key. */
    public static Identity of(DidDocument doc) {
        Optional<PublicKey> key = doc.signingKey().flatMap(k -> {
            try {
                return Optional.of(Multikey.decodeVerificationMethod(k.type(), k.publicKeyMultibase()));
            } catch (ProtocolException e) {
                return Optional.empty();
            }
        });
        return new Identity(doc.did(), key, doc.pds(), doc.handle());
    }

    /** With no key or no PDS the account is not functional: its commits are ignored. */
    public boolean isFunctional() {
        return signingKey.isPresent() && pds.isPresent();
    }
}
