package dev.jlay.atproto.syntax;

/** An at-identifier: a handle or a DID. */
public final class AtIdentifier {
    private AtIdentifier() {}

    public static boolean isValid(String s) {
        return s != null && (s.startsWith("did:") ? Did.isValid(s) : Handle.isValid(s));
    }
}
