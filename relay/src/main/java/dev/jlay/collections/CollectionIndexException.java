package dev.jlay.collections;

/** The collection index could not be opened, read or written. */
public final class CollectionIndexException extends RuntimeException {
    public CollectionIndexException(String message, Throwable cause) {
        super(message, cause);
    }
}
