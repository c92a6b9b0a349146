package dev.jlay.jetstream;

import java.util.List;

/**
 * What one log event becomes on {@code /subscribe}: a commit gives one {@link JetstreamEvent} per
 * op, an identity or account event one, anything else (a {@code #sync}, an unknown type) none.
 *
 * @param seq the log event's seq
 */
public record TranslatedEvent(long seq, List<JetstreamEvent> events) {
    /** The heap it holds, for the cache's byte bound. */
    long bytes() {
        long b = 64;
        for (var e : events) {
            b += e.bytes();
        }
        return b;
    }
}
