package dev.jlay.identity;

/**
 * Why a DID could not be resolved to a usable document. A closed set, so callers can switch over it:
 * the pipeline treats {@link Tombstoned} as hosting status {@code deleted}, retries {@link Network}
 * and {@link Overloaded} later, and gives up on the rest.
 */
public abstract sealed class IdentityException extends Exception {
    private final String did;

    private IdentityException(String did, String message, Throwable cause) {
        super(did + ": " + message, cause);
        this.did = did;
    }

    public String did() {
        return did;
    }

    /** True if trying again later may give a different answer. */
    public boolean isTransient() {
        return this instanceof Network || this instanceof Overloaded;
    }

    /** Not a syntactically valid DID (or did:web with a path, which atproto does not allow). */
    public static final class InvalidDid extends IdentityException {
        public InvalidDid(String did, String why) {
            super(did, "invalid DID: " + why, null);
        }
    }

    /** A DID method atproto does not use (only plc and web are supported). */
    public static final class UnsupportedMethod extends IdentityException {
        public UnsupportedMethod(String did) {
            super(did, "unsupported DID method", null);
        }
    }

    /** The directory or web host answered that the DID does not exist (404). */
    public static final class NotFound extends IdentityException {
        public NotFound(String did) {
            super(did, "not found", null);
        }
    }

    /** did:plc answered 410: the DID is tombstoned, the account is deleted. */
    public static final class Tombstoned extends IdentityException {
        public Tombstoned(String did) {
            super(did, "tombstoned", null);
        }
    }

    /** A document came back but is not a valid DID document for this DID. */
    public static final class InvalidDocument extends IdentityException {
        public InvalidDocument(String did, String why) {
            super(did, "invalid DID document: " + why, null);
        }
    }

    /** The target host is internal (SSRF guard) and insecure hosts are not allowed. */
    public static final class ForbiddenHost extends IdentityException {
        public ForbiddenHost(String did, String why) {
            super(did, why, null);
        }
    }

    /** Timeout, refused connection, oversized response, unexpected HTTP status: try again later. */
    public static final class Network extends IdentityException {
        public Network(String did, String why, Throwable cause) {
            super(did, "network: " + why, cause);
        }
    }

    /** Too many lookups already in flight; the caller should retry later. */
    public static final class Overloaded extends IdentityException {
        public Overloaded(String did) {
            super(did, "too many resolutions in flight", null);
        }
    }
}
