package dev.jlay.store;

/**
 * A storage operation ran out of time: PostgreSQL cancelled the statement ({@code statement_timeout}),
 * or the connection's socket stayed silent past the socket timeout (then {@link #unavailable()} too).
 * Callers that retry can tell "too slow" from "refused".
 */
public final class StoreTimeoutException extends StoreException {
    public StoreTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
