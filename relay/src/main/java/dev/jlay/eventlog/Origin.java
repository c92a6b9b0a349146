package dev.jlay.eventlog;

/**
 * Where an event came from: the upstream host and that host's own seq for it. Kept with the event
 * so that after a crash the relay knows which host frames are already durable (the host's persisted
 * cursor may lag) and does not carry them twice. {@link #NONE} for the relay's own events.
 */
public record Origin(String host, long seq) {
    public static final Origin NONE = new Origin(null, 0);

    public Origin {
        if (host != null && host.isEmpty()) host = null;
    }

    public boolean known() {
        return host != null && seq > 0;
    }
}
