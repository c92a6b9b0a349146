package dev.jlay.store;

import java.util.Locale;

/** An upstream host's state as getHostStatus reports it. */
public enum HostStatus {
    ACTIVE, IDLE, OFFLINE, THROTTLED, BANNED;

    /** The value stored in the database and shown in the lexicon ("active", ...). */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static HostStatus of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
