package dev.jlay.api;

import io.helidon.http.Status;

/**
 * An XRPC error raised inside a handler; {@link XrpcEdge} turns it into
 * {@code {"error":..., "message":...}} with its status, once, at the edge.
 * Errors a lexicon declares (RepoNotFound, HostNotFound, HostBanned, ...) are 400, as the
 * reference TypeScript server sends them.
 */
public final class XrpcException extends RuntimeException {
    private final transient Status status;
    private final String error;

    public XrpcException(Status status, String error, String message) {
        super(message, null, false, false);
        this.status = status;
        this.error = error;
    }

    public static XrpcException invalidRequest(String message) {
        return new XrpcException(Status.BAD_REQUEST_400, "InvalidRequest", message);
    }

    /** An error name the endpoint's lexicon declares. */
    public static XrpcException declared(String error, String message) {
        return new XrpcException(Status.BAD_REQUEST_400, error, message);
    }

    public Status status() {
        return status;
    }

    public String error() {
        return error;
    }
}
