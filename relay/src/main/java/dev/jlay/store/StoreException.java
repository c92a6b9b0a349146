package dev.jlay.store;

/** A storage operation failed (database unreachable, constraint violated, ...). */
public final class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
