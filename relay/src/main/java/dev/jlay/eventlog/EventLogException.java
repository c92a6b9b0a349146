package dev.jlay.eventlog;

/** The event log could not be opened, read or written. */
public final class EventLogException extends RuntimeException {
    public EventLogException(String message, Throwable cause) {
        super(message, cause);
    }

    public EventLogException(String message) {
        super(message);
    }
}
